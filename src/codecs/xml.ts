import { XMLParser } from 'fast-xml-parser';

/**
 * The one way this project reads XML (newloginpage, the platform's callbacks, app-message
 * contents): element text only, attributes ignored, no guessing of numbers, no declarations or
 * processing instructions. `entities` turns on the five XML entities; HTML entities and DTD
 * entities never are (callers also refuse DOCTYPE and ENTITY outright).
 */
export function plainXmlParser(options: { readonly entities: boolean }): XMLParser {
  return new XMLParser({
    processEntities: options.entities,
    htmlEntities: false,
    ignoreAttributes: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
  });
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHTML } from 'entities';
import { decodeContent, decodeEntities, isGroupUserName, normalizeMessage, splitGroupSender } from '../../../src/codecs/index.js';
import { arbAnyUserName, arbRawMessage, arbText } from '../../support/arbitraries.js';

/** How the server writes plain text into Content. */
const serverEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/\n/g, '<br/>');

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

describe('decodeContent', () => {
  // Invariant: text with no markup or entity character (no `<`, no `&`) is returned unchanged.
  it('is the identity on text without < and &', () => {
    fc.assert(
      fc.property(anyText.map((s) => s.replace(/[<&]/g, '')), (s) => {
        expect(decodeContent(s)).toBe(s);
      }),
    );
  });

  // Invariant: decoding undoes the server's escaping of any text (entities and <br/> for newlines).
  it('undoes the server escaping of any text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(decodeContent(serverEscape(s))).toBe(s);
      }),
    );
  });

  // Invariant: a 4–5 hex emoji class is exactly its one code point, wherever it sits in plain text.
  it('turns any 4–5 hex emoji class into its code point', () => {
    const scalar = fc.integer({ min: 0, max: 0xfffff }).filter((c) => c < 0xd800 || c > 0xdfff);
    const plain = fc.string().map((s) => s.replace(/[<&]/g, ''));
    fc.assert(
      fc.property(scalar, plain, plain, fc.boolean(), (c, before, after, upper) => {
        const hex = c.toString(16).padStart(4, '0');
        const cls = upper ? hex.toUpperCase() : hex;
        expect(decodeContent(`${before}<span class="emoji emoji${cls}"></span>${after}`)).toBe(before + String.fromCodePoint(c) + after);
      }),
    );
  });
});

describe('decodeEntities', () => {
  // Pieces that sit next to each other in real and hostile Content: the six escaping entities,
  // their near misses (no `;`, other case, other spelling), other named and numeric entities
  // (legacy ones without `;` included), bare `&`, and plain text around them.
  const piece = fc.constantFrom(
    '&lt;', '&gt;', '&amp;', '&quot;', '&apos;', '&#39;',
    '&', '&lt', '&amp', '&quot', '&#39', '&LT;', '&AMP;', '&ampx;', '&amp;lt;', '&#039;', '&#x27;', '&#X27;',
    '&nbsp;', '&copy', '&copy;', '&not', '&notin;', '&#0;', '&#128;', '&#xD800;', '&#1114112;', '&zz;',
    ';', '#', 'lt;', 'a', '中', '😀', '<br/>', ' ',
  );
  const text = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map((a) => a.join('')),
    fc.array(fc.oneof(piece, anyText), { maxLength: 6 }).map((a) => a.join('')),
    anyText,
  );

  // Invariant: on any text it gives exactly what entities' decodeHTML gives — its own scan of the
  // six escaping entities may never disagree with the general decoder it stands in for.
  it('decodes exactly as decodeHTML', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(decodeEntities(s)).toBe(decodeHTML(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('splitGroupSender', () => {
  // Invariant: a prefix `@name:<br/>` put in front of any text is split back into exactly that
  // sender and that text.
  it('gives back the sender and the rest', () => {
    const sender = fc.stringMatching(/^@[0-9A-Za-z_]{1,128}$/);
    fc.assert(
      fc.property(sender, anyText, (who, rest) => {
        expect(splitGroupSender(`${who}:<br/>${rest}`)).toEqual({ sender: who, rest });
      }),
    );
  });

  // Invariant: text that does not start with `@` never yields a sender.
  it('finds no sender in text not starting with @', () => {
    fc.assert(
      fc.property(anyText.filter((s) => !s.startsWith('@')), (s) => {
        expect(splitGroupSender(s)).toEqual({ sender: null, rest: s });
      }),
    );
  });
});

describe('normalizeMessage', () => {
  // Invariant: IsGroup is "From or To is a group", isSelf is "From is us", a sender is only split
  // off others' group messages, and the content is the decoded rest.
  it('marks group, self and sender consistently', () => {
    fc.assert(
      fc.property(arbRawMessage, arbAnyUserName, fc.boolean(), fc.boolean(), arbText, (raw, self, fromSelf, prefixed, text) => {
        const from = fromSelf ? self : raw.FromUserName;
        const content = prefixed ? `@m1:<br/>${text}` : raw.Content;
        const m = normalizeMessage({ ...raw, FromUserName: from, Content: content }, self);
        const isGroup = isGroupUserName(from) || isGroupUserName(raw.ToUserName);
        expect(m.IsGroup).toBe(isGroup);
        expect(m.isSelf).toBe(from === self);
        expect(m.MsgId).toBe(raw.MsgId);
        if (m.SenderUserName !== undefined) {
          expect(isGroup && from !== self).toBe(true);
          expect(m.Content).toBe(decodeContent(splitGroupSender(content).rest));
        } else {
          expect(m.Content).toBe(decodeContent(content));
        }
        if (isGroup && from !== self && prefixed) expect(m.SenderUserName).toBe('@m1');
      }),
    );
  });
});

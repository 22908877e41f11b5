/**
 * contacts-decode: decoding a 10,000-contact webwxgetcontact answer.
 *
 * ours      decodeGetContact(text): JSON.parse plus full validation of every contact.
 * limit     JSON.parse(text) alone: no decoder can be faster than reading the JSON.
 * wechat4u  wechat4u's own getContact() on the same text, its HTTP layer replaced by what axios
 *           does with the body (JSON.parse); it checks BaseResponse.Ret and nothing else.
 * goal      ours ≤ 1.5 × limit.
 */
import { decodeGetContact, encodeJsonAnswer, int, okBase } from '../../src/codecs/index.js';
import { generateContacts } from '../../src/simulator/generate.js';
import type { BenchCase, PreparedCase } from '../harness.js';

const CONTACTS = 10_000;
const SEED = 20_240_601;

async function wechat4uGetContact(text: string): Promise<() => Promise<unknown>> {
  const module: { default: unknown } = await import('wechat4u/lib/core.js');
  // Babel-built CommonJS: under plain Node ESM the class sits one `default` deeper than under tsx.
  const inner = module.default as { default?: unknown };
  const WechatCore = (typeof inner === 'function' ? inner : inner.default) as typeof import('wechat4u/lib/core.js').default;
  const core = new WechatCore();
  // No network: the request resolves with the body parsed as axios would parse it.
  core.request = async () => ({ data: JSON.parse(text) as unknown });
  return () => core.getContact(0);
}

const contactsDecode: BenchCase = {
  name: 'contacts-decode',
  unit: 'ms',
  description: `decodeGetContact on a ${CONTACTS.toLocaleString('en')}-contact webwxgetcontact answer vs JSON.parse of the same text`,
  goal: { ratio: 'ratioVsLimit', atMost: 1.5 },
  async prepare(): Promise<PreparedCase> {
    const contacts = generateContacts(CONTACTS, SEED);
    const text = encodeJsonAnswer({ BaseResponse: okBase(), MemberCount: int(contacts.length), MemberList: contacts, Seq: int(0) });
    // Refuse to time a decoder that does not decode this answer.
    const check = decodeGetContact(text);
    if (!check.ok || check.value.MemberList.length !== CONTACTS) throw new Error('contacts-decode: the sample does not decode');
    const megabytes = Buffer.byteLength(text) / 1024 / 1024;
    return {
      ours: () => decodeGetContact(text),
      limit: () => JSON.parse(text) as unknown,
      wechat4u: await wechat4uGetContact(text),
      sampleSize: `${CONTACTS.toLocaleString('en')} contacts (${megabytes.toFixed(1)} MB)`,
    };
  },
};

export default contactsDecode;

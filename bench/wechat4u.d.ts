/** The part of wechat4u (a dev dependency without types) the benchmarks drive. */
declare module 'wechat4u/lib/core.js' {
  export default class WechatCore {
    request: (options: unknown) => Promise<{ data: unknown }>;
    getContact(seq?: number): Promise<unknown>;
  }
}

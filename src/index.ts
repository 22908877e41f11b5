/**
 * webwx-machine: the WeChat Web protocol as an explicit XState v5 state machine.
 * The codecs are also published on their own as `webwx-machine/codecs`.
 */
export * as codecs from './codecs/index.js';
export type { Message } from './codecs/content.js';

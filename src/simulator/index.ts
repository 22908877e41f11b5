/**
 * The protocol simulator: a loopback HTTP server that answers every endpoint of PROTOCOL.md as
 * the real WeChat servers do, plus the phone-control API of CONTRACT.md under `/__sim/`.
 *
 *   const sim = await startSimulator({ auto: true, hold: 2000 });
 *   // point a client's login origin at sim.origin; the phone scans and confirms by itself
 *   sim.control.message({ from: '文件传输助手', text: 'hi' });
 *   await sim.close();
 */
export { startSimulator, DEFAULTS, type Simulator } from './server.js';
export { runSimulatorCli, parseSimulatorArgs, type SimulatorCliIo } from './main.js';
export type { SimulatorControl, RequestFilter } from './control.js';
export { World, WEB_FORBIDDEN_MESSAGE, passTicketMatches } from './world.js';
export { qrText } from './qr.js';
export { encodeTextContent } from './messages.js';
export {
  SIM_ENDPOINTS,
  SimError,
  type AccountInfo,
  type ContactChangeInput,
  type EndRetcode,
  type FaultKind,
  type FaultPlan,
  type FaultRule,
  type InjectedMessage,
  type InjectMessageInput,
  type RequestRecord,
  type SentRecord,
  type SessionInfo,
  type SimEndpoint,
  type SimErrorData,
  type SimulatorOptions,
  type TipRecord,
  type UuidInfo,
  type UuidStateName,
} from './types.js';

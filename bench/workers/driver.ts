/**
 * The one thing every contestant must do in a worker: log a session in against the simulator and
 * report each delivered message. Jobs (bench/workers/main.ts) are written once against this.
 */

export interface DriverSession {
  /** The account (wxuin as decimal text), so the harness can aim control calls at it. */
  readonly uin: string;
  /** False once the session ended (logged out, crashed, or stopped). */
  alive(): boolean;
  stop(): void;
}

export interface LoggedIn {
  readonly session: DriverSession;
  /** process.hrtime.bigint() when the client reached its sync loop (its first synccheck). */
  readonly syncingAt: bigint;
  /** Resolves once the login's side traffic (contact list, first sync) is done. */
  readonly settled: Promise<void>;
}

export interface Driver {
  /** Loads the library, so that no clock includes module loading. */
  preload(): Promise<void>;
  /** Logs one new session in; `onMessage` hears the MsgType of every message delivered to the user. */
  login(origin: string, onMessage: (msgType: number) => void): Promise<LoggedIn>;
}

/**
 * Read-ahead for the next webwxsync page. An answer with `ContinueFlag` tells the client to call
 * again at once with the answer's SyncKey; that call can leave as soon as the answer is read,
 * while the machine is still validating, deduping and delivering the page, so that the server
 * builds the next page while the client works through this one.
 *
 * The machine still makes every call itself: a read-ahead only answers the one call that asks
 * for exactly the request it sent (same URL, credentials and key). Nothing is delivered, stored
 * or acknowledged by sending it: PROTOCOL.md says an older SyncKey keeps answering everything
 * since it, so a read-ahead that nobody takes over (the machine stopped, logged out, or the next
 * call differs) is simply dropped — aborted by the next turn of the event loop, since the call it
 * waits for comes from the same turn as the answer that started it.
 */
import type { ServiceDeps } from './http.js';

/** A request sent before its call, waiting for that call. */
interface Ahead<T> {
  /** What the request asked for; a call takes it over only if it asks for exactly that. */
  readonly identity: string;
  readonly controller: AbortController;
  readonly answer: Promise<T>;
  /** Set by the call that takes it over. */
  readonly owner: { adopted: boolean };
}

/** One read-ahead per client at most (its services' dependencies are per client). */
const slots = new WeakMap<ServiceDeps, Ahead<unknown>>();

const ignore = (): void => undefined;

/**
 * Sends `send`'s request now, for the call that will ask for `identity`. `send` gets the request's
 * own signal and a hook to call with the answer as soon as it is read (inside the transport, before
 * the promise settles); `onAdoptedRead` then runs with that answer, so each taken-over page starts
 * the read-ahead of the next one. A call can only take it over in the turn it was sent (later it is
 * dropped), and its answer can only be read in a later turn: when it is read, it was taken over.
 */
export function startReadAhead<T>(
  deps: ServiceDeps,
  identity: string,
  send: (signal: AbortSignal, onRead: (answer: T) => void) => Promise<T>,
  onAdoptedRead: (answer: T) => void,
): void {
  dropReadAhead(deps);
  const controller = new AbortController();
  const owner = { adopted: false };
  const answer = send(controller.signal, (read) => {
    if (owner.adopted) onAdoptedRead(read);
  });
  // Its failure is the adopting call's to report; one nobody adopts must not be an unhandled rejection.
  answer.catch(ignore);
  const ahead: Ahead<T> = { identity, controller, answer, owner };
  slots.set(deps, ahead as Ahead<unknown>);
  setImmediate(() => {
    if (!owner.adopted && slots.get(deps) === ahead) dropReadAhead(deps);
  });
}

/**
 * The read-ahead's answer when it is exactly the request `identity` describes (the call then
 * owns it: `signal` aborts it); otherwise null, and a read-ahead that does not match is dropped.
 */
export function adoptReadAhead<T>(deps: ServiceDeps, identity: string, signal: AbortSignal): Promise<T> | null {
  const ahead = slots.get(deps) as Ahead<T> | undefined;
  if (ahead === undefined) return null;
  slots.delete(deps);
  if (ahead.identity !== identity || signal.aborted) {
    ahead.controller.abort();
    return null;
  }
  ahead.owner.adopted = true;
  signal.addEventListener('abort', () => ahead.controller.abort(signal.reason), { once: true });
  return ahead.answer;
}

/** Aborts and forgets the client's read-ahead, if it has one. */
function dropReadAhead(deps: ServiceDeps): void {
  const ahead = slots.get(deps);
  if (ahead === undefined) return;
  slots.delete(deps);
  ahead.controller.abort();
}

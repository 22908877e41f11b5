/**
 * What the console page shows, as plain data: the state the server keeps (so a page that opens
 * or reconnects late gets everything at once) and the updates it pushes. Every update passes
 * sanitizeForDisplay in `publish` before it is kept or sent, so nothing reaches a page unmasked.
 */
import { sanitizeForDisplay } from '../inspect/sanitize.js';

export interface ContactOption {
  readonly UserName: string;
  readonly label: string;
  readonly isGroup: boolean;
}

export interface IncomingEntry {
  readonly dir: 'in';
  readonly MsgId: string;
  /** CreateTime, seconds. */
  readonly time: number;
  readonly from: string;
  readonly fromLabel: string;
  readonly senderLabel?: string;
  readonly type: number;
  readonly typeName: string;
  readonly content: string;
  readonly isSelf: boolean;
  readonly isGroup: boolean;
}

export interface OutgoingEntry {
  readonly dir: 'out';
  /** ms since the epoch. */
  readonly at: number;
  readonly to: string;
  readonly toLabel: string;
  readonly text: string;
  readonly ok: boolean;
  /** The MsgId when sent, the failure reason otherwise. */
  readonly detail: string;
}

export type FeedEntry = IncomingEntry | OutgoingEntry;

export interface TransitionEntry {
  readonly seq: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly event: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

export interface ErrorEntry {
  readonly at: number;
  readonly code: string;
  readonly message: string;
}

export interface LogoutView {
  readonly reason: string;
  readonly retcode?: number;
  readonly message?: string;
}

export interface ConsoleState {
  /** Bumped by every update: a page ignores updates older than the state it holds. */
  readonly seq: number;
  readonly top: string | null;
  readonly paths: readonly string[];
  readonly nodeIds: readonly string[];
  /** The QR as an image URL (SVG drawn here), until the phone scans it. */
  readonly qr: string | null;
  readonly scanned: boolean;
  readonly avatar: string | null;
  readonly user: { readonly NickName: string; readonly UserName: string } | null;
  readonly contactsCount: number | null;
  readonly contacts: readonly ContactOption[];
  readonly feed: readonly FeedEntry[];
  readonly transitions: readonly TransitionEntry[];
  readonly errors: readonly ErrorEntry[];
  readonly logout: LogoutView | null;
}

export type ConsoleUpdate =
  | { readonly kind: 'state'; readonly top: string | null; readonly paths: readonly string[]; readonly nodeIds: readonly string[] }
  | { readonly kind: 'qr'; readonly image: string }
  | { readonly kind: 'scanned'; readonly avatar: string | null }
  | { readonly kind: 'login'; readonly user: { readonly NickName: string; readonly UserName: string } }
  | { readonly kind: 'contacts'; readonly count: number; readonly list: readonly ContactOption[] }
  | { readonly kind: 'feed'; readonly entry: FeedEntry }
  | { readonly kind: 'transition'; readonly entry: TransitionEntry }
  | { readonly kind: 'error'; readonly entry: ErrorEntry }
  | { readonly kind: 'logout'; readonly info: LogoutView };

/** Bounds of the lists a page holds: enough to follow a session, small enough to resend. */
export const LIMITS = { feed: 200, transitions: 60, errors: 20 } as const;

export const INITIAL_STATE: ConsoleState = {
  seq: 0,
  top: null,
  paths: [],
  nodeIds: [],
  qr: null,
  scanned: false,
  avatar: null,
  user: null,
  contactsCount: null,
  contacts: [],
  feed: [],
  transitions: [],
  errors: [],
  logout: null,
};

const capped = <T>(list: readonly T[], item: T, max: number): readonly T[] => [...list, item].slice(-max);

/** The state after one update (pure; the page applies the same rules to its copy). */
export function applyUpdate(state: ConsoleState, update: ConsoleUpdate): ConsoleState {
  const seq = state.seq + 1;
  switch (update.kind) {
    case 'state':
      return { ...state, seq, top: update.top, paths: update.paths, nodeIds: update.nodeIds };
    case 'qr':
      // A new QR (first one, or after an expiry) starts the login over.
      return { ...state, seq, qr: update.image, scanned: false, avatar: null };
    case 'scanned':
      return { ...state, seq, qr: null, scanned: true, avatar: update.avatar };
    case 'login':
      return { ...state, seq, qr: null, user: update.user };
    case 'contacts':
      return { ...state, seq, contactsCount: update.count, contacts: update.list };
    case 'feed':
      return { ...state, seq, feed: capped(state.feed, update.entry, LIMITS.feed) };
    case 'transition':
      return { ...state, seq, transitions: capped(state.transitions, update.entry, LIMITS.transitions) };
    case 'error':
      return { ...state, seq, errors: capped(state.errors, update.entry, LIMITS.errors) };
    case 'logout':
      return { ...state, seq, qr: null, logout: update.info };
  }
}

export interface ConsoleHub {
  state(): ConsoleState;
  /** Sanitises, keeps and fans out one update. */
  publish(update: ConsoleUpdate): void;
  /** Called with each sanitised update and the seq it produced; returns the unsubscribe. */
  subscribe(listener: (update: ConsoleUpdate, seq: number) => void): () => void;
}

export function createConsoleHub(): ConsoleHub {
  let state = INITIAL_STATE;
  const listeners = new Set<(update: ConsoleUpdate, seq: number) => void>();
  return {
    state: () => state,
    publish(update) {
      const clean = sanitizeForDisplay(update) as ConsoleUpdate;
      state = applyUpdate(state, clean);
      for (const listener of [...listeners]) {
        try {
          listener(clean, state.seq);
        } catch {
          // One broken page connection must not stop the others from hearing.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/**
 * Fault selection: which faults hit one request. Deterministic — each rule has its own counter
 * and its own generator seeded from the plan's seed and the rule's index, so the same sequence of
 * requests gets the same faults on every run, whatever the other rules do.
 */
import { createRng, seedFrom, type Rng } from './generate.js';
import type { EndRetcode, FaultPlan, FaultRule, SimEndpoint } from './types.js';

/** A fault that decides the answer (at most one per request). */
export type OutcomeFault =
  | { readonly kind: 'destroy' }
  | { readonly kind: 'silence' }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'ret'; readonly ret: number }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'invalidJson' }
  | { readonly kind: 'emptyKey' }
  | { readonly kind: 'oversize'; readonly bytes: number }
  | { readonly kind: 'errorPage'; readonly status: number }
  | { readonly kind: 'selector'; readonly selector: number };

/** Above the engine's default 16 MiB answer cap. */
export const DEFAULT_OVERSIZE_BYTES = 17 * 1024 * 1024;
/** Kinds that make sense on one endpoint only: elsewhere the rule does not match. */
const ONLY_ON: Partial<Record<FaultRule['kind'], SimEndpoint>> = { selector: 'synccheck' };

export interface FaultDecision {
  /** Total delay before handling, ms. */
  readonly delayMs: number;
  /** Sessions to end before handling (a scripted server-side logout). */
  readonly logout: EndRetcode | null;
  readonly outcome: OutcomeFault | null;
}

export const NO_FAULT: FaultDecision = { delayMs: 0, logout: null, outcome: null };

interface RuleState {
  readonly rule: FaultRule;
  readonly rng: Rng;
  matched: number;
  fired: number;
}

export class FaultInjector {
  private states: RuleState[] = [];

  constructor(plan: FaultPlan | undefined, defaultSeed: number) {
    this.setPlan(plan, defaultSeed);
  }

  setPlan(plan: FaultPlan | undefined, defaultSeed: number): void {
    const seed = plan?.seed ?? defaultSeed;
    this.states = (plan?.rules ?? []).map((rule, i) => ({ rule, rng: createRng(seedFrom(seed, `fault:${i}`)), matched: 0, fired: 0 }));
  }

  get active(): boolean {
    return this.states.length > 0;
  }

  /** How many times each rule has fired, in plan order (for tests and `/__sim/faults`). */
  firedCounts(): number[] {
    return this.states.map((s) => s.fired);
  }

  decide(endpoint: SimEndpoint, uin: string | null): FaultDecision {
    if (this.states.length === 0) return NO_FAULT;
    let delayMs = 0;
    let logout: EndRetcode | null = null;
    let outcome: OutcomeFault | null = null;
    for (const state of this.states) {
      const { rule } = state;
      if (rule.endpoint !== '*' && rule.endpoint !== endpoint) continue;
      if (rule.uin !== undefined && rule.uin !== uin) continue;
      const only = ONLY_ON[rule.kind];
      if (only !== undefined && only !== endpoint) continue;
      // Only faults that could apply count as matches, so `after` counts real opportunities.
      const isOutcome = rule.kind !== 'delay' && rule.kind !== 'logout';
      if (isOutcome && outcome !== null) continue;
      state.matched++;
      if (state.matched <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      const p = rule.probability ?? 1;
      // Draw only for real chances so that p = 1 rules leave their generator untouched.
      if (p < 1 && !(state.rng() < p)) continue;
      state.fired++;
      switch (rule.kind) {
        case 'delay':
          delayMs += Math.max(0, rule.delayMs ?? 1000);
          break;
        case 'logout':
          logout = rule.retcode ?? 1101;
          break;
        case 'destroy':
        case 'silence':
        case 'truncate':
        case 'invalidJson':
        case 'emptyKey':
          outcome = { kind: rule.kind };
          break;
        case 'status':
          outcome = { kind: 'status', status: rule.status ?? 500 };
          break;
        case 'ret':
          outcome = { kind: 'ret', ret: rule.ret ?? -1 };
          break;
        case 'oversize':
          outcome = { kind: 'oversize', bytes: rule.bytes ?? DEFAULT_OVERSIZE_BYTES };
          break;
        case 'errorPage':
          outcome = { kind: 'errorPage', status: rule.status ?? 502 };
          break;
        case 'selector':
          outcome = { kind: 'selector', selector: rule.selector ?? 3 };
          break;
      }
    }
    return { delayMs, logout, outcome };
  }
}

const KINDS = new Set(['delay', 'destroy', 'silence', 'status', 'ret', 'truncate', 'invalidJson', 'logout', 'emptyKey', 'oversize', 'errorPage', 'selector']);
/** An oversized answer is built in memory: keep it to what a test needs. */
const MAX_OVERSIZE_BYTES = 64 * 1024 * 1024;

/** Validates a plan that arrived as JSON; returns an error message or null. */
export function checkFaultPlan(value: unknown, endpoints: readonly string[]): string | null {
  if (typeof value !== 'object' || value === null) return 'a fault plan is an object with "rules"';
  const plan = value as { seed?: unknown; rules?: unknown };
  if (plan.seed !== undefined && !Number.isSafeInteger(plan.seed)) return '"seed" must be an integer';
  if (!Array.isArray(plan.rules)) return '"rules" must be an array';
  for (const [i, raw] of plan.rules.entries()) {
    if (typeof raw !== 'object' || raw === null) return `rules[${i}] must be an object`;
    const rule = raw as Record<string, unknown>;
    if (rule['endpoint'] !== '*' && !endpoints.includes(String(rule['endpoint']))) return `rules[${i}].endpoint is unknown`;
    if (!KINDS.has(String(rule['kind']))) return `rules[${i}].kind is unknown`;
    for (const n of ['after', 'times', 'delayMs', 'status', 'ret', 'retcode', 'bytes', 'selector'] as const) {
      if (rule[n] !== undefined && !Number.isSafeInteger(rule[n])) return `rules[${i}].${n} must be an integer`;
    }
    const bytes = rule['bytes'] as number | undefined;
    if (bytes !== undefined && (bytes < 0 || bytes > MAX_OVERSIZE_BYTES)) return `rules[${i}].bytes must be within 0..${MAX_OVERSIZE_BYTES}`;
    const selector = rule['selector'] as number | undefined;
    if (selector !== undefined && (selector < 0 || selector > 99)) return `rules[${i}].selector must be within 0..99`;
    const status = rule['status'] as number | undefined;
    if (status !== undefined && (status < 100 || status > 599)) return `rules[${i}].status must be an HTTP status`;
    const p = rule['probability'];
    if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1)) return `rules[${i}].probability must be within 0..1`;
    const rc = rule['retcode'];
    if (rc !== undefined && rc !== 1100 && rc !== 1101 && rc !== 1102) return `rules[${i}].retcode must be 1100, 1101 or 1102`;
    if (rule['uin'] !== undefined && typeof rule['uin'] !== 'string') return `rules[${i}].uin must be a string`;
  }
  return null;
}

/**
 * The statechart as the console draws it: the Mermaid text generated from the machine definition
 * (src/machines/diagram.ts), in full and in a compact form without edge labels. The full form is
 * about 8500 px wide because of its hundred labels; the compact one keeps every state and every
 * connection (one arrow per pair of states) and fits a screen, so it is the default and the
 * labels are one click away.
 */
import type { AnyStateMachine } from 'xstate';
import { machineToMermaid } from '../machines/diagram.js';

export interface ConsoleDiagram {
  readonly machineId: string;
  readonly full: string;
  readonly compact: string;
}

/** `  a --> b: label` → `  a --> b`; declarations, `[*]` edges and dividers stay as they are. */
export function withoutEdgeLabels(mermaid: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of mermaid.split('\n')) {
    const bare = line.replace(/^(\s*\S+ --> \S+): .*$/, '$1');
    // Several labelled edges between the same two states become one arrow.
    if (bare !== line) {
      if (seen.has(bare)) continue;
      seen.add(bare);
    }
    out.push(bare);
  }
  return out.join('\n');
}

export function consoleDiagram(machine: AnyStateMachine): ConsoleDiagram {
  const full = machineToMermaid(machine);
  return { machineId: machine.id, full, compact: withoutEdgeLabels(full) };
}

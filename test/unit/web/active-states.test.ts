import type { AnyStateNode } from 'xstate';
import { describe, expect, it } from 'vitest';
import { machineToMermaid } from '../../../src/machines/diagram.js';
import { webwxMachine } from '../../../src/machines/webwx.machine.js';
import { activeNodeIds, activeStatePaths, topOf } from '../../../src/web/active-states.js';

/** Every state of the chart as a dotted path below the root. */
function allPaths(node: AnyStateNode, prefix: string[] = []): string[] {
  return Object.values(node.states).flatMap((child) => {
    const path = [...prefix, child.key];
    return [path.join('.'), ...allPaths(child, path)];
  });
}

describe('activeStatePaths', () => {
  it('turns an atomic value into one path', () => {
    expect(activeStatePaths('loggedOut')).toEqual(['loggedOut']);
  });

  it('follows compound values down to the leaf', () => {
    expect(activeStatePaths({ awaitingScan: 'polling' })).toEqual(['awaitingScan.polling']);
  });

  it('lists every region of a parallel state, in order', () => {
    expect(activeStatePaths({ syncing: { loop: 'checking', outbox: 'sending', members: 'idle' } })).toEqual([
      'syncing.loop.checking',
      'syncing.outbox.sending',
      'syncing.members.idle',
    ]);
  });

  it('treats a compound state with an empty value as the leaf, and non-values as nothing', () => {
    expect(activeStatePaths({ boot: {} })).toEqual(['boot']);
    expect(activeStatePaths(null)).toEqual([]);
    expect(activeStatePaths(42)).toEqual([]);
  });
});

describe('activeNodeIds', () => {
  it('names each leaf and its ancestors once, as diagram.ts names nodes', () => {
    const ids = activeNodeIds('webwx', ['syncing.loop.checking', 'syncing.outbox.idle']);
    expect(ids).toEqual(['webwx_syncing', 'webwx_syncing_loop', 'webwx_syncing_loop_checking', 'webwx_syncing_outbox', 'webwx_syncing_outbox_idle']);
  });

  it('gives, for every state of the real machine, ids that the generated Mermaid declares', () => {
    const mermaid = machineToMermaid(webwxMachine);
    const declared = new Set([...mermaid.matchAll(/^\s*state "[^"]*" as (\S+)/gm)].map((m) => m[1]));
    const paths = allPaths(webwxMachine.root);
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) {
      for (const id of activeNodeIds(webwxMachine.id, [path])) expect(declared, `${path} → ${id}`).toContain(id);
    }
  });
});

describe('topOf', () => {
  it('is the first segment of the first path', () => {
    expect(topOf(['syncing.loop.checking', 'syncing.outbox.idle'])).toBe('syncing');
    expect(topOf(['uuid.requesting'])).toBe('uuid');
    expect(topOf([])).toBeNull();
  });
});

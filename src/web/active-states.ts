/**
 * Which states of the statechart are active, in the two forms the console needs: dotted paths
 * for people (`syncing.loop.checking`) and the node ids of the generated diagram
 * (`webwx_syncing_loop_checking`, as src/machines/diagram.ts names them) for the highlight.
 */

/** Every active leaf as a dotted path, in the order the value lists its regions. */
export function activeStatePaths(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const below = activeStatePaths(child);
    if (below.length === 0) out.push(key);
    else for (const path of below) out.push(`${key}.${path}`);
  }
  return out;
}

/** The same rule as diagram.ts's ids: anything but [A-Za-z0-9_] becomes `_`. */
const nodeId = (stateId: string): string => stateId.replace(/[^A-Za-z0-9_]/g, '_');

/**
 * The diagram node ids of every active state: each leaf and all its ancestors (a compound state
 * is active while any child is), without duplicates.
 */
export function activeNodeIds(machineId: string, paths: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const path of paths) {
    const parts = path.split('.');
    for (let depth = 1; depth <= parts.length; depth++) ids.add(nodeId([machineId, ...parts.slice(0, depth)].join('.')));
  }
  return [...ids];
}

/** The top-level state of a set of paths (`syncing` for `syncing.loop.checking`), or null. */
export function topOf(paths: readonly string[]): string | null {
  const first = paths[0];
  return first === undefined ? null : (first.split('.')[0] ?? null);
}

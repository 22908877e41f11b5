/**
 * A Mermaid state diagram generated from a machine definition itself (via xstate/graph), so the
 * picture in docs/ cannot drift from the code: a test regenerates it and compares.
 */
import type { AnyStateMachine } from 'xstate';
import { toDirectedGraph, type DirectedGraphEdge, type DirectedGraphNode } from 'xstate/graph';

const mermaidId = (stateId: string): string => stateId.replace(/[^A-Za-z0-9_]/g, '_');

/** Readable edge labels: `done: pollLogin`, `error: webwxSync`, `after backoff`, `always`. */
export function edgeLabel(edge: DirectedGraphEdge): string {
  const type = edge.transition.eventType;
  let label: string;
  if (type.startsWith('xstate.done.actor.')) label = `done: ${type.slice('xstate.done.actor.'.length)}`;
  else if (type.startsWith('xstate.error.actor.')) label = `error: ${type.slice('xstate.error.actor.'.length)}`;
  else if (type.startsWith('xstate.after.')) label = `after ${type.slice('xstate.after.'.length).split('.')[0] ?? ''}`;
  else if (type === '') label = 'always';
  else label = type;
  const guard = edge.transition.guard as { type?: unknown } | string | undefined;
  const guardName = typeof guard === 'string' ? guard : typeof guard?.type === 'string' ? guard.type : undefined;
  return guardName ? `${label} [${guardName}]` : label;
}

function declare(node: DirectedGraphNode, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const { stateNode } = node;
  const id = mermaidId(stateNode.id);
  if (node.children.length === 0) {
    lines.push(`${pad}state "${stateNode.key}" as ${id}`);
    return;
  }
  lines.push(`${pad}state "${stateNode.key}" as ${id} {`);
  const regions = node.children;
  regions.forEach((child, index) => {
    if (stateNode.type === 'parallel' && index > 0) lines.push(`${pad}  --`);
    if (stateNode.type !== 'parallel') {
      const initial = stateNode.initial?.target?.[0];
      if (index === 0 && initial) lines.push(`${pad}  [*] --> ${mermaidId(initial.id)}`);
    }
    declare(child, depth + 1, lines);
  });
  lines.push(`${pad}}`);
}

function collectEdges(node: DirectedGraphNode, out: DirectedGraphEdge[]): void {
  out.push(...node.edges);
  node.children.forEach((child) => collectEdges(child, out));
}

function collectFinals(node: DirectedGraphNode, out: string[]): void {
  if (node.stateNode.type === 'final' && node.stateNode.parent?.parent === undefined) out.push(mermaidId(node.stateNode.id));
  node.children.forEach((child) => collectFinals(child, out));
}

/** The machine as a Mermaid `stateDiagram-v2`, deterministic for a given definition. */
export function machineToMermaid(machine: AnyStateMachine): string {
  const graph = toDirectedGraph(machine);
  const lines: string[] = ['stateDiagram-v2'];
  const root = graph.stateNode;
  const initial = root.initial?.target?.[0];
  if (initial) lines.push(`  [*] --> ${mermaidId(initial.id)}`);
  graph.children.forEach((child) => declare(child, 1, lines));
  const edges: DirectedGraphEdge[] = [];
  collectEdges(graph, edges);
  const seen = new Set<string>();
  // Transitions of the root apply in every state; they are listed beside the diagram instead.
  for (const edge of edges.filter((e) => e.source !== root)) {
    const line = `  ${mermaidId(edge.source.id)} --> ${mermaidId(edge.target.id)}: ${edgeLabel(edge)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  const finals: string[] = [];
  collectFinals(graph, finals);
  finals.forEach((id) => lines.push(`  ${id} --> [*]`));
  return `${lines.join('\n')}\n`;
}

/** The root's own transitions (they apply in every state), e.g. `LOGOUT → loggingOut`. */
export function globalTransitions(machine: AnyStateMachine): string[] {
  const graph = toDirectedGraph(machine);
  return [...new Set(graph.edges.map((edge) => `${edgeLabel(edge)} → ${edge.target === graph.stateNode ? '(stays, handled by actions)' : edge.target.key}`))];
}

/** docs/machine.md, entirely generated: `npm run docs` writes it, a test keeps it current. */
export function renderMachineDoc(machine: AnyStateMachine): string {
  return [
    `# The \`${machine.id}\` statechart`,
    '',
    '<!-- Generated from src/machines/webwx.machine.ts by `npm run docs`; test/unit/docs fails when it is stale. -->',
    '',
    'Every state and transition of the machine, drawn from the definition itself (`xstate/graph`).',
    'Edge labels: `done: X` / `error: X` are the answer or failure of the invoked service `X`;',
    '`after D` is the named delay `D`; `[guard]` names the guard that chooses the edge.',
    '',
    'In every state:',
    '',
    ...globalTransitions(machine).map((line) => `- ${line}`),
    '',
    '```mermaid',
    machineToMermaid(machine).trimEnd(),
    '```',
    '',
  ].join('\n');
}

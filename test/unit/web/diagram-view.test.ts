import { describe, expect, it } from 'vitest';
import { webwxMachine } from '../../../src/machines/webwx.machine.js';
import { consoleDiagram, withoutEdgeLabels } from '../../../src/web/diagram-view.js';

const edges = (text: string): string[] => [...text.matchAll(/^\s*(\S+) --> ([^\s:]+)/gm)].map((m) => `${m[1]}>${m[2]}`);
const declarations = (text: string): string[] => text.split('\n').filter((line) => /^\s*state "/.test(line));

describe('withoutEdgeLabels', () => {
  it('drops labels, merges repeated arrows and keeps everything else', () => {
    const text = [
      'stateDiagram-v2',
      '  [*] --> a',
      '  state "a" as a',
      '  a --> b: done: x [g]',
      '  a --> b: error: x',
      '  b --> a: after backoff',
      '  --',
      '  b --> [*]',
    ].join('\n');
    expect(withoutEdgeLabels(text)).toBe(['stateDiagram-v2', '  [*] --> a', '  state "a" as a', '  a --> b', '  b --> a', '  --', '  b --> [*]'].join('\n'));
  });
});

describe('consoleDiagram', () => {
  const diagram = consoleDiagram(webwxMachine);

  it('is drawn from the machine: every state declared in both forms', () => {
    expect(diagram.machineId).toBe('webwx');
    expect(declarations(diagram.compact)).toEqual(declarations(diagram.full));
    expect(declarations(diagram.full).length).toBeGreaterThan(40);
  });

  it('keeps every connection of the full diagram in the compact one, once', () => {
    const full = new Set(edges(diagram.full));
    const compact = edges(diagram.compact);
    expect(new Set(compact)).toEqual(full);
    expect(compact.length).toBe(full.size);
    expect(diagram.compact).not.toMatch(/ --> \S+: /);
  });
});

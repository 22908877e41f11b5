import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getStateNodes } from 'xstate/graph';
import { machineToMermaid, renderMachineDoc } from '../../../src/machines/diagram.js';
import { webwxMachine } from '../../../src/machines/webwx.machine.js';

describe('docs/machine.md', () => {
  it('is exactly what the machine definition generates (run `npm run docs` after changing the machine)', () => {
    const onDisk = readFileSync(new URL('../../../docs/machine.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderMachineDoc(webwxMachine));
  });

  it('draws every state node of the machine', () => {
    const diagram = machineToMermaid(webwxMachine);
    const ids = getStateNodes(webwxMachine.root).map((node) => node.id.replace(/[^A-Za-z0-9_]/g, '_'));
    expect(ids.length).toBeGreaterThan(20);
    for (const id of ids) expect(diagram).toContain(` as ${id}`);
  });

  it('draws the login path of the protocol with its guards', () => {
    const diagram = machineToMermaid(webwxMachine);
    expect(diagram).toMatch(/webwx_awaitingScan_polling --> webwx_scanned: done: pollLogin \[\w+\]/);
    expect(diagram).toContain('webwx_loggedOut --> [*]');
  });
});

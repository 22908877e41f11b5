import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assign, createActor, createMachine } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { combineInspection, recordInspection } from '../../../src/inspect/inspector.js';

/** A stand-in machine whose context and events carry credentials the way webwx's do. */
const machine = createMachine({
  types: {} as { context: { credentials: { skey: string; wxsid: string } | null; note: string }; events: { type: 'LOGIN'; skey: string } },
  id: 'stand-in',
  context: { credentials: null, note: 'plain' },
  initial: 'waiting',
  states: {
    waiting: { on: { LOGIN: { target: 'in', actions: assign({ credentials: ({ event }) => ({ skey: event.skey, wxsid: 'SidSecret123' }) }) } } },
    in: {},
  },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'webwx-inspect-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('recordInspection', () => {
  it('writes actor, event and snapshot lines, secrets removed, to a 0600 file', async () => {
    const file = join(dir, 'record.ndjson');
    const sink = recordInspection(file);
    const actor = createActor(machine, { inspect: sink.inspect }).start();
    actor.send({ type: 'LOGIN', skey: '@crypt_SkeySecret456' });
    actor.stop();
    await sink.stop();

    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('SkeySecret456');
    expect(text).not.toContain('SidSecret123');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as { type: string; snapshot?: { value?: unknown; context?: { credentials?: unknown; note?: unknown } } });
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    const last = lines.filter((l) => l.type === '@xstate.snapshot').at(-1)!;
    expect(last.snapshot).toMatchObject({ value: 'in', context: { credentials: '***', note: 'plain' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('ignores events that arrive after it stopped (no write to a closed file)', async () => {
    const file = join(dir, 'late.ndjson');
    const sink = recordInspection(file);
    await sink.stop();
    const actor = createActor(machine, { inspect: sink.inspect }).start();
    actor.send({ type: 'LOGIN', skey: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});

describe('combineInspection', () => {
  it('is null without sinks and fans every event out to each sink', async () => {
    expect(combineInspection([])).toBeNull();
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    const both = combineInspection([recordInspection(a), recordInspection(b)])!;
    createActor(machine, { inspect: both.inspect }).start().send({ type: 'LOGIN', skey: 'k' });
    await both.stop();
    expect(readFileSync(a, 'utf8').length).toBeGreaterThan(0);
    expect(readFileSync(a, 'utf8').split('\n').length).toBe(readFileSync(b, 'utf8').split('\n').length);
  });
});

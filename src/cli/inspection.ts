import type { Writable } from 'node:stream';
import { combineInspection, recordInspection, startLiveInspector, type InspectionSink } from '../inspect/inspector.js';
import { parsePort } from './args.js';

/** Sets up `--inspect[=PORT]` and `--record FILE`; tells the user where to look. */
export async function setupInspection(
  inspect: string | undefined,
  record: string | undefined,
  human: Writable,
): Promise<InspectionSink | null> {
  const sinks: InspectionSink[] = [];
  if (record !== undefined) sinks.push(recordInspection(record));
  const port = parsePort(inspect, '--inspect');
  if (port !== undefined) {
    const live = await startLiveInspector(port);
    human.write(`Inspector: open ${live.url} to watch the machine in the Stately inspector (secrets removed).\n`);
    sinks.push(live);
  }
  return combineInspection(sinks);
}

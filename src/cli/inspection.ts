import type { Writable } from 'node:stream';
import { combineInspection, recordInspection, startLiveInspector, type InspectionSink, type LiveInspector } from '../inspect/inspector.js';
import { DEFAULT_INSPECT_PORT, parsePort, UsageError } from './args.js';

const errorCode = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
};

/** A bare `--inspect` takes the Stately default port, or any free one when that is busy. */
async function startInspector(flag: string): Promise<LiveInspector> {
  if (flag === '') {
    try {
      return await startLiveInspector(DEFAULT_INSPECT_PORT);
    } catch {
      return await startLiveInspector(0);
    }
  }
  const port = parsePort(flag, '--inspect')!;
  try {
    return await startLiveInspector(port);
  } catch (err) {
    throw new UsageError(`--inspect: cannot listen on port ${port} (${errorCode(err)})`);
  }
}

function startRecording(file: string): InspectionSink {
  try {
    return recordInspection(file);
  } catch (err) {
    throw new UsageError(`--record: cannot write ${file} (${errorCode(err)})`);
  }
}

/** Sets up `--inspect[=PORT]` and `--record FILE`; tells the user where to look. */
export async function setupInspection(
  inspect: string | undefined,
  record: string | undefined,
  human: Writable,
): Promise<InspectionSink | null> {
  if (inspect !== undefined && inspect !== '') parsePort(inspect, '--inspect');
  const sinks: InspectionSink[] = [];
  if (record !== undefined) sinks.push(startRecording(record));
  if (inspect !== undefined) {
    try {
      const live = await startInspector(inspect);
      human.write(
        `Inspector: open ${live.url} to watch the machine in the Stately inspector (secrets removed; events also on ${live.wsUrl}).\n`,
      );
      sinks.push(live);
    } catch (err) {
      await Promise.all(sinks.map((sink) => sink.stop()));
      throw err;
    }
  }
  return combineInspection(sinks);
}

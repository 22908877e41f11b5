import { runSimulatorCli } from '../../simulator/main.js';
import type { CliStreams } from '../run-client.js';

/** `webwx simulator`: the protocol simulator as a standalone server (its flags are its own). */
export function simulatorCommand(argv: readonly string[], streams: CliStreams): Promise<number> {
  return runSimulatorCli(argv, { stdout: streams.stdout, stderr: streams.stderr });
}

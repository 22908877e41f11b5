/**
 * Child process of the crash test: saves two large sessions in turn, forever, until killed.
 * Prints `saved` once the first save is complete.
 */
import { fileSessionStore } from '../../../src/session/file.js';
import { sampleSession } from './sample.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: save-loop.ts <path>');
const store = fileSessionStore(path);
const sessions = [sampleSession(1, 20_000), sampleSession(2, 20_000)];
for (let i = 0; ; i += 1) {
  await store.save(sessions[i % 2]!);
  if (i === 0) process.stdout.write('saved\n');
}

/**
 * Whether V8 keeps an object with fast properties (hidden class) rather than as a hash table.
 * Memory per idle session is a benchmarked goal, and a per-object hash table costs ~0.5–0.8 KiB;
 * the shapes that cause one are easy to reintroduce without noticing, so tests pin them.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--allow-natives-syntax');
const probe = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

export function hasFastProperties(o: object): boolean {
  return probe(o);
}

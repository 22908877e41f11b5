/**
 * A fast path for io-ts decoding of parsed JSON.
 *
 * io-ts's `decode` builds a context entry and an Either for every value it visits; for a
 * 10,000-contact webwxgetcontact answer that costs about as much as JSON.parse itself. For the
 * codecs of this protocol (plain records, partials, intersections, arrays, unions, literals,
 * strings, numbers and branded refinements) a successful decode returns its input unchanged, so a
 * plain predicate with the same meaning can stand in for it: when the predicate holds, the input
 * *is* the decoded value. When it does not, the caller runs io-ts, which reports the exact path
 * and reason. Correctness therefore rests only on `guard(x) ⇒ codec.decode(x) succeeds with x`;
 * test/property/codecs/guard.property.test.ts checks that and the converse.
 */
import type * as t from 'io-ts';

export type Guard = (u: unknown) => boolean;

/** The io-ts classes this compiler understands, by their `_tag`. */
interface Tagged {
  readonly _tag?: string;
}
interface RefinementLike extends Tagged {
  readonly type: t.Mixed;
  readonly predicate: (u: unknown) => boolean;
}
interface PropsLike extends Tagged {
  readonly props: Readonly<Record<string, t.Mixed>>;
}
interface TypesLike extends Tagged {
  readonly types: readonly t.Mixed[];
}
interface ArrayLike extends Tagged {
  readonly type: t.Mixed;
}
interface LiteralLike extends Tagged {
  readonly value: unknown;
}

// The same test as io-ts's UnknownRecord.
const isRecord = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);

function propsGuard(props: Readonly<Record<string, t.Mixed>>, optional: boolean): Guard | null {
  const keys = Object.keys(props);
  const guards: Guard[] = [];
  for (const key of keys) {
    const g = compile(props[key]!);
    if (g === null) return null;
    // io-ts gives back a *new* object when a required key is absent but its codec accepts
    // undefined; the identity shortcut would then differ, so such codecs are not compiled.
    if (!optional && g(undefined)) return null;
    guards.push(g);
  }
  const n = keys.length;
  if (optional) {
    return (u) => {
      if (!isRecord(u)) return false;
      for (let i = 0; i < n; i++) {
        const v = u[keys[i]!];
        if (v !== undefined && !guards[i]!(v)) return false;
      }
      return true;
    };
  }
  return (u) => {
    if (!isRecord(u)) return false;
    for (let i = 0; i < n; i++) if (!guards[i]!(u[keys[i]!])) return false;
    return true;
  };
}

function allOf(guards: readonly Guard[]): Guard {
  const n = guards.length;
  return (u) => {
    for (let i = 0; i < n; i++) if (!guards[i]!(u)) return false;
    return true;
  };
}

function anyOf(guards: readonly Guard[]): Guard {
  const n = guards.length;
  return (u) => {
    for (let i = 0; i < n; i++) if (guards[i]!(u)) return true;
    return false;
  };
}

function compileAll(types: readonly t.Mixed[]): Guard[] | null {
  const out: Guard[] = [];
  for (const type of types) {
    const g = compile(type);
    if (g === null) return null;
    out.push(g);
  }
  return out;
}

function compileArray(item: t.Mixed): Guard | null {
  const g = compile(item);
  if (g === null) return null;
  return (u) => {
    if (!Array.isArray(u)) return false;
    for (let i = 0; i < u.length; i++) if (!g(u[i])) return false;
    return true;
  };
}

function compileRefinement(codec: RefinementLike): Guard | null {
  const inner = compile(codec.type);
  if (inner === null) return null;
  const predicate = codec.predicate;
  return (u) => inner(u) && predicate(u);
}

/** A predicate equivalent to decoding with `codec`, or null when the codec is outside the subset. */
function compile(codec: t.Mixed): Guard | null {
  const tag = (codec as Tagged)._tag;
  switch (tag) {
    case 'StringType':
      return (u) => typeof u === 'string';
    case 'NumberType':
      return (u) => typeof u === 'number';
    case 'BooleanType':
      return (u) => typeof u === 'boolean';
    case 'UnknownType':
      return () => true;
    case 'AnyArrayType':
      return (u) => Array.isArray(u);
    case 'AnyDictionaryType':
      return isRecord;
    case 'LiteralType': {
      const value = (codec as unknown as LiteralLike).value;
      return (u) => u === value;
    }
    case 'RefinementType':
      return compileRefinement(codec as unknown as RefinementLike);
    case 'InterfaceType':
      return propsGuard((codec as unknown as PropsLike).props, false);
    case 'PartialType':
      return propsGuard((codec as unknown as PropsLike).props, true);
    case 'IntersectionType': {
      const guards = compileAll((codec as unknown as TypesLike).types);
      return guards === null ? null : allOf(guards);
    }
    case 'UnionType': {
      const guards = compileAll((codec as unknown as TypesLike).types);
      return guards === null ? null : anyOf(guards);
    }
    case 'ArrayType':
      return compileArray((codec as unknown as ArrayLike).type);
    default:
      return null;
  }
}

const cache = new WeakMap<object, Guard | null>();

/**
 * The fast predicate for a codec (compiled once and cached), or null when the codec uses
 * something outside the supported subset (then only io-ts may decode it).
 */
export function guardOf(codec: t.Mixed): Guard | null {
  if (cache.has(codec)) return cache.get(codec) ?? null;
  const guard = compile(codec);
  cache.set(codec, guard);
  return guard;
}

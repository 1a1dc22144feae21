/**
 * Whether two JSON-like values mean the same JSON: object key order does not matter and a key whose value is
 * `undefined` counts as absent (as in `canonicalJson` of src/config/config-hash.ts), without serialising
 * either side.
 *
 * WHY: every evaluation compares its new state with the stored one, a thousand times a second; serialising the
 * state for that was a string of a kilobyte or two per evaluation, compared and thrown away.
 *
 * Conservative: a value JSON cannot carry (a non-finite number, a function, a symbol, a bigint) is never equal
 * to anything, so a caller that skips a write on `true` never skips one it needed.
 */
export function jsonEqual(a: unknown, b: unknown, ignoreKey?: string): boolean {
  if (typeof a === 'number') return Number.isFinite(a) && a === b;
  if (a === null || typeof a === 'string' || typeof a === 'boolean') return a === b;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    // JSON writes an undefined array item as null.
    for (let index = 0; index < a.length; index += 1) {
      if (!jsonEqual(a[index] ?? null, b[index] ?? null)) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  return sameObject(a as Record<string, unknown>, b as Record<string, unknown>, ignoreKey);
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function sameObject(a: Record<string, unknown>, b: Record<string, unknown>, ignoreKey?: string): boolean {
  let keysOfA = 0;
  for (const key in a) {
    if (key === ignoreKey || !hasOwn(a, key) || a[key] === undefined) continue;
    keysOfA += 1;
    if (!hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
  }
  let keysOfB = 0;
  for (const key in b) {
    if (key !== ignoreKey && hasOwn(b, key) && b[key] !== undefined) keysOfB += 1;
  }
  return keysOfA === keysOfB;
}

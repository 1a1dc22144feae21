/**
 * A Redis hash carried as ONE string: a read script returns `cjson.encode` of the hash's HGETALL (a flat JSON
 * array `[field, value, field, value, ...]`) instead of a reply of 2n strings.
 *
 * WHY: the evaluator reads the same hashes (a service's opinions, the heartbeats) about a thousand times a
 * second, and they rarely change between two reads. Decoding a reply string by string was the largest share of
 * the evaluator's own CPU; one string is decoded at once, and the reader can compare it with the text it parsed
 * last time and reuse that parse. The values are exactly the hash's: JSON carries any field or value.
 */

/** Lua: `hashText(key)` returns the hash as that JSON text (`[]` for a missing or empty hash). */
export const LUA_HASH_TEXT = `
local function hashText(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return '[]' end
  return cjson.encode(flat)
end
`;

/** The script's text back into `[field, value]` pairs, in the hash's order. */
export function decodeHashText(key: string, text: unknown): Array<[field: string, value: string]> {
  // Written by our own script, so anything else is a bug or a foreign script of the same name: say so plainly.
  const fail = (problem: string): never => {
    throw new Error(`reading ${key}: the read script returned ${problem}`);
  };
  if (typeof text !== 'string') {
    return fail(
      `${text === null || text === undefined ? 'nothing' : `a ${typeof text}`} instead of the hash's JSON text`,
    );
  }
  let flat: unknown;
  try {
    flat = JSON.parse(text);
  } catch {
    return fail(`text that is not JSON: ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (!Array.isArray(flat) || flat.length % 2 !== 0)
    return fail('JSON that is not a [field, value, ...] array');
  const pairs: Array<[string, string]> = [];
  for (let index = 0; index < flat.length; index += 2) {
    const field: unknown = flat[index];
    const value: unknown = flat[index + 1];
    if (typeof field !== 'string' || typeof value !== 'string')
      return fail('a field or value that is not a string');
    pairs.push([field, value]);
  }
  return pairs;
}

/**
 * A minimal JSON path for health-check bodies: `$`, `.name`, `[0]` and `['name']` / `["name"]`.
 *
 * WHY not a JSONPath library: a health check needs to point at one value (`$.status`, `$.checks[0].state`),
 * never to filter or wildcard; a tiny grammar is easy to validate at config-load time and cannot surprise.
 */

export type JsonPathSegment = { kind: 'property'; name: string } | { kind: 'index'; index: number };

/** The path is not in the supported grammar. `position` is the 0-based offset of the first bad character. */
export class JsonPathSyntaxError extends Error {
  readonly code = 'QDNS_JSON_PATH_SYNTAX';

  constructor(
    readonly path: string,
    readonly position: number,
    reason: string,
  ) {
    super(`invalid JSON path ${JSON.stringify(path)} at ${position}: ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

const DOT_NAME = /^[^.[\]\s'"]+/;
const INDEX = /^\[(\d+)\]/;
const QUOTED = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

/** Parses `$.a.b[0].c`; throws `JsonPathSyntaxError`. Use it at config-load time to reject bad paths early. */
export function parseJsonPath(path: string): JsonPathSegment[] {
  if (!path.startsWith('$')) throw new JsonPathSyntaxError(path, 0, 'must start with "$"');
  const segments: JsonPathSegment[] = [];
  let position = 1;
  while (position < path.length) {
    const rest = path.slice(position);
    if (rest.startsWith('.')) {
      const name = DOT_NAME.exec(rest.slice(1));
      if (name === null)
        throw new JsonPathSyntaxError(path, position + 1, 'expected a property name after "."');
      segments.push({ kind: 'property', name: name[0] });
      position += 1 + name[0].length;
      continue;
    }
    const index = INDEX.exec(rest);
    if (index !== null) {
      segments.push({ kind: 'index', index: Number(index[1]) });
      position += index[0].length;
      continue;
    }
    const quoted = QUOTED.exec(rest);
    if (quoted !== null) {
      const raw = quoted[1] ?? quoted[2] ?? '';
      segments.push({ kind: 'property', name: raw.replace(/\\(.)/g, '$1') });
      position += quoted[0].length;
      continue;
    }
    throw new JsonPathSyntaxError(path, position, 'expected ".name", "[index]" or "[\'name\']"');
  }
  return segments;
}

export type JsonPathLookup = { found: true; value: unknown } | { found: false };

/** Follows the segments into a parsed JSON document; a missing key, index or a wrong container is "not found". */
export function evaluateJsonPath(document: unknown, segments: readonly JsonPathSegment[]): JsonPathLookup {
  let current: unknown = document;
  for (const segment of segments) {
    if (segment.kind === 'index') {
      if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
      current = current[segment.index];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, segment.name)) return { found: false };
      current = (current as Record<string, unknown>)[segment.name];
    }
  }
  return { found: true, value: current };
}

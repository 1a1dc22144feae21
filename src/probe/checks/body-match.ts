import type { BodyMatch } from '../../config/types';
import { failed, PASSED, quoteForDetail, type CheckVerdict } from './check-outcome';
import { evaluateJsonPath, parseJsonPath, type JsonPathSegment } from './json-path';

/**
 * At most this much of a body is read. A health endpoint that needs more to say "ok" is not a health endpoint,
 * and a probe that downloads whatever a broken server streams would stall every other check of the worker.
 */
export const BODY_READ_LIMIT_BYTES = 64 * 1024;

// Patterns and paths come from the config: compile each once, not once per check (thousands per second).
const MAX_CACHED = 1000;
const regexCache = new Map<string, RegExp | string>();
const jsonPathCache = new Map<string, JsonPathSegment[] | string>();

function cached<T>(cache: Map<string, T | string>, key: string, build: () => T): T | string {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let value: T | string;
  try {
    value = build();
  } catch (error) {
    value = error instanceof Error ? error.message : String(error);
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
  return value;
}

function compileRegex(pattern: string): RegExp | string {
  return cached(regexCache, pattern, () => new RegExp(pattern));
}

function compileJsonPath(path: string): JsonPathSegment[] | string {
  return cached(jsonPathCache, path, () => parseJsonPath(path));
}

/**
 * Judges a body (already cut to `BODY_READ_LIMIT_BYTES`) against the check's expectation.
 * @param truncated - the body was longer than the limit; details say so, because the match only saw its start.
 */
export function matchBody(body: string, match: BodyMatch, truncated: boolean): CheckVerdict {
  const within = truncated ? ' (first 64 KiB)' : '';
  switch (match.kind) {
    case 'contains':
      return body.includes(match.text)
        ? PASSED
        : failed('body', `body lacks ${quoteForDetail(match.text)}${within}`);
    case 'regex': {
      const regex = compileRegex(match.pattern);
      if (typeof regex === 'string') return failed('body', `invalid body regex: ${regex}`);
      return regex.test(body) ? PASSED : failed('body', `body does not match /${match.pattern}/${within}`);
    }
    case 'jsonPath':
      return matchJsonPath(body, match.path, match.equals, within);
  }
}

function matchJsonPath(
  body: string,
  path: string,
  expected: string | number | boolean | null,
  within: string,
): CheckVerdict {
  const segments = compileJsonPath(path);
  if (typeof segments === 'string') return failed('body', segments);
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return failed('body', `body is not JSON${within}`);
  }
  const lookup = evaluateJsonPath(document, segments);
  if (!lookup.found) return failed('body', `${path} is missing, expected ${quoteForDetail(expected)}`);
  // Strict equality: `equals: 1` in YAML is a number and `equals: "1"` a string; they mean different answers.
  if (lookup.value === expected) return PASSED;
  return failed('body', `${path} is ${quoteForDetail(lookup.value)}, expected ${quoteForDetail(expected)}`);
}

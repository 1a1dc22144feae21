/**
 * zod issues -> Problems a person understands, each at the YAML node it is about.
 *
 * Schema-specific messages (durations, secrets, unions) are written next to the schemas; this
 * module supplies the generic ones (missing fields, wrong types, unknown fields with a
 * "did you mean") and turns each issue's path into a position.
 */
import { z } from 'zod';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';
import type { Problem } from './problem';
import { below, type Origin, problemAt, valueAt } from './yaml-source';

// Markers returned by the parse-level error map so the mapper can tell zod's stock text from ours.
const GENERIC = '\u0000generic';
const UNKNOWN_KEYS = '\u0000known-keys:';

/**
 * Parse-level error map. It only runs when the schema has no message of its own. For unknown
 * fields it records the fields the object does know (from the schema instance that raised the
 * issue), which the final issue no longer carries, so the mapper can suggest the closest one.
 */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
    return UNKNOWN_KEYS + JSON.stringify(Object.keys(issue.inst.shape));
  }
  return GENERIC;
};

export type ParseOutcome<T> =
  | { ok: true; value: T; problems: Problem[]; issues: [] }
  | { ok: false; problems: Problem[]; issues: z.core.$ZodIssue[] };

/**
 * Validates the value at `origin` against a schema and reports every issue at its YAML position.
 * `ok` is true only when there is no issue at all.
 */
export function parseAt<S extends z.ZodType>(
  schema: S,
  data: unknown,
  origin: Origin,
): ParseOutcome<z.output<S>> {
  const result = schema.safeParse(data, { error: errorMap });
  if (result.success) return { ok: true, value: result.data, problems: [], issues: [] };
  const issues = result.error.issues;
  return { ok: false, problems: issues.flatMap((issue) => issueToProblems(issue, data, origin)), issues };
}

export function issueToProblems(issue: z.core.$ZodIssue, data: unknown, origin: Origin): Problem[] {
  const at = below(
    origin,
    ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
  );
  const value = valueAt(data, at.path.slice(origin.path.length));

  if (issue.code === 'unrecognized_keys') {
    const known = issue.message.startsWith(UNKNOWN_KEYS)
      ? (JSON.parse(issue.message.slice(UNKNOWN_KEYS.length)) as string[])
      : [];
    return issue.keys.map((key) =>
      problemAt(below(at, key), `unknown field "${key}"${didYouMean(key, known)}`, { anchor: 'key' }),
    );
  }

  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator !== undefined) {
    const options = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).map(String);
    const field = issue.discriminator;
    if (value === undefined) {
      return [problemAt(at, `missing required field "${field}" (one of ${options.join(', ')})`)];
    }
    const suggestion = typeof value === 'string' ? didYouMean(value, options) : '';
    return [
      problemAt(
        at,
        `unknown ${field} ${describeValue(value)}${suggestion}; expected one of ${options.join(', ')}`,
      ),
    ];
  }

  if (issue.code === 'invalid_key') {
    const key = at.path[at.path.length - 1];
    const inner = issue.issues[0]?.message;
    const reason = inner === undefined || inner === GENERIC ? 'not allowed here' : inner;
    return [problemAt(at, `invalid key ${describeValue(key)}: ${reason}`, { anchor: 'key' })];
  }

  // A field that is not there at all, whatever the schema expected of it.
  if (issue.code === 'invalid_type' && value === undefined && issue.path.length > 0) {
    const parent = valueAt(data, at.path.slice(origin.path.length, -1));
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
      return [problemAt(at, `missing required field "${String(at.path[at.path.length - 1])}"`)];
    }
  }

  const message = issue.message === GENERIC ? genericMessage(issue, value) : issue.message;
  return [problemAt(at, message)];
}

const EXPECTED_TEXT: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  null: 'nothing (null)',
};

function genericMessage(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${EXPECTED_TEXT[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      return values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}, got ${describeValue(value)}`
        : `expected one of ${values.join(', ')}; got ${describeValue(value)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)} entries`;
      return `must be at least ${String(issue.minimum)}, got ${describeValue(value)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters long`;
      if (issue.origin === 'array') return `must list at most ${String(issue.maximum)} entries`;
      return `must be at most ${String(issue.maximum)}, got ${describeValue(value)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'a value of the documented form' : `a valid ${issue.format}`}, got ${describeValue(value)}`;
    case 'invalid_union':
      return `got ${describeValue(value)}, which matches none of the allowed forms`;
    default:
      return `invalid value ${describeValue(value)}`;
  }
}

/**
 * Shapes of the evaluator's values in Redis, checked on every read: Redis is shared and may hold values
 * written by hand, by an older version or by a bug, and a malformed value must become a clear error naming
 * the key and field, never a TypeError deep inside the decision core.
 *
 * Objects are "loose" (unknown keys kept) so a record written by a newer quorumdns survives a round trip
 * through an older one.
 */
import { z } from 'zod';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const epochMs = z.number().int().nonnegative();
const verdict = z.enum(['up', 'down', 'unknown']);
const severity = z.enum(['info', 'warning', 'critical']);

const poolAnswer = z.looseObject({
  pool: z.string(),
  weight: finite,
  endpoints: z.array(z.string()),
});
const decision = z.looseObject({ pools: z.array(poolAnswer) });

const poolState = z.looseObject({
  verdict,
  eligible: z.boolean(),
  forced: z.enum(['in', 'out']).optional(),
  upSince: epochMs.optional(),
  drainedAt: epochMs.optional(),
  restoredAt: epochMs.optional(),
  failbackAfter: z.number().int().nonnegative(),
});

export const serviceStateSchema = z.looseObject({
  endpoints: z.record(z.string(), verdict),
  pools: z.record(z.string(), poolState),
  decision,
  lastGoodDecision: decision,
  failOpen: z.boolean(),
  suspectRegions: z.array(z.string()),
  staleRegions: z.array(z.string()),
  held: z.record(z.string(), z.array(z.string())),
  activeOverrides: z.array(z.string()),
  withheldDecision: decision.optional(),
  evaluatedAt: epochMs,
});

/**
 * The explanation is for people (status, notifications); only its skeleton is checked, which is what the
 * readers index into.
 */
export const explanationSchema = z.looseObject({
  service: z.string(),
  evaluatedAt: epochMs,
  regions: z.array(z.looseObject({ region: z.string(), status: z.string() })),
  endpoints: z.array(z.looseObject({ endpoint: z.string(), pool: z.string(), verdict })),
  pools: z.array(z.looseObject({ pool: z.string(), verdict, status: z.string(), line: z.string() })),
  lines: z.array(z.string()),
  rules: z.array(z.string()),
});

/**
 * The small fields of `ServiceRecord`, as stored in the `record` field. State and explanation have fields of
 * their own (see state-store.ts).
 */
export const storedRecordSchema = z.looseObject({
  generation: z.number().int().nonnegative(),
  decidedAt: epochMs,
  evaluatedAt: epochMs,
  configHash: z.string(),
  evaluatedBy: z.string(),
});

const overrideCommon = {
  id: z.string().min(1),
  by: z.string(),
  reason: z.string(),
  createdAt: epochMs,
  expiresAt: epochMs.optional(),
};

export const overrideSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('freeze'), ...overrideCommon }),
  z.looseObject({
    kind: z.literal('force-pool'),
    pool: z.string().min(1),
    direction: z.enum(['in', 'out']),
    ...overrideCommon,
  }),
]);

export const storedEventSchema = z.looseObject({
  kind: z.string().min(1),
  severity,
  service: z.string().min(1),
  pool: z.string().optional(),
  endpoint: z.string().optional(),
  region: z.string().optional(),
  rule: z.string().optional(),
  override: z.string().optional(),
  message: z.string(),
  at: epochMs,
  generation: z.number().int().nonnegative(),
  drill: z.boolean().optional(),
  by: z.string().optional(),
  reason: z.string().optional(),
  explanation: z.array(z.string()).optional(),
});

/** The first problem of a failed parse as `path: message` (the path is the field inside the JSON). */
export function describeIssue(error: z.ZodError, root: string): { field: string; problem: string } {
  const issue = error.issues[0];
  if (issue === undefined) return { field: root, problem: 'invalid value' };
  const path = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('');
  return { field: `${root}${path}`, problem: issue.message };
}

/**
 * Parses JSON text and checks it against `schema`; on failure calls `fail(field, problem)`, which throws
 * the store's typed error.
 */
export function parseStoredJson<T>(
  text: string,
  schema: z.ZodType<T>,
  root: string,
  fail: (field: string, problem: string) => never,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return fail(root, `not valid JSON (${why}); starts with ${JSON.stringify(text.slice(0, 40))}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const { field, problem } = describeIssue(result.error, root);
    return fail(field, problem);
  }
  return result.data;
}

/**
 * Everything one evaluation of one service reads from Redis, in ONE round trip (five commands sent together,
 * not awaited one by one): the Redis clock, the service's opinions, the heartbeats, the evaluator's record and
 * the overrides. Flip-to-decision latency is dominated by round trips, so this is the only read of an
 * evaluation.
 */
import type { Redis } from 'ioredis';
import { type DrillOverlay, parseDrillOverlay } from '../drill/drill-overlay';
import { parseOpinionField, type RedisKeyLayout } from '../redis/keys';
import type { HeartbeatAges, OpinionMatrix, Override } from '../quorum/types';
import { parseOverrideHash } from './override-store';
import {
  EVALUATION_FIELDS,
  type EvaluationRecord,
  type ParsedState,
  parseEvaluationFields,
} from './state-store';

export interface EvaluationInputs {
  /** Redis server time, epoch ms. */
  now: number;
  opinions: OpinionMatrix;
  heartbeatAges: HeartbeatAges;
  previous: EvaluationRecord | undefined;
  /** Stored overrides, recently expired ones included (the core reports their expiry). */
  overrides: Override[];
  /** The service's drill overlay when one is stored (active or not: compare `endsAt` with `now`). */
  drill: DrillOverlay | undefined;
  /**
   * Values written by the probe side that could not be read (they count as unknown / no heartbeat, which
   * changes nothing): `key field: problem`, for a log line and a metric.
   */
  skipped: string[];
}

const OPINIONS = new Set(['up', 'down', 'unknown']);

/**
 * Parsed opinion fields. The same few fields come back on every evaluation of every service, so splitting
 * each again is wasted garbage; bounded so a key space full of junk cannot grow it without end.
 */
const parsedFields = new Map<string, { endpoint: string; region: string } | undefined>();
const PARSED_FIELDS_LIMIT = 200_000;

function parseFieldCached(field: string): { endpoint: string; region: string } | undefined {
  if (parsedFields.has(field)) return parsedFields.get(field);
  const parsed = parseOpinionField(field);
  if (parsedFields.size >= PARSED_FIELDS_LIMIT) parsedFields.clear();
  parsedFields.set(field, parsed);
  return parsed;
}

/** `reuse`: what the previous evaluation of this service parsed; reused where the stored text has not changed. */
export async function readEvaluationInputs(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
  reuse?: ParsedState,
): Promise<EvaluationInputs> {
  const serviceKeys = keys.service(service);
  // Sent as separate commands in the same event-loop turn rather than as an explicit pipeline: the evaluator's
  // connection auto-pipelines, so they still leave in one write (one round trip), and that write also carries
  // the commands of the other evaluations in flight instead of costing a syscall of its own.
  const [time, opinions, heartbeats, stateFields, overrides, drill] = await Promise.all([
    redis.time(),
    redis.hgetall(serviceKeys.opinions),
    redis.hgetall(keys.heartbeats),
    redis.hmget(serviceKeys.state, ...EVALUATION_FIELDS),
    redis.hgetall(serviceKeys.overrides),
    // A key of the wrong type must not fail the evaluation: the drill only tags events.
    redis.get(serviceKeys.drill).catch((error: unknown) => new DrillReadProblem(error)),
  ]);
  const [seconds, micros] = time as [string | number, string | number];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const skipped: string[] = [];
  return {
    now,
    opinions: parseOpinions(serviceKeys.opinions, opinions, skipped),
    heartbeatAges: parseHeartbeatAges(keys.heartbeats, heartbeats, now, skipped),
    previous: parseEvaluationFields(serviceKeys.state, stateFields, reuse),
    overrides: parseOverrideHash(serviceKeys.overrides, overrides),
    drill: parseDrill(serviceKeys.drill, drill, skipped),
    skipped,
  };
}

class DrillReadProblem {
  constructor(readonly error: unknown) {}
}

/** The stored overlay, or `undefined` (none, or unreadable: then said in `skipped`, and events are not tagged). */
function parseDrill(
  key: string,
  value: string | null | DrillReadProblem,
  skipped: string[],
): DrillOverlay | undefined {
  if (value === null) return undefined;
  if (value instanceof DrillReadProblem) {
    const why = value.error instanceof Error ? value.error.message : String(value.error);
    skipped.push(`${key}: drill overlay cannot be read: ${why}`);
    return undefined;
  }
  const parsed = parseDrillOverlay(key, value);
  if (!parsed.ok) {
    skipped.push(parsed.problem);
    return undefined;
  }
  return parsed.overlay;
}

/**
 * Opinions hash -> matrix. A field or value the probe recorder would never write is skipped (= unknown,
 * which changes nothing) rather than failing the whole service: one damaged field must not stop a failover.
 */
export function parseOpinions(key: string, hash: Record<string, string>, skipped: string[]): OpinionMatrix {
  const matrix: OpinionMatrix = {};
  for (const [field, opinion] of Object.entries(hash)) {
    const parsed = parseFieldCached(field);
    if (parsed === undefined) {
      skipped.push(`${key} ${JSON.stringify(field)}: not <endpoint>\\t<region>`);
      continue;
    }
    if (!OPINIONS.has(opinion)) {
      skipped.push(
        `${key} ${JSON.stringify(field)}: opinion ${JSON.stringify(opinion)} is not up/down/unknown`,
      );
      continue;
    }
    (matrix[parsed.endpoint] ??= {})[parsed.region] = opinion as 'up' | 'down' | 'unknown';
  }
  return matrix;
}

/** Heartbeats hash (region -> JSON HeartbeatRecord) -> age of each region's freshest beat on the Redis clock. */
export function parseHeartbeatAges(
  key: string,
  hash: Record<string, string>,
  now: number,
  skipped: string[],
): HeartbeatAges {
  const ages: HeartbeatAges = {};
  for (const [region, text] of Object.entries(hash)) {
    let time: unknown;
    try {
      time = (JSON.parse(text) as { time?: unknown } | null)?.time;
    } catch {
      time = undefined;
    }
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      // A region whose heartbeat cannot be read counts as stale: ignored, never counted as down.
      skipped.push(`${key} ${region}: heartbeat has no numeric "time"`);
      continue;
    }
    ages[region] = Math.max(0, now - time);
  }
  return ages;
}

/**
 * Everything one evaluation of one service reads from Redis, in ONE round trip (two scripts sent together, not
 * awaited one by one): the Redis clock, the service's opinions, its evaluator record, overrides and drill overlay
 * (one script: those keys share the service's hash tag), and the heartbeats (another: their key is in another
 * Redis Cluster slot). Flip-to-decision latency is dominated by round trips, so this is the only read of an
 * evaluation.
 *
 * Hashes come back as one JSON text each (hash-text.ts), and what was parsed from a text is reused while the
 * text is the same: in steady state nothing that was read changes from one tick to the next except the clock
 * and the heartbeats' times, so a tick decodes a dozen strings and parses nothing but the heartbeats, once per
 * change for all services.
 */
import type { Redis } from 'ioredis';
import { type DrillOverlay, parseDrillOverlay } from '../drill/drill-overlay';
import { parseOpinionField, type RedisKeyLayout } from '../redis/keys';
import type { HeartbeatAges, OpinionMatrix, Override } from '../quorum/types';
import { decodeHashText, LUA_HASH_TEXT } from './hash-text';
import { LuaScript } from './lua-script';
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
  /** Shared with other evaluations of the service while the stored opinions stay the same: never mutate it. */
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

/**
 * What earlier reads of one service parsed, each with the exact text it came from: reused while the stored
 * text is the same. One per service; the read fills it in.
 */
export interface ParsedInputs extends ParsedState {
  opinions?: { text: string; matrix: OpinionMatrix; skipped: string[] };
}

/**
 * KEYS[1] opinions, KEYS[2] state, KEYS[3] overrides, KEYS[4] drill (one hash tag).
 * Returns {seconds, micros, opinions text, overrides text, drill value | nil, drill read error | nil,
 * then the state fields of EVALUATION_FIELDS (nil when absent), in that order}.
 */
const READ_SERVICE = new LuaScript(
  'quorumdns-read-service',
  `${LUA_HASH_TEXT}
local time = redis.call('TIME')
local reply = {time[1], time[2], hashText(KEYS[1]), hashText(KEYS[3])}
-- A drill key of the wrong type must not fail the evaluation (the overlay only tags events): report it.
local drill = redis.pcall('GET', KEYS[4])
if type(drill) == 'table' and drill.err then
  reply[5] = false
  reply[6] = drill.err
else
  reply[5] = drill
  reply[6] = false
end
local fields = redis.call('HMGET', KEYS[2], ${EVALUATION_FIELDS.map((field) => `'${field}'`).join(', ')})
for i = 1, ${EVALUATION_FIELDS.length} do reply[6 + i] = fields[i] end
return reply
`,
  4,
);

/** KEYS[1] the heartbeats hash. Returns its JSON text. */
const READ_HEARTBEATS = new LuaScript(
  'quorumdns-read-heartbeats',
  `${LUA_HASH_TEXT}\nreturn hashText(KEYS[1])`,
  1,
);

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

/**
 * The heartbeats parsed from the last text read, per heartbeats key (one per deployment). Every service reads
 * the same hash, which changes when a region beats: parsed once per change, not once per evaluation.
 */
const parsedHeartbeats = new Map<string, ParsedHeartbeats>();

interface ParsedHeartbeats {
  text: string;
  /** Region -> time of its heartbeat (Redis ms), for the heartbeats that could be read. */
  times: Array<[region: string, time: number]>;
  skipped: string[];
}

/**
 * The heartbeats' text, one read shared by the evaluations that ask in the same turn of the event loop.
 *
 * WHY: every service reads the same hash; evaluations resumed by the same batch of replies ask together, and
 * their reads leave in the same write to Redis (auto-pipelining), so one read serves them all exactly as fresh
 * as their own would have been. The sharing ends with the turn (`process.nextTick`, before ioredis sends the
 * batch on `setImmediate`), so no evaluation ever gets a reply older than its own round trip.
 */
const heartbeatReads = new WeakMap<Redis, Map<string, Promise<unknown>>>();

function readHeartbeatsText(redis: Redis, key: string): Promise<unknown> {
  let pending = heartbeatReads.get(redis);
  if (pending === undefined) {
    pending = new Map();
    heartbeatReads.set(redis, pending);
  }
  const shared = pending.get(key);
  if (shared !== undefined) return shared;
  const read = READ_HEARTBEATS.run(redis, [key], []);
  pending.set(key, read);
  const readsOfThisTurn = pending;
  process.nextTick(() => readsOfThisTurn.delete(key));
  return read;
}

/** `reuse`: what earlier evaluations of this service parsed; reused where the stored text has not changed. */
export async function readEvaluationInputs(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
  reuse?: ParsedInputs,
): Promise<EvaluationInputs> {
  const serviceKeys = keys.service(service);
  // Sent in the same event-loop turn rather than as an explicit pipeline: the evaluator's connection
  // auto-pipelines, so they still leave in one write (one round trip), and that write also carries the commands
  // of the other evaluations in flight instead of costing a syscall of its own.
  const [serviceReply, heartbeatsText] = await Promise.all([
    READ_SERVICE.run(
      redis,
      [serviceKeys.opinions, serviceKeys.state, serviceKeys.overrides, serviceKeys.drill],
      [],
    ),
    readHeartbeatsText(redis, keys.heartbeats),
  ]);
  if (!Array.isArray(serviceReply) || serviceReply.length !== 6 + EVALUATION_FIELDS.length) {
    throw new Error(`reading ${serviceKeys.state}: the read script returned an unexpected reply`);
  }
  const [seconds, micros, opinionsText, overridesText, drillValue, drillError, ...stateFields] =
    serviceReply as unknown[];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const skipped: string[] = [];
  const opinions = opinionsFrom(serviceKeys.opinions, opinionsText, reuse);
  skipped.push(...opinions.skipped);
  const heartbeats = heartbeatsFrom(keys.heartbeats, heartbeatsText);
  skipped.push(...heartbeats.skipped);
  const drill = parseDrill(serviceKeys.drill, asText(drillValue), asText(drillError), skipped);
  return {
    now,
    opinions: opinions.matrix,
    heartbeatAges: heartbeatAgesAt(heartbeats, now),
    // An absent field comes back as nil: anything but a string is absent.
    previous: parseEvaluationFields(serviceKeys.state, stateFields.map(asText), reuse),
    overrides: overridesFrom(serviceKeys.overrides, overridesText),
    drill,
    skipped,
  };
}

function asText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function opinionsFrom(
  key: string,
  text: unknown,
  reuse?: ParsedInputs,
): { matrix: OpinionMatrix; skipped: string[] } {
  if (reuse?.opinions !== undefined && reuse.opinions.text === text) return reuse.opinions;
  const skipped: string[] = [];
  const matrix = parseOpinions(key, Object.fromEntries(decodeHashText(key, text)), skipped);
  if (reuse !== undefined) reuse.opinions = { text: text as string, matrix, skipped };
  return { matrix, skipped };
}

function heartbeatsFrom(key: string, text: unknown): ParsedHeartbeats {
  const cached = parsedHeartbeats.get(key);
  if (cached !== undefined && cached.text === text) return cached;
  const parsed = { text: text as string, ...parseHeartbeats(key, decodeHashText(key, text)) };
  parsedHeartbeats.set(key, parsed);
  return parsed;
}

/** Each readable region's heartbeat age at `now` (Redis ms; never negative). */
export function heartbeatAgesAt(heartbeats: Pick<ParsedHeartbeats, 'times'>, now: number): HeartbeatAges {
  const ages: HeartbeatAges = {};
  for (const [region, time] of heartbeats.times) ages[region] = Math.max(0, now - time);
  return ages;
}

function overridesFrom(key: string, text: unknown): Override[] {
  const entries = decodeHashText(key, text);
  // Almost always none: the shape checks only run for the overrides there are.
  return entries.length === 0 ? [] : parseOverrideHash(key, Object.fromEntries(entries));
}

/** The stored overlay, or `undefined` (none, or unreadable: then said in `skipped`, and events are not tagged). */
function parseDrill(
  key: string,
  value: string | null,
  readError: string | null,
  skipped: string[],
): DrillOverlay | undefined {
  if (readError !== null) {
    skipped.push(`${key}: drill overlay cannot be read: ${readError}`);
    return undefined;
  }
  if (value === null) return undefined;
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
 * The matrix (endpoint -> ...) has no prototype: an endpoint named after an inherited property (`__proto__`,
 * `constructor`) is then just a junk endpoint, not a way to write into Object.prototype. Region maps are plain
 * objects (assigning a region named `__proto__` a string changes nothing).
 */
export function parseOpinions(key: string, hash: Record<string, string>, skipped: string[]): OpinionMatrix {
  const matrix = Object.create(null) as OpinionMatrix;
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

/**
 * Heartbeats hash entries (region -> JSON HeartbeatRecord) -> each region's beat time (Redis ms); the ages
 * follow from the Redis clock of each evaluation (`heartbeatAgesAt`).
 */
export function parseHeartbeats(
  key: string,
  entries: Array<[string, string]>,
): Omit<ParsedHeartbeats, 'text'> {
  const parsed: Omit<ParsedHeartbeats, 'text'> = { times: [], skipped: [] };
  for (const [region, beat] of entries) {
    let time: unknown;
    try {
      time = (JSON.parse(beat) as { time?: unknown } | null)?.time;
    } catch {
      time = undefined;
    }
    if (typeof time === 'number' && Number.isFinite(time)) parsed.times.push([region, time]);
    // A region whose heartbeat cannot be read counts as stale: ignored, never counted as down.
    else parsed.skipped.push(`${key} ${region}: heartbeat has no numeric "time"`);
  }
  return parsed;
}

/**
 * The evaluator's per-service record in Redis (`ServiceKeys.state`, a hash) and the one atomic commit that
 * moves it forward together with the service's events.
 *
 * Hash fields:
 * - `record`: JSON of the record's small fields (generation, decidedAt, evaluatedAt as of the commit,
 *   configHash, evaluatedBy);
 * - `state`: JSON `ServiceState` of the core. Its own field, so an evaluation reuses the object it parsed (and
 *   validated) last time when the stored text has not changed;
 * - `explanation`: JSON `Explanation` of the committed evaluation (only `read` parses it, never an evaluation);
 * - `generation`, `version`: integers, duplicated out of the JSON so the commit script compares them cheaply;
 * - `evaluatedAt`: Redis ms of the last evaluation (the cheap write of an unchanged evaluation);
 * - `dispatchVersion`, `dispatchEvents`: present while the apply/notify jobs of the commit `dispatchVersion`
 *   may not have been added yet (the committer crashed in between); whoever evaluates next adds them again
 *   (job ids make that idempotent) and clears the fields.
 */
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { RedisKeyLayout } from '../redis/keys';
import type { Explanation, ServiceState } from '../quorum/types';
import { CorruptStateError } from './errors';
import { LuaScript } from './lua-script';
import { explanationSchema, parseStoredJson, serviceStateSchema, storedRecordSchema } from './redis-schemas';
import { encodeEvent } from './event-codec';
import type {
  RecordPosition,
  RecordWithoutExplanation,
  ServiceRecord,
  StoredEventInput,
  VersionedServiceRecord,
} from './service-record';

/** Default cap of each service's events stream (approximate: `MAXLEN ~`). */
export const DEFAULT_EVENTS_MAX_LENGTH = 10_000;

export interface StateStoreOptions {
  /** Approximate cap of each service's events stream. @defaultValue 10000 */
  eventsMaxLength?: number;
}

/** Jobs a commit still owes: added after the commit, idempotently, by the committer or the next evaluator. */
export interface PendingDispatch {
  /** The commit (version) that owes them. */
  version: number;
  /** Stream ids of that commit's events, in order. */
  eventIds: string[];
}

export type CommitResult =
  | { outcome: 'committed'; version: number; eventIds: string[] }
  /** Someone else committed first: re-read and re-decide. `current` is what is stored now. */
  | { outcome: 'conflict'; current: RecordPosition };

export interface CommitOptions {
  /**
   * Record that jobs are owed for this commit (`PendingDispatch`), cleared by `clearDispatch` once they are
   * added. @defaultValue true when there are events or the generation moves
   */
  dispatch?: boolean;
  /** `JSON.stringify(record.state)` when the caller has it already. */
  stateJson?: string;
}

/**
 * KEYS[1] state hash, KEYS[2] events stream.
 * ARGV[1] expected generation, ARGV[2] expected version, ARGV[3] record JSON, ARGV[4] state JSON,
 * ARGV[5] explanation JSON, ARGV[6] new generation, ARGV[7] evaluatedAt, ARGV[8] stream cap, ARGV[9] '1' to
 * record the pending dispatch, ARGV[10..] event JSONs.
 * Returns {1, version, id...} or {0, current generation, current version}.
 */
const COMMIT = new LuaScript(
  'quorumdns-commit',
  `
local current = redis.call('HMGET', KEYS[1], 'generation', 'version')
local generation = tonumber(current[1] or '0')
local version = tonumber(current[2] or '0')
if generation == nil or version == nil then
  return redis.error_reply('ECORRUPTSTATE generation/version of ' .. KEYS[1] .. ' are not integers')
end
if generation ~= tonumber(ARGV[1]) or version ~= tonumber(ARGV[2]) then
  return {0, generation, version}
end
local nextVersion = version + 1
local reply = {1, nextVersion}
for i = 10, #ARGV do
  reply[#reply + 1] = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'event', ARGV[i])
end
redis.call('HSET', KEYS[1], 'record', ARGV[3], 'state', ARGV[4], 'explanation', ARGV[5], 'generation', ARGV[6],
  'version', nextVersion, 'evaluatedAt', ARGV[7])
if ARGV[9] == '1' then
  local ids = {}
  for i = 3, #reply do ids[#ids + 1] = reply[i] end
  redis.call('HSET', KEYS[1], 'dispatchVersion', nextVersion, 'dispatchEvents', table.concat(ids, ','))
else
  redis.call('HDEL', KEYS[1], 'dispatchVersion', 'dispatchEvents')
end
return reply
`,
  2,
);

/** KEYS[1] state hash; ARGV[1] evaluatedAt. Moves evaluatedAt forward only, and never creates a record. */
const TOUCH = new LuaScript(
  'quorumdns-touch',
  `
local current = redis.call('HGET', KEYS[1], 'evaluatedAt')
if not current then
  if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return 0 end
elseif (tonumber(current) or 0) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'evaluatedAt', ARGV[1])
return 1
`,
  1,
);

/** KEYS[1] state hash; ARGV[1] version. Clears the pending dispatch if it is still that version's. */
const CLEAR_DISPATCH = new LuaScript(
  'quorumdns-clear-dispatch',
  `
if redis.call('HGET', KEYS[1], 'dispatchVersion') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'dispatchVersion', 'dispatchEvents')
  return 1
end
return 0
`,
  1,
);

type StateHash = Record<string, string>;

export class StateStore {
  private readonly eventsMaxLength: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
    options: StateStoreOptions = {},
  ) {
    this.eventsMaxLength = options.eventsMaxLength ?? DEFAULT_EVENTS_MAX_LENGTH;
  }

  /** The record of `service`, `undefined` when it was never evaluated. Throws `CorruptStateError`. */
  async read(service: string): Promise<ServiceRecord | undefined> {
    return (await this.readVersioned(service))?.record;
  }

  /** The record with its compare-and-set version (what `commit` expects). */
  async readVersioned(service: string): Promise<VersionedServiceRecord | undefined> {
    const key = this.keys.service(service).state;
    return parseStateHash(key, await this.redis.hgetall(key));
  }

  /** The pending dispatch of `service`, if a commit's jobs may not have been added yet. */
  async readPendingDispatch(service: string): Promise<PendingDispatch | undefined> {
    const key = this.keys.service(service).state;
    const [version, events] = await this.redis.hmget(key, 'dispatchVersion', 'dispatchEvents');
    return parsePendingDispatch(key, version, events);
  }

  /** Records of several services in one round trip; services never evaluated are absent from the map. */
  async readMany(services: string[]): Promise<Map<string, ServiceRecord>> {
    const versioned = await this.readManyVersioned(services);
    return new Map([...versioned].map(([service, value]) => [service, value.record]));
  }

  async readManyVersioned(services: string[]): Promise<Map<string, VersionedServiceRecord>> {
    const pipeline = this.redis.pipeline();
    const keys = services.map((service) => this.keys.service(service).state);
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    const records = new Map<string, VersionedServiceRecord>();
    services.forEach((service, index) => {
      const [error, hash] = replies[index] ?? [new Error('no reply'), undefined];
      if (error) throw error;
      const record = parseStateHash(keys[index] as string, hash as StateHash);
      if (record !== undefined) records.set(service, record);
    });
    return records;
  }

  /**
   * Atomically (one Lua script; the state hash and the events stream share the service's hash tag):
   * compare-and-set on the stored generation and version, write the record, append the events to the
   * service's capped stream. `conflict` = someone else committed first: re-read and re-decide.
   */
  async commit(
    service: string,
    expected: RecordPosition,
    record: ServiceRecord,
    events: StoredEventInput[],
    options: CommitOptions = {},
  ): Promise<CommitResult> {
    const keys = this.keys.service(service);
    const dispatch = options.dispatch ?? (events.length > 0 || record.generation !== expected.generation);
    const { explanation, state, ...small } = record;
    const reply = (await COMMIT.run(
      this.redis,
      [keys.state, keys.events],
      [
        String(expected.generation),
        String(expected.version),
        JSON.stringify(small),
        options.stateJson ?? JSON.stringify(state),
        JSON.stringify(explanation),
        String(record.generation),
        String(record.evaluatedAt),
        String(this.eventsMaxLength),
        dispatch ? '1' : '0',
        ...events.map(encodeEvent),
      ],
    )) as [number, number, ...Array<string | number>];
    if (reply[0] === 1) {
      return { outcome: 'committed', version: Number(reply[1]), eventIds: reply.slice(2).map(String) };
    }
    return { outcome: 'conflict', current: { generation: Number(reply[1]), version: Number(reply[2]) } };
  }

  /** The cheap write of an evaluation that changed nothing: `evaluatedAt` only (never moves backwards). */
  async touch(service: string, evaluatedAt: number): Promise<void> {
    await TOUCH.run(this.redis, [this.keys.service(service).state], [String(evaluatedAt)]);
  }

  /** The jobs of commit `version` are added: forget the pending dispatch (unless a newer commit replaced it). */
  async clearDispatch(service: string, version: number): Promise<boolean> {
    const cleared = await CLEAR_DISPATCH.run(
      this.redis,
      [this.keys.service(service).state],
      [String(version)],
    );
    return cleared === 1;
  }
}

function parseInteger(key: string, field: string, text: string | undefined): number {
  if (text === undefined) throw new CorruptStateError(key, field, 'missing');
  if (!/^\d+$/.test(text))
    throw new CorruptStateError(key, field, `not a non-negative integer: ${JSON.stringify(text)}`);
  return Number(text);
}

/** The hash fields an evaluation reads (HMGET, in this order): everything but the explanation. */
export const EVALUATION_FIELDS = [
  'record',
  'state',
  'generation',
  'version',
  'evaluatedAt',
  'dispatchVersion',
  'dispatchEvents',
] as const;

/** A record as an evaluation reads it. */
export interface EvaluationRecord {
  record: RecordWithoutExplanation;
  version: number;
  dispatch: PendingDispatch | undefined;
}

/**
 * Values parsed earlier, keyed by their exact text: reused instead of parsing and validating the same text
 * again. One per service; the parse fills it in.
 */
export interface ParsedState {
  state?: { json: string; value: ServiceState };
  record?: { json: string; value: StoredRecordFields };
}

type StoredRecordFields = z.infer<typeof storedRecordSchema>;

/**
 * Validates the fields an evaluation reads (HMGET of `EVALUATION_FIELDS`); `undefined` when there is no
 * record. Throws `CorruptStateError` naming the key and field.
 */
export function parseEvaluationFields(
  key: string,
  values: ReadonlyArray<string | null>,
  reuse?: ParsedState,
): EvaluationRecord | undefined {
  const hash: StateHash = {};
  EVALUATION_FIELDS.forEach((field, index) => {
    const value = values[index];
    if (value !== null && value !== undefined) hash[field] = value;
  });
  if (Object.keys(hash).length === 0) return undefined;
  const parsed = parseRecordFields(key, hash, reuse);
  return {
    ...parsed,
    dispatch: parsePendingDispatch(key, hash.dispatchVersion, hash.dispatchEvents),
  };
}

/** Validates a whole state hash as read by HGETALL; `undefined` for an empty hash (no record). */
export function parseStateHash(key: string, hash: StateHash): VersionedServiceRecord | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const { record, version } = parseRecordFields(key, hash);
  const fail = (field: string, problem: string): never => {
    throw new CorruptStateError(key, field, problem);
  };
  if (hash.explanation === undefined) return fail('explanation', 'missing');
  const explanation = parseStoredJson(hash.explanation, explanationSchema, 'explanation', fail);
  // The schema checked the skeleton readers index into; the rest is prose for people.
  return { record: { ...record, explanation: explanation as unknown as Explanation }, version };
}

function parseRecordFields(
  key: string,
  hash: StateHash,
  reuse?: ParsedState,
): { record: RecordWithoutExplanation; version: number } {
  const fail = (field: string, problem: string): never => {
    throw new CorruptStateError(key, field, problem);
  };
  if (hash.record === undefined) return fail('record', 'missing (the hash has no record field)');
  const stored =
    reuse?.record !== undefined && reuse.record.json === hash.record
      ? reuse.record.value
      : parseStoredJson(hash.record, storedRecordSchema, 'record', fail);
  if (reuse !== undefined) reuse.record = { json: hash.record, value: stored };
  if (hash.state === undefined) return fail('state', 'missing (the hash has no state field)');
  const state =
    reuse?.state !== undefined && reuse.state.json === hash.state
      ? reuse.state.value
      : // The schema checked the shape the core relies on; unknown extra keys are kept on purpose.
        (parseStoredJson(hash.state, serviceStateSchema, 'state', fail) as unknown as ServiceState);
  if (reuse !== undefined) reuse.state = { json: hash.state, value: state };
  const generation = parseInteger(key, 'generation', hash.generation);
  const version = parseInteger(key, 'version', hash.version);
  if (generation !== stored.generation) {
    fail('generation', `${generation} disagrees with record.generation ${stored.generation}`);
  }
  const touchedAt = hash.evaluatedAt === undefined ? 0 : parseInteger(key, 'evaluatedAt', hash.evaluatedAt);
  const record: RecordWithoutExplanation = {
    state,
    generation,
    decidedAt: stored.decidedAt,
    evaluatedAt: Math.max(stored.evaluatedAt, touchedAt),
    configHash: stored.configHash,
    evaluatedBy: stored.evaluatedBy,
  };
  return { record, version };
}

export function parsePendingDispatch(
  key: string,
  version: string | null | undefined,
  events: string | null | undefined,
): PendingDispatch | undefined {
  if (version === null || version === undefined) return undefined;
  // A commit writes dispatchVersion and dispatchEvents together; one without the other was not written by us.
  const parsed = parseInteger(key, 'dispatchVersion', version);
  const eventIds = events === null || events === undefined || events === '' ? [] : events.split(',');
  for (const id of eventIds) {
    if (!/^\d+-\d+$/.test(id))
      throw new CorruptStateError(key, 'dispatchEvents', `not a stream id: ${JSON.stringify(id)}`);
  }
  return { version: parsed, eventIds };
}

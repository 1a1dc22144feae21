import type { Redis } from 'ioredis';
import {
  type LastObservation,
  opinionField,
  redisKeys,
  type RedisKeyLayout,
  type StoredOpinion,
} from '../redis/keys';
import type { Observation } from './check-result';
import { HEARTBEAT_LUA, RECORD_OBSERVATION_LUA } from './record-observation-script';

/** An observation waiting to be recorded, with what the script needs besides the observation itself. */
export interface PendingObservation {
  observation: Observation;
  /** The service's thresholds when the check ran (from config, passed to the script as arguments). */
  failureThreshold: number;
  successThreshold: number;
  /** Increasing per recorder run; with the run id it makes a replay of the same observation a no-op. */
  seq: number;
  /** Sent before without an answer (connection lost): Redis may have applied it, so the script checks. */
  replay?: boolean;
}

export interface RecordedObservation {
  observation: Observation;
  opinion: StoredOpinion;
  previous: StoredOpinion;
  flipped: boolean;
  /** Signed: +n = n consecutive oks, -n = n consecutive failures (after this observation). */
  streak: number;
  /** True when Redis had already applied this (run, seq): a replay after a lost reply; nothing changed. */
  duplicate: boolean;
}

export type RecordResult =
  | { status: 'recorded'; recorded: RecordedObservation }
  /** `transient`: Redis unreachable / busy / failing over; retry later. Otherwise Redis rejected it for good. */
  | { status: 'failed'; error: Error; transient: boolean };

export interface HeartbeatInput {
  region: string;
  workerId: string;
  version: string;
  configHash: string;
  /** Expiry of the worker's own heartbeat key. */
  ttlMs: number;
}

/** Redis answers that mean "not now" rather than "never": the same command may succeed after a retry. */
const TRANSIENT_REPLY_PREFIXES = [
  'LOADING',
  'READONLY',
  'BUSY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'OOM',
  'NOREPLICAS',
];

/**
 * Whether an error from a Redis command is worth retrying. Error replies from Redis itself are final unless
 * they say the server is temporarily unable; everything else (connection closed, stream not writeable,
 * command timeout) is a connectivity problem and therefore transient.
 */
export function isTransientRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY_PREFIXES.some((prefix) => error.message.startsWith(prefix));
}

const RECORD_COMMAND = 'quorumdnsRecordObservation';
const HEARTBEAT_COMMAND = 'quorumdnsHeartbeat';

type ScriptCall = (...args: (string | number)[]) => unknown;

/**
 * The custom commands `defineCommand` attaches to a client and its pipelines. Reached through a narrow cast
 * instead of a global `declare module 'ioredis'` augmentation, which would leak into every file of the project.
 */
function scriptCommand(target: object, name: string): ScriptCall {
  const method = (target as Record<string, unknown>)[name];
  if (typeof method !== 'function') throw new Error(`Redis script ${name} is not defined on this client`);
  return (...args) => (method as ScriptCall).apply(target, args);
}

function toOpinion(value: unknown): StoredOpinion {
  return value === 'up' || value === 'down' ? value : 'unknown';
}

/**
 * Records observations into Redis through ONE atomic script per observation (EVALSHA via ioredis
 * `defineCommand`, which loads the script when Redis does not know it yet), a whole batch pipelined in one
 * round trip. Also writes heartbeats with the Redis server's time.
 */
export class ObservationRecorder {
  readonly keys: RedisKeyLayout;

  constructor(
    private readonly redis: Redis,
    private readonly identity: { keyPrefix: string; runId: string; workerId: string },
  ) {
    this.keys = redisKeys(identity.keyPrefix);
    if (typeof (redis as unknown as Record<string, unknown>)[RECORD_COMMAND] !== 'function') {
      redis.defineCommand(RECORD_COMMAND, { numberOfKeys: 3, lua: RECORD_OBSERVATION_LUA });
      redis.defineCommand(HEARTBEAT_COMMAND, { numberOfKeys: 3, lua: HEARTBEAT_LUA });
    }
  }

  /**
   * Records a batch in order in one pipeline. Never rejects: each item reports recorded or failed. When the
   * connection fails mid-batch, the items from the first transient failure on should be sent again marked
   * `replay` (an item Redis had applied is then detected and reported as a duplicate).
   */
  async recordBatch(batch: readonly PendingObservation[]): Promise<RecordResult[]> {
    if (batch.length === 0) return [];
    const pipeline = this.redis.pipeline();
    const record = scriptCommand(pipeline, RECORD_COMMAND);
    for (const pending of batch) record(...this.scriptArguments(pending));
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      return batch.map(() => ({ status: 'failed', error: err, transient: isTransientRedisError(err) }));
    }
    return batch.map((pending, index): RecordResult => {
      const [error, reply] = replies?.[index] ?? [new Error('no reply from Redis'), null];
      if (error) return { status: 'failed', error, transient: isTransientRedisError(error) };
      if (!Array.isArray(reply) || reply.length < 5) {
        return {
          status: 'failed',
          error: new Error(`unexpected script reply ${JSON.stringify(reply)}`),
          transient: false,
        };
      }
      const [flipped, opinion, previous, streak, duplicate] = reply as [
        number,
        string,
        string,
        number,
        number,
      ];
      return {
        status: 'recorded',
        recorded: {
          observation: pending.observation,
          opinion: toOpinion(opinion),
          previous: toOpinion(previous),
          flipped: Number(flipped) === 1,
          streak: Number(streak),
          duplicate: Number(duplicate) === 1,
        },
      };
    });
  }

  /** Records one observation; rejects with the Redis error (tests and one-off callers). */
  async record(pending: PendingObservation): Promise<RecordedObservation> {
    const [result] = await this.recordBatch([pending]);
    if (result === undefined) throw new Error('no result');
    if (result.status === 'failed') throw result.error;
    return result.recorded;
  }

  /** Writes this worker's heartbeat; resolves to the Redis server time (ms) of the beat. */
  async heartbeat(beat: HeartbeatInput): Promise<number> {
    const call = scriptCommand(this.redis, HEARTBEAT_COMMAND);
    const reply = await call(
      this.keys.heartbeats,
      this.keys.workerHeartbeat(beat.region, beat.workerId),
      this.keys.workers,
      beat.region,
      beat.workerId,
      beat.version,
      beat.configHash,
      Math.max(1, Math.round(beat.ttlMs)),
    );
    return Number(reply);
  }

  private scriptArguments(pending: PendingObservation): (string | number)[] {
    const o = pending.observation;
    const keys = this.keys.service(o.service);
    const last: Omit<LastObservation, 'recordedAt'> = {
      ok: o.ok,
      ...(o.ok ? {} : { class: o.failureClass ?? 'status' }),
      ...(o.detail ? { detail: o.detail.slice(0, 200) } : {}),
      latency: Math.round(o.latencyMs * 10) / 10,
      startedAt: o.startedAt,
      worker: this.identity.workerId,
      ...(o.drill ? { drill: true } : {}),
      run: this.identity.runId,
      seq: pending.seq,
    };
    return [
      keys.streaks,
      keys.opinions,
      keys.last,
      opinionField(o.endpoint, o.region),
      o.ok ? '1' : '0',
      pending.failureThreshold,
      pending.successThreshold,
      JSON.stringify(last),
      this.identity.runId,
      pending.seq,
      pending.replay ? '1' : '0',
    ];
  }
}

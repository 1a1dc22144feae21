/**
 * Writes what probe workers and an evaluator would have written, with the project's real code: observations
 * through the probe recorder's script, heartbeats in the recorder's JSON shape (with a chosen age, to make a
 * region stale), and one evaluation through the real decision core committed through the real StateStore.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../../src/config/types';
import { OverrideStore } from '../../../src/evaluator/override-store';
import { redisTimeMs } from '../../../src/evaluator/redis-time';
import { NO_RECORD, type StoredEventInput } from '../../../src/evaluator/service-record';
import { StateStore } from '../../../src/evaluator/state-store';
import type { FailureClass } from '../../../src/probe/check-result';
import { ObservationRecorder } from '../../../src/probe/recorder';
import { decide } from '../../../src/quorum/decide';
import type { HeartbeatAges, OpinionMatrix } from '../../../src/quorum/types';
import { type HeartbeatRecord, parseOpinionField, redisKeys } from '../../../src/redis/keys';

let seq = 0;

export interface ObservationSpec {
  service: string;
  endpoint: string;
  region: string;
  ok: boolean;
  failureClass?: FailureClass;
}

/** Records observations with thresholds of 1, so each one sets the opinion directly. */
export async function recordObservations(
  redis: Redis,
  config: Config,
  specs: ObservationSpec[],
): Promise<void> {
  const recorder = new ObservationRecorder(redis, {
    keyPrefix: config.deployment.redis.keyPrefix,
    runId: 'operator-test',
    workerId: 'test-worker',
  });
  for (const spec of specs) {
    seq += 1;
    await recorder.record({
      observation: {
        ok: spec.ok,
        ...(spec.ok ? {} : { failureClass: spec.failureClass ?? 'timeout', detail: 'no answer within 3s' }),
        latencyMs: 12,
        service: spec.service,
        endpoint: spec.endpoint,
        region: spec.region,
        startedAt: Date.now(),
      },
      failureThreshold: 1,
      successThreshold: 1,
      seq,
    });
  }
}

/** Writes a region's heartbeat as the recorder does, `ageMs` old on the Redis clock. */
export async function writeHeartbeat(
  redis: Redis,
  config: Config,
  region: string,
  ageMs: number,
): Promise<void> {
  const keys = redisKeys(config.deployment.redis.keyPrefix);
  const beat: HeartbeatRecord = {
    workerId: `${region}-worker`,
    region,
    version: '0.1.0',
    configHash: config.hash,
    time: (await redisTimeMs(redis)) - ageMs,
  };
  await redis.hset(keys.heartbeats, region, JSON.stringify(beat));
}

/** One evaluation of `service` with the real core, committed with the real store; returns the generation. */
export async function evaluateOnce(redis: Redis, config: Config, serviceName: string): Promise<number> {
  const keys = redisKeys(config.deployment.redis.keyPrefix);
  const service = config.services[serviceName];
  if (!service) throw new Error(`no service ${serviceName}`);
  const now = await redisTimeMs(redis);
  const opinions: OpinionMatrix = {};
  for (const [field, value] of Object.entries(await redis.hgetall(keys.service(serviceName).opinions))) {
    const parsed = parseOpinionField(field);
    if (!parsed || (value !== 'up' && value !== 'down' && value !== 'unknown')) continue;
    (opinions[parsed.endpoint] ??= {})[parsed.region] = value;
  }
  const heartbeatAges: HeartbeatAges = {};
  for (const [region, text] of Object.entries(await redis.hgetall(keys.heartbeats))) {
    heartbeatAges[region] = now - (JSON.parse(text) as HeartbeatRecord).time;
  }
  const store = new StateStore(redis, keys);
  const previous = await store.readVersioned(serviceName);
  const overrides = await new OverrideStore(redis, keys).listStored(serviceName);
  const output = decide({
    service,
    opinions,
    heartbeatAges,
    previous: previous?.record.state,
    overrides,
    now,
  });
  const position = previous
    ? { generation: previous.record.generation, version: previous.version }
    : NO_RECORD;
  const generation = position.generation + (output.changed ? 1 : 0);
  const events: StoredEventInput[] = output.events.map((event) => ({
    ...event,
    generation,
    by: 'test-evaluator',
  }));
  const result = await store.commit(
    serviceName,
    position,
    {
      state: output.state,
      generation,
      decidedAt: output.changed || !previous ? now : previous.record.decidedAt,
      evaluatedAt: now,
      explanation: output.explanation,
      configHash: config.hash,
      evaluatedBy: 'test-evaluator',
    },
    events,
  );
  if (result.outcome !== 'committed') throw new Error('commit conflict in a single-writer test');
  return generation;
}

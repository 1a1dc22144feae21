import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { EVALUATE_JOB_NAME, type EvaluateJobData, QueueName } from '../../src/evaluator/queues';
import { EvaluateTrigger } from '../../src/probe/evaluate-trigger';
import {
  ObservationRecorder,
  type PendingObservation,
  type RecordedObservation,
} from '../../src/probe/recorder';
import { createRedisClient, whenReady } from '../../src/redis/connect';
import { type LastObservation, opinionField, redisKeys } from '../../src/redis/keys';
import { deleteKeys, observation, randomPrefix, SHARED_REDIS_URL, waitFor } from './helpers';

const prefix = randomPrefix('recorder');
let redis: Redis;
let admin: Redis;

beforeAll(async () => {
  redis = createRedisClient(SHARED_REDIS_URL);
  admin = new Redis(SHARED_REDIS_URL);
  await whenReady(redis);
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  await redis.quit();
  await admin.quit();
});

function pending(
  seq: number,
  endpoint: string,
  ok: boolean,
  thresholds = { f: 3, s: 2 },
): PendingObservation {
  return {
    observation: observation(endpoint, ok),
    failureThreshold: thresholds.f,
    successThreshold: thresholds.s,
    seq,
  };
}

function recorderFor(keyPrefix: string, runId = 'run-1'): ObservationRecorder {
  return new ObservationRecorder(redis, { keyPrefix, runId, workerId: 'w1' });
}

describe('recording script', () => {
  test('a new field starts unknown; down after failureThreshold failures, up after successThreshold oks, flips once each', async () => {
    const recorder = recorderFor(`${prefix}:a`);
    const sequence = [false, false, false, false, true, true, true, false];
    const results: RecordedObservation[] = [];
    let seq = 0;
    for (const ok of sequence) results.push(await recorder.record(pending(++seq, 'e1', ok)));

    expect(results.map((r) => r.opinion)).toEqual([
      'unknown',
      'unknown',
      'down',
      'down',
      'down',
      'up',
      'up',
      'up',
    ]);
    expect(results.map((r) => r.streak)).toEqual([-1, -2, -3, -4, 1, 2, 3, -1]);
    expect(results.map((r) => r.flipped)).toEqual([false, false, true, false, false, true, false, false]);
    expect(results[2]!.previous).toBe('unknown');
    expect(results[5]!.previous).toBe('down');

    const keys = redisKeys(`${prefix}:a`).service('api');
    const field = opinionField('e1', 'r1');
    expect(await admin.hget(keys.opinions, field)).toBe('up');
    expect(await admin.hget(keys.streaks, field)).toBe('-1');
  });

  test('the first observation writes the opinion field even while it is still unknown', async () => {
    const recorder = recorderFor(`${prefix}:b`);
    await recorder.record(pending(1, 'e1', true));
    const keys = redisKeys(`${prefix}:b`).service('api');
    expect(await admin.hget(keys.opinions, opinionField('e1', 'r1'))).toBe('unknown');
  });

  test('failureThreshold 1 flips a new field from unknown to down on the first failure', async () => {
    const recorder = recorderFor(`${prefix}:c`);
    const result = await recorder.record(pending(1, 'e1', false, { f: 1, s: 1 }));
    expect(result).toMatchObject({ opinion: 'down', previous: 'unknown', flipped: true, streak: -1 });
  });

  test('the last observation holds ok, class, detail, latency, startedAt and the Redis time', async () => {
    const recorder = recorderFor(`${prefix}:d`);
    const [seconds, micros] = await admin.time();
    const before = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await recorder.record({
      ...pending(1, 'e1', false),
      observation: observation('e1', false, { startedAt: 42 }),
    });
    const raw = await admin.hget(redisKeys(`${prefix}:d`).service('api').last, opinionField('e1', 'r1'));
    const last = JSON.parse(raw!) as LastObservation;
    expect(last).toMatchObject({
      ok: false,
      class: 'status',
      detail: 'HTTP 503 (expected 200-399)',
      latency: 12.3,
      startedAt: 42,
      worker: 'w1',
    });
    expect(last.recordedAt).toBeGreaterThanOrEqual(before);
    expect(last.recordedAt).toBeLessThan(before + 5000);
  });

  test('a pipelined batch gives exactly what recording one at a time gives', async () => {
    // A deterministic pseudo-random sequence over 12 fields.
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
    const items = Array.from({ length: 600 }, (_, i) => pending(i + 1, `e${next() % 12}`, next() % 3 !== 0));

    const sequential = recorderFor(`${prefix}:seq`);
    const one: RecordedObservation[] = [];
    for (const item of items) one.push(await sequential.record(item));

    const batched = recorderFor(`${prefix}:batch`);
    const many: RecordedObservation[] = [];
    for (let i = 0; i < items.length; i += 100) {
      for (const result of await batched.recordBatch(items.slice(i, i + 100))) {
        if (result.status !== 'recorded') throw result.error;
        many.push(result.recorded);
      }
    }

    const strip = (r: RecordedObservation) => [
      r.observation.endpoint,
      r.opinion,
      r.previous,
      r.flipped,
      r.streak,
    ];
    expect(many.map(strip)).toEqual(one.map(strip));
    expect(one.filter((r) => r.flipped).length).toBeGreaterThan(5);
    const a = redisKeys(`${prefix}:seq`).service('api');
    const b = redisKeys(`${prefix}:batch`).service('api');
    expect(await admin.hgetall(b.opinions)).toEqual(await admin.hgetall(a.opinions));
    expect(await admin.hgetall(b.streaks)).toEqual(await admin.hgetall(a.streaks));
  });

  test('replaying observations Redis already applied changes nothing (a lost reply must not count twice)', async () => {
    const recorder = recorderFor(`${prefix}:e`);
    const batch = [pending(1, 'e1', false), pending(2, 'e1', false), pending(3, 'e1', false)];
    await recorder.recordBatch(batch);
    // The same three sent again as replays, plus one that never reached Redis before.
    const replay = await recorder.recordBatch(
      [...batch, pending(4, 'e1', false)].map((p) => ({ ...p, replay: true })),
    );
    expect(replay.map((r) => r.status === 'recorded' && r.recorded.duplicate)).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(replay.map((r) => r.status === 'recorded' && r.recorded.flipped)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const keys = redisKeys(`${prefix}:e`).service('api');
    expect(await admin.hget(keys.streaks, opinionField('e1', 'r1'))).toBe('-4');

    // Another run (a restarted worker starting its sequence again at 1) is not mistaken for a replay.
    const restarted = recorderFor(`${prefix}:e`, 'run-2');
    const fresh = await restarted.record({ ...pending(1, 'e1', false), replay: true });
    expect(fresh).toMatchObject({ duplicate: false, streak: -5 });
    const last = JSON.parse((await admin.hget(keys.last, opinionField('e1', 'r1')))!) as LastObservation;
    expect(last).toMatchObject({ run: 'run-2', seq: 1 });
  });

  test('keys of one service share its hash tag; heartbeats share theirs', () => {
    const keys = redisKeys('qdns');
    const service = keys.service('api');
    for (const key of [service.opinions, service.streaks, service.last, service.state]) {
      expect(key.startsWith('qdns:{api}:')).toBe(true);
    }
    expect(keys.heartbeats).toBe('qdns:{heartbeats}');
    expect(keys.workerHeartbeat('r1', 'w1')).toBe('qdns:{heartbeats}:worker:r1:w1');
    expect(() => keys.service('a{b}')).toThrow(/braces/);
  });

  test('a heartbeat writes the region hash, the worker key with an expiry, and the workers set, in Redis time', async () => {
    const recorder = recorderFor(`${prefix}:hb`);
    const time = await recorder.heartbeat({
      region: 'r1',
      workerId: 'w1',
      version: '1.2.3',
      configHash: 'abc',
      ttlMs: 15_000,
    });
    const keys = redisKeys(`${prefix}:hb`);
    const beat = JSON.parse((await admin.hget(keys.heartbeats, 'r1'))!) as Record<string, unknown>;
    expect(beat).toEqual({ workerId: 'w1', region: 'r1', version: '1.2.3', configHash: 'abc', time });
    expect(JSON.parse((await admin.get(keys.workerHeartbeat('r1', 'w1')))!)).toEqual(beat);
    const ttl = await admin.pttl(keys.workerHeartbeat('r1', 'w1'));
    expect(ttl).toBeGreaterThan(10_000);
    expect(ttl).toBeLessThanOrEqual(15_000);
    expect(await admin.zscore(keys.workers, 'r1\tw1')).toBe(String(time));
  });
});

describe('evaluate jobs', () => {
  const queuePrefix = `${prefix}:q`;

  test('many flips of one service leave one pending evaluate job; a flip during an active job gets a follow-up', async () => {
    const trigger = new EvaluateTrigger({
      connection: redis,
      prefix: queuePrefix,
      requestedBy: 'probe:r1:w1',
    });
    const queue = new Queue<EvaluateJobData>(QueueName.evaluate, { connection: admin, prefix: queuePrefix });
    try {
      for (let i = 0; i < 5; i += 1) trigger.request('api');
      trigger.request('web');
      await trigger.drain();
      await waitFor(() => trigger.stats().pending === 0, { what: 'adds' });
      const waiting = await queue.getWaiting();
      expect(waiting.map((j) => j.data.service).sort()).toEqual(['api', 'web']);
      expect(waiting.every((j) => j.name === EVALUATE_JOB_NAME)).toBe(true);
      expect(waiting[0]!.data).toMatchObject({ reason: 'flip', requestedBy: 'probe:r1:w1' });

      // An evaluator that is busy with `api` when another flip of `api` arrives.
      const workerConnection = createRedisClient(SHARED_REDIS_URL, { mode: 'bullmq-worker' });
      const processed: string[] = [];
      let flipDuringFirstJob = true;
      const worker = new Worker<EvaluateJobData>(
        QueueName.evaluate,
        async (job) => {
          processed.push(job.data.service);
          if (job.data.service === 'api' && flipDuringFirstJob) {
            flipDuringFirstJob = false;
            trigger.request('api');
            trigger.request('api');
            await trigger.drain();
          }
        },
        { connection: workerConnection, prefix: queuePrefix },
      );
      try {
        await waitFor(() => processed.length >= 3, { what: 'three evaluations' });
        await waitFor(async () => (await queue.getJobCounts('waiting', 'active')).waiting === 0, {
          what: 'an empty queue',
        });
        expect(processed.filter((s) => s === 'api')).toHaveLength(2);
        expect(processed.filter((s) => s === 'web')).toHaveLength(1);
      } finally {
        await worker.close();
        await workerConnection.quit();
      }
    } finally {
      await trigger.close();
      await queue.close();
    }
  });
});

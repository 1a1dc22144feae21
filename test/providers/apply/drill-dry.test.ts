/**
 * A dry drill (the service's drill overlay with `mode: 'dry'`) exercises the apply step without changing DNS:
 * the apply job plans, records `dry-run` without moving the applied generation, and tags its event as a drill.
 * When the drill ends the same generation is applied for real. An unreadable overlay is ignored (and logged).
 */
import { Queue } from 'bullmq';
import type { DrillOverlay } from '../../../src/drill/drill-overlay';
import { EventLog } from '../../../src/evaluator/event-log';
import { redisTimeMs } from '../../../src/evaluator/redis-time';
import { type ApplyJobData, QueueName } from '../../../src/evaluator/queues';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { AppliedStore } from '../../../src/providers/applied-store';
import { type ApplyJobResult, ApplyWorker } from '../../../src/providers/apply-worker';
import {
  answerOf,
  applyConfig,
  applyRedis,
  applyService,
  commitDecision,
  FAST_SYNC,
  MEMORY_ZONE,
  newMemory,
  POOL_ADDRESS,
  completedResult,
  SHARED_REDIS_URL,
  addApplyJob,
} from './support/apply-fixture';

const fixture = applyRedis('drill');
const { redis, keys, prefix } = fixture;
const services = [
  applyService('drilled', ['mem']),
  applyService('garbled', ['mem']),
  applyService('ended', ['mem']),
];
const config = applyConfig(prefix, services, ['mem']);
const memory = newMemory('mem');
const states = new StateStore(redis, keys);
const applied = new AppliedStore(redis, keys);
const queue = new Queue<ApplyJobData, ApplyJobResult>(QueueName.apply, { connection: redis, prefix });
const logger = memoryLogger();
let worker: ApplyWorker;

beforeAll(async () => {
  worker = await ApplyWorker.start({
    config: () => config,
    redisUrl: SHARED_REDIS_URL,
    id: 'drill-worker',
    logger,
    createAdapter: () => memory,
    sync: FAST_SYNC,
  });
});

afterAll(async () => {
  await worker?.close();
  await queue.close();
  await fixture.dispose();
});

async function run(service: string, generation: number, suffix = ''): Promise<ApplyJobResult> {
  const jobId = await addApplyJob(queue, { service, generation, suffix });
  return completedResult(queue, jobId);
}

test('a dry drill plans the apply, records dry-run and leaves DNS and the applied generation alone', async () => {
  const [drilled] = services;
  if (drilled === undefined) throw new Error('no service');
  await commitDecision(states, drilled, 1, 'a');
  expect(await run('drilled', 1)).toMatchObject({ outcome: 'applied', generation: 1 });
  const writes = memory.count('apply');

  const now = await redisTimeMs(redis);
  const overlay: DrillOverlay = {
    id: 'drill-test-1',
    service: 'drilled',
    pools: ['a'],
    mode: 'dry',
    startedAt: now - 1000,
    endsAt: now + 60_000,
    by: 'tester',
  };
  await redis.set(keys.service('drilled').drill, JSON.stringify(overlay), 'PX', 90_000);
  await commitDecision(states, drilled, 2, 'b');
  expect(await run('drilled', 2)).toMatchObject({ outcome: 'dry-run', generation: 2 });
  expect(memory.count('apply')).toBe(writes);
  expect(answerOf(memory, 'drilled.example.com')).toEqual([POOL_ADDRESS.a]);
  expect(await applied.read('drilled', 'mem', MEMORY_ZONE)).toMatchObject({
    generation: 1,
    syncState: 'dry-run',
    attemptedGeneration: 2,
  });
  const [event] = (await new EventLog(redis, keys).read({ services: ['drilled'] })).filter(
    (e) => e.kind === 'dns-applied' && e.generation === 2,
  );
  expect(event).toMatchObject({ drill: true, severity: 'info' });
  expect(event?.message).toBe(
    'dry run (drill): drilled.example.com A at local mem/example.com: 192.0.2.10 -> 198.51.100.20 planned, nothing changed',
  );

  // The drill ends: the same generation, run again, is applied for real.
  await redis.del(keys.service('drilled').drill);
  expect(await run('drilled', 2, '-after-drill')).toMatchObject({ outcome: 'applied', generation: 2 });
  expect(answerOf(memory, 'drilled.example.com')).toEqual([POOL_ADDRESS.b]);
  expect(await applied.read('drilled', 'mem', MEMORY_ZONE)).toMatchObject({
    generation: 2,
    syncState: 'in-sync',
  });
});

test('an unreadable drill overlay is ignored, with a log line', async () => {
  const [, garbled] = services;
  if (garbled === undefined) throw new Error('no service');
  await redis.set(keys.service('garbled').drill, 'not json', 'PX', 60_000);
  await commitDecision(states, garbled, 1, 'b');
  expect(await run('garbled', 1)).toMatchObject({ outcome: 'applied', generation: 1 });
  expect(answerOf(memory, 'garbled.example.com')).toEqual([POOL_ADDRESS.b]);
  expect(logger.entries).toContainEqual(
    expect.objectContaining({ level: 'warn', message: 'unreadable drill overlay: ignored by apply' }),
  );
});

test('an overlay past its end (the key lives a grace period longer) no longer holds DNS back', async () => {
  const ended = services[2];
  if (ended === undefined) throw new Error('no service');
  const now = await redisTimeMs(redis);
  const overlay: DrillOverlay = {
    id: 'drill-test-2',
    service: 'ended',
    pools: ['a'],
    mode: 'dry',
    startedAt: now - 120_000,
    endsAt: now - 1000,
    by: 'tester',
  };
  await redis.set(keys.service('ended').drill, JSON.stringify(overlay), 'PX', 60_000);
  await commitDecision(states, ended, 1, 'b');
  expect(await run('ended', 1)).toMatchObject({ outcome: 'applied', generation: 1 });
  expect(answerOf(memory, 'ended.example.com')).toEqual([POOL_ADDRESS.b]);
  const [event] = await new EventLog(redis, keys).read({ services: ['ended'] });
  expect(event?.drill).toBeUndefined();
});

/**
 * The evaluator end to end against the real Redis and real BullMQ: opinions and heartbeats are written as
 * probe workers write them, evaluations run from the tick schedulers and from flip jobs, and the tests
 * read back what an operator would: the record (decision, generation), the events stream and the
 * apply/notify jobs.
 */
import { Registry } from 'prom-client';
import { CorruptStateError } from '../../src/evaluator/errors';
import { Evaluator } from '../../src/evaluator/evaluator';
import { EventLog } from '../../src/evaluator/event-log';
import { OverrideStore } from '../../src/evaluator/override-store';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import type { ServiceRecord } from '../../src/evaluator/service-record';
import { StateStore } from '../../src/evaluator/state-store';
import { memoryLogger } from '../../src/probe/logger';
import type { Decision } from '../../src/quorum/types';
import {
  jobQueues,
  POOL_A,
  POOL_B,
  ProbeSide,
  REDIS_URL,
  REGIONS,
  testConfig,
  testRedis,
  testService,
  waitFor,
} from './support/fixtures';
import { evaluatorDriver } from './support/evaluator-driver';

const fixture = testRedis('scenarios');
const { redis, keys, prefix } = fixture;
const states = new StateStore(redis, keys);
const events = new EventLog(redis, keys);
const overrides = new OverrideStore(redis, keys);
const probe = new ProbeSide(redis, keys);
const queues = jobQueues(redis, prefix);
const driver = evaluatorDriver(redis, keys);
const { flip, waitForGeneration } = driver;
const logger = memoryLogger();

const SERVICES = ['fail', 'one', 'stale', 'back', 'frozen', 'drain', 'corrupt'];
const config = testConfig(
  prefix,
  SERVICES.map((name) => testService(name, name === 'stale' ? { staleAfter: 1000 } : {})),
);
let evaluator: Evaluator;

/** The pools with traffic in a decision. */
function serving(decision: Decision): string[] {
  return decision.pools.filter((pool) => pool.weight > 0).map((pool) => pool.pool);
}

async function record(service: string): Promise<ServiceRecord> {
  const found = await states.read(service);
  if (found === undefined) throw new Error(`no record for ${service}`);
  return found;
}

/** Waits for an evaluation that started after now (so it has seen everything written before this call). */
async function evaluatedAfterNow(service: string): Promise<ServiceRecord> {
  const now = await redisTimeMs(redis);
  return waitFor(
    async () => {
      const current = await states.read(service);
      return current !== undefined && current.evaluatedAt > now ? current : undefined;
    },
    { what: `an evaluation of ${service} after ${now}` },
  );
}

/** Starts a service healthy everywhere and waits for its first generation (the configured answer applied). */
async function healthy(service: string): Promise<ServiceRecord> {
  await probe.allUp(service);
  await flip(service);
  const first = await waitForGeneration(service, 1);
  expect(first.generation).toBe(1);
  expect(serving(first.state.decision)).toEqual(['a']);
  return first;
}

beforeAll(async () => {
  probe.startBeating();
  await probe.beat();
  evaluator = await Evaluator.start({
    config,
    redisUrl: REDIS_URL,
    id: 'scenario-evaluator',
    tickMs: 250,
    registry: new Registry(),
    logger,
  });
});

afterAll(async () => {
  probe.stop();
  await evaluator.close();
  await driver.close();
  await queues.close();
  await fixture.dispose();
});

test('a majority outage fails over: new generation, events, one apply job, routed notify jobs', async () => {
  await healthy('fail');
  await probe.setOpinions('fail', POOL_A, ['r1', 'r2'], 'down');
  await flip('fail');
  const failedOver = await waitForGeneration('fail', 2);
  expect(failedOver.generation).toBe(2);
  expect(serving(failedOver.state.decision)).toEqual(['b']);
  expect(failedOver.explanation.lines.join('\n')).toMatch(/a/);

  const log = await events.read({ services: ['fail'] });
  const changed = log.filter((event) => event.kind === 'decision-changed');
  expect(changed.map((event) => event.generation)).toEqual([1, 2]);
  expect(changed[1]?.explanation?.length).toBeGreaterThan(0);
  expect(log.find((event) => event.kind === 'pool-drained' && event.pool === 'a')?.generation).toBe(2);
  expect(new Set(log.map((event) => event.id)).size).toBe(log.length);

  const apply = await queues.apply.getJob('apply/fail/route53-main/Z123/2');
  expect(apply?.data).toEqual({ service: 'fail', provider: 'route53-main', zone: 'Z123', generation: 2 });
  expect(apply?.opts.attempts).toBeGreaterThan(1);
  expect(apply?.opts.backoff).toEqual(expect.objectContaining({ type: 'exponential' }));

  // Every event goes to `audit`; only warning and critical ones to `ops`.
  for (const event of log) {
    const audit = await queues.notify.getJob(`notify/fail/${event.id}/audit`);
    expect(audit?.data).toEqual({ service: 'fail', eventId: event.id, channel: 'audit', drill: false });
    const ops = await queues.notify.getJob(`notify/fail/${event.id}/ops`);
    expect(ops !== undefined).toBe(event.severity !== 'info');
  }
});

test('a single region seeing the pool down changes nothing', async () => {
  await healthy('one');
  await probe.setOpinions('one', POOL_A, ['r1'], 'down');
  await flip('one');
  const after = await evaluatedAfterNow('one');
  const later = await evaluatedAfterNow('one');
  expect(after.generation).toBe(1);
  expect(later.generation).toBe(1);
  expect(serving(later.state.decision)).toEqual(['a']);
  expect(await queues.apply.getJob('apply/one/route53-main/Z123/2')).toBeUndefined();
});

test('a region going stale is ignored, not counted as down', async () => {
  await healthy('stale');
  // r3 sees everything down, but its workers stop beating: its votes go stale before they could count.
  probe.silence('r3');
  await waitFor(async () => (await record('stale')).state.staleRegions.includes('r3'), {
    what: 'r3 to be marked stale',
  });
  await probe.setOpinions('stale', [...POOL_A, ...POOL_B], ['r3'], 'down');
  await probe.setOpinions('stale', POOL_A, ['r1'], 'down');
  await flip('stale');
  const after = await evaluatedAfterNow('stale');
  expect(after.generation).toBe(1);
  expect(serving(after.state.decision)).toEqual(['a']);
  const log = await events.read({ services: ['stale'] });
  expect(log.filter((event) => event.kind === 'region-stale' && event.region === 'r3')).toHaveLength(1);
  probe.revive('r3');
});

test('recovery fails back only after failbackAfter (2 s) of continuous health', async () => {
  await healthy('back');
  await probe.setOpinions('back', POOL_A, REGIONS, 'down');
  await flip('back');
  await waitForGeneration('back', 2);
  await probe.setOpinions('back', POOL_A, REGIONS, 'up');
  const recoveredAt = await redisTimeMs(redis);
  await flip('back');
  // Seen up again, but still waiting: the decision stays on b.
  const waiting = await evaluatedAfterNow('back');
  expect(waiting.generation).toBe(2);
  expect(serving(waiting.state.decision)).toEqual(['b']);
  const upSince = waiting.state.pools.a?.upSince;
  expect(upSince).toBeGreaterThanOrEqual(recoveredAt);

  const back = await waitForGeneration('back', 3, 6000);
  expect(serving(back.state.decision)).toEqual(['a']);
  expect(back.decidedAt - (upSince as number)).toBeGreaterThanOrEqual(2000);
  // Within about one tick of the delay ending (ticks every 250 ms; generous for a loaded machine).
  expect(back.decidedAt - (upSince as number)).toBeLessThan(2000 + 1500);
  const log = await events.read({ services: ['back'] });
  expect(log.filter((event) => event.kind === 'decision-changed').map((event) => event.generation)).toEqual([
    1, 2, 3,
  ]);
});

test('a freeze blocks changes until it is lifted', async () => {
  await healthy('frozen');
  const now = await redisTimeMs(redis);
  await overrides.set('frozen', {
    kind: 'freeze',
    id: 'f1',
    by: 'alice',
    reason: 'maintenance',
    createdAt: now,
  });
  await waitFor(async () => (await record('frozen')).state.activeOverrides.includes('f1'), {
    what: 'freeze seen',
  });
  await probe.setOpinions('frozen', POOL_A, REGIONS, 'down');
  await flip('frozen');
  const held = await waitFor(
    async () => {
      const log = await events.read({ services: ['frozen'] });
      return log.find((event) => event.kind === 'freeze-held');
    },
    { what: 'freeze-held event' },
  );
  expect(held.severity).not.toBe('info');
  const frozen = await evaluatedAfterNow('frozen');
  expect(frozen.generation).toBe(1);
  expect(serving(frozen.state.decision)).toEqual(['a']);

  expect(await overrides.remove('frozen', 'f1')).toBe(true);
  await flip('frozen');
  const unfrozen = await waitForGeneration('frozen', 2);
  expect(serving(unfrozen.state.decision)).toEqual(['b']);
});

test('a forced drain works and expires on its own', async () => {
  await healthy('drain');
  const now = await redisTimeMs(redis);
  await overrides.set('drain', {
    kind: 'force-pool',
    id: 'd1',
    pool: 'a',
    direction: 'out',
    by: 'bob',
    reason: 'bad deploy',
    createdAt: now,
    expiresAt: now + 1500,
  });
  await flip('drain');
  const drained = await waitForGeneration('drain', 2);
  expect(serving(drained.state.decision)).toEqual(['b']);
  expect(drained.decidedAt).toBeLessThan(now + 1500);

  // Nobody removes it: at expiry the quorum (everything up) takes over again. `a` was never drained by the
  // quorum, so it serves again at once.
  const restored = await waitForGeneration('drain', 3, 6000);
  expect(serving(restored.state.decision)).toEqual(['a']);
  expect(restored.decidedAt).toBeGreaterThanOrEqual(now + 1500);
  expect(await overrides.list('drain', restored.decidedAt)).toEqual([]);
  const log = await events.read({ services: ['drain'] });
  expect(log.some((event) => event.kind === 'override-expired' && event.override === 'd1')).toBe(true);
});

test('corrupt state in Redis gives a clear error naming the key and field, and the job fails with it', async () => {
  await healthy('corrupt');
  const key = keys.service('corrupt').state;
  const stored = JSON.parse((await redis.hget(key, 'state')) as string) as { pools: Record<string, unknown> };
  stored.pools.a = { verdict: 'sideways', eligible: true, failbackAfter: 2000 };
  // Bump the version too, as any writer would: an evaluation in flight must not commit over the damage.
  await redis.multi().hset(key, 'state', JSON.stringify(stored)).hincrby(key, 'version', 1).exec();

  await expect(states.read('corrupt')).rejects.toThrow(CorruptStateError);
  await expect(states.read('corrupt')).rejects.toThrow(`${key}, field state.pools.a.verdict`);
  await expect(evaluator.evaluateNow('corrupt')).rejects.toMatchObject({
    code: 'ECORRUPTSTATE',
    key,
    field: 'state.pools.a.verdict',
  });
  await flip('corrupt');
  const failed = await waitFor(
    async () => (await queues.evaluate.getFailed()).find((job) => job.data.service === 'corrupt'),
    { what: 'the failed evaluate job of corrupt' },
  );
  expect(failed.failedReason).toContain('state.pools.a.verdict');
  const logged = logger.entries.filter(
    (entry) => entry.fields.service === 'corrupt' && entry.level === 'error',
  );
  // Logged once, not on every tick.
  expect(logged).toHaveLength(1);
  expect(logged[0]?.message).toContain(key);
});

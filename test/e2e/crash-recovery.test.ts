/**
 * End to end through crashes, in separate processes on a private redis-server (so Redis itself can be
 * restarted): the evaluator SIGKILLed in the middle of an outage, and Redis restarted in the middle of one.
 * The world is support/e2e-world.ts; each scenario has its own service.
 */
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server';
import { waitFor } from '../support/wait-for';
import { deleteKeys } from '../support/redis-test-keys';
import { type E2eWorld, REGIONS, startE2eWorld, VALUE_A, VALUE_B } from './support/e2e-world';

jest.setTimeout(120_000);

let redisServer: PrivateRedis;
let world: E2eWorld;

beforeAll(async () => {
  // Persistence is chosen per restart: SHUTDOWN SAVE keeps the data, an empty snapshot loses it.
  redisServer = await startPrivateRedis();
  world = await startE2eWorld({
    name: 'crash',
    redisUrl: redisServer.url,
    subnet: 50,
    services: [
      { name: 'kill' },
      { name: 'persist', safety: '{ failbackAfter: 2s }' },
      { name: 'empty', safety: '{ failbackAfter: 2s }' },
    ],
  });
}, 120_000);

afterAll(async () => {
  await world?.dispose();
  await redisServer?.dispose();
});

async function eventually<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  try {
    return await waitFor(condition, { what, timeoutMs, intervalMs: 25 });
  } catch (error) {
    const tails = [...world.probes, world.evaluator()].map((p) => p.tail(6)).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails}`);
  }
}

/** Samples a service's decision generation and each target's applied generation until stopped. */
function sampleGenerations(service: string): { stop(): Promise<Array<Record<string, number | null>>> } {
  const samples: Array<Record<string, number | null>> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const [record, applied] = await Promise.all([
          world.record(service),
          world.appliedGenerations(service),
        ]);
        samples.push({ decision: record?.generation ?? null, ...applied });
      } catch {
        // Redis unreachable for a moment: no sample.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Fields whose value ever went down from one sample to a later one. */
function backwards(samples: Array<Record<string, number | null>>): string[] {
  const highest = new Map<string, number>();
  const regressions: string[] = [];
  for (const [index, sample] of samples.entries()) {
    for (const [field, value] of Object.entries(sample)) {
      if (value === null) continue;
      const top = highest.get(field);
      if (top !== undefined && value < top)
        regressions.push(`${field}: ${top} -> ${value} at sample ${index}`);
      highest.set(field, Math.max(top ?? value, value));
    }
  }
  return regressions;
}

test('the evaluator SIGKILLed mid-outage and restarted: the failover completes, no generation goes backwards', async () => {
  const before = await world.record('kill');
  const sampler = sampleGenerations('kill');
  const outageAt = world.dc('kill', 'a').set('down');

  // Mid-outage: as soon as the first region believes pool a down (the quorum is about to agree).
  await eventually(async () => {
    const opinions = await Promise.all(REGIONS.map((region) => world.opinion('kill', 'a1', region)));
    return opinions.includes('down');
  }, 'a first region to say kill/a1 is down');
  const killed = world.evaluator();
  killed.child.kill('SIGKILL');
  const exit = await killed.exited;
  expect(exit.signal).toBe('SIGKILL');
  const killedAt = Date.now();

  // The probes go on; the new evaluator starts once the quorum has agreed (the killed one may or may not
  // have decided and begun the applies: both happen, depending on the timing of the kill).
  await eventually(async () => {
    const opinions = await Promise.all(REGIONS.map((region) => world.opinion('kill', 'a1', region)));
    return opinions.filter((opinion) => opinion === 'down').length >= 2;
  }, 'a majority to say kill/a1 is down');
  await world.restartEvaluator();

  // An apply job the killed process held is only handed on once its BullMQ lock (30 s for apply jobs,
  // whatever --lock-duration says) has run out and the stalled check has seen it: allow for that.
  await eventually(() => world.route53Values('kill').join() === VALUE_B, 'Route 53 at pool b', 75_000);
  await eventually(() => world.clouddnsValues('kill').join() === VALUE_B, 'Cloud DNS at pool b', 75_000);
  const notified = await eventually(
    () => world.notifications('kill').find((n) => n.at >= outageAt && n.body.kind === 'failover'),
    'the failover notification',
  );
  // Everything in sync at the final generation: each target applied exactly the decision in force.
  const record = await world.record('kill');
  const generation = record?.generation ?? -1;
  expect(generation).toBeGreaterThan(before?.generation ?? 0);
  await eventually(async () => {
    const applied = await world.appliedGenerations('kill');
    return Object.values(applied).length === 2 && Object.values(applied).every((g) => g === generation);
  }, `both targets applied at generation ${generation}`);
  expect(notified.body.generation).toBe(generation);

  const samples = await sampler.stop();
  console.log(
    `e2e evaluator kill: killed ${killedAt - outageAt} ms after the outage; Route 53 at pool b after ` +
      `${(world.route53Changes('kill', outageAt)[0]?.at ?? NaN) - outageAt} ms; ${samples.length} samples`,
  );
  expect(samples.length).toBeGreaterThan(20);
  expect(backwards(samples)).toEqual([]);
  // Exactly one change per provider for the one failover: no retry or replay of the killed process wrote twice.
  expect(world.route53Changes('kill', outageAt)).toHaveLength(1);
  expect(world.clouddnsChanges('kill', outageAt)).toHaveLength(1);
});

/** Outage of pool a, then `restart` of Redis as soon as a first region says pool a is down; waits for convergence. */
async function outageWithRedisRestart(
  service: string,
  restart: () => Promise<void>,
): Promise<{ outageAt: number; restartedAt: number }> {
  const outageAt = world.dc(service, 'a').set('down');
  await eventually(async () => {
    const opinions = await Promise.all(REGIONS.map((region) => world.opinion(service, 'a1', region)));
    return opinions.includes('down');
  }, `a first region to say ${service}/a1 is down`);
  await restart();
  const restartedAt = Date.now();
  await eventually(() => world.route53Values(service).join() === VALUE_B, 'Route 53 at pool b', 45_000);
  await eventually(() => world.clouddnsValues(service).join() === VALUE_B, 'Cloud DNS at pool b', 45_000);
  const record = await eventually(async () => {
    const current = await world.record(service);
    const generations = Object.values(await world.appliedGenerations(service));
    return current !== undefined &&
      generations.length === 2 &&
      generations.every((g) => g === current.generation)
      ? current
      : undefined;
  }, 'the decision applied at both targets');
  expect(record.state.pools.a?.verdict).toBe('down');
  console.log(
    `e2e redis restart (${service}): Redis back ${restartedAt - outageAt} ms after the outage, Route 53 at ` +
      `pool b ${(world.route53Changes(service, outageAt)[0]?.at ?? NaN) - outageAt} ms after it`,
  );
  return { outageAt, restartedAt };
}

/** Down for a few probe intervals: probes buffer their observations, the evaluator's connections retry. */
const REDIS_DOWN_MS = 3000;

test('Redis restarted with its data (SHUTDOWN SAVE) mid-outage: converges, fails back, no generation backwards', async () => {
  const sampler = sampleGenerations('persist');
  await outageWithRedisRestart('persist', async () => {
    // Like a production Redis restart with persistence: everything written so far is kept.
    await world.redis.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    await redisServer.stop();
    await new Promise((resolve) => setTimeout(resolve, REDIS_DOWN_MS));
    await redisServer.start();
  });
  // Converged for good: the recovery is noticed and failed back after failbackAfter (2 s of health).
  world.dc('persist', 'a').set('up');
  await eventually(
    () => world.route53Values('persist').join() === VALUE_A,
    'Route 53 back at pool a',
    45_000,
  );
  await eventually(
    () => world.clouddnsValues('persist').join() === VALUE_A,
    'Cloud DNS back at pool a',
    45_000,
  );
  expect(backwards(await sampler.stop())).toEqual([]);
  expect(world.evaluator().running()).toBe(true);
  expect(world.probes.every((probe) => probe.running())).toBe(true);
});

/** Every key of this world deleted, the empty snapshot saved, then a restart: Redis comes back without our data. */
async function restartEmpty(): Promise<void> {
  await deleteKeys(world.redis, world.prefix);
  await world.redis.call('SAVE');
  await redisServer.stop();
  await new Promise((resolve) => setTimeout(resolve, REDIS_DOWN_MS));
  await redisServer.start();
}

/**
 * A Redis that comes back without its data has lost the tick job schedulers too: the evaluator notices they
 * are missing (it counts them every few seconds) and re-creates them, so evaluations run again, the failover
 * lands and the failback (which waits for failbackAfter of health, not for a flip) comes.
 */
test('Redis restarted empty (its data lost) mid-outage: converges, and fails back afterwards', async () => {
  const outageAt = world.dc('empty', 'a').set('down');
  await eventually(async () => {
    const opinions = await Promise.all(REGIONS.map((region) => world.opinion('empty', 'a1', region)));
    return opinions.includes('down');
  }, 'a first region to say empty/a1 is down');
  await restartEmpty();
  await waitFor(() => world.route53Values('empty').join() === VALUE_B, {
    what: `Route 53 at pool b after the empty restart (outage ${Date.now() - outageAt} ms ago)`,
    timeoutMs: 20_000,
  });
  world.dc('empty', 'a').set('up');
  await waitFor(() => world.route53Values('empty').join() === VALUE_A, {
    what: 'Route 53 back at pool a after the empty restart',
    timeoutMs: 15_000,
  });
});

/**
 * End to end, in separate processes (3 probe workers, the evaluator with its apply and notify workers), real
 * Redis, the local Route 53 and Cloud DNS API servers, a real webhook receiver, data centers as local HTTP
 * servers (support/e2e-world.ts). One world for the whole file; each scenario has its own service.
 *
 * - outage      one pool down for every region: both providers steered and notified within
 *               interval x failureThreshold + 2 s of the outage;
 * - cut-*       probe region r1 cut off from one data center by a fault proxy (blackhole, reset, slow): r1
 *               says down, the quorum does not, nothing changes;
 * - all-down    every data center down: fail-open, DNS unchanged, a critical notification;
 * - flap        a flapping data center: drained fast, restored slowly, DNS changes bounded by flap damping.
 */
import {
  type E2eWorld,
  FAILURE_THRESHOLD,
  INTERVAL_MS,
  REGIONS,
  startE2eWorld,
  VALUE_A,
  VALUE_B,
} from './support/e2e-world';
import { SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

/** The bound: interval x failureThreshold + 2 s, measured from the outage. */
const FAILOVER_BOUND_MS = INTERVAL_MS * FAILURE_THRESHOLD + 2000;
/** failbackAfter of the flapping service (its flap damping doubles it on a drain within flapWindow). */
const FLAP_FAILBACK_MS = 3000;

let world: E2eWorld;

beforeAll(async () => {
  world = await startE2eWorld({
    name: 'failover',
    redisUrl: SHARED_REDIS_URL,
    subnet: 40,
    services: [
      { name: 'outage' },
      { name: 'cut-blackhole', proxiedPools: ['a'] },
      { name: 'cut-reset', proxiedPools: ['a'] },
      { name: 'cut-slow', proxiedPools: ['a'] },
      { name: 'all-down' },
      {
        name: 'flap',
        safety: `{ failbackAfter: ${FLAP_FAILBACK_MS}ms, flapWindow: 5m, maxFailbackAfter: 1m }`,
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await world?.dispose();
});

/** Fails with the processes' last log lines: a timeout alone says little about four processes. */
async function eventually<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  try {
    return await waitFor(condition, { what, timeoutMs, intervalMs: 20 });
  } catch (error) {
    const tails = [...world.probes, world.evaluator()].map((p) => p.tail(5)).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails}`);
  }
}

test(`an outage of one pool seen by every region steers both providers and notifies within ${FAILOVER_BOUND_MS} ms`, async () => {
  const outageAt = world.dc('outage', 'a').set('down');

  const route53 = await eventually(
    () => world.route53Changes('outage', outageAt).find((change) => batchSets(change, VALUE_B)),
    'the Route 53 change to pool b',
  );
  const clouddns = await eventually(
    () =>
      world
        .clouddnsChanges('outage', outageAt)
        .find((change) => JSON.stringify(change.body).includes(VALUE_B)),
    'the Cloud DNS change to pool b',
  );
  const notified = await eventually(
    () => world.notifications('outage').find((n) => n.at >= outageAt && n.body.kind === 'failover'),
    'the failover notification',
  );
  const measured = {
    route53: route53.at - outageAt,
    clouddns: clouddns.at - outageAt,
    notification: notified.at - outageAt,
  };
  console.log(
    `e2e outage -> Route 53 change ${measured.route53} ms, Cloud DNS change ${measured.clouddns} ms, ` +
      `notification ${measured.notification} ms (bound ${FAILOVER_BOUND_MS} ms)`,
  );
  expect(measured.route53).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
  expect(measured.clouddns).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
  expect(measured.notification).toBeLessThanOrEqual(FAILOVER_BOUND_MS);

  // What the providers hold, and what the notification says.
  await eventually(() => world.route53Values('outage').join() === VALUE_B, 'Route 53 to hold pool b');
  await eventually(() => world.clouddnsValues('outage').join() === VALUE_B, 'Cloud DNS to hold pool b');
  expect(notified.body).toMatchObject({ service: 'outage', kind: 'failover', drill: false });
  expect(notified.body.severity).not.toBe('info');
  const record = await world.record('outage');
  expect(record?.state.decision.pools).toEqual([
    expect.objectContaining({ pool: 'a', weight: 0 }),
    expect.objectContaining({ pool: 'b', weight: 1 }),
  ]);
});

test('one probe region cut off from one data center (blackhole, reset, slow) fails nothing over', async () => {
  const services = ['cut-blackhole', 'cut-reset', 'cut-slow'];
  // Before the fault, r1's checks of pool a go through the proxies (and pass).
  for (const service of services)
    expect(world.proxies[`${service}-a`]?.stats().acceptedIn.pass).toBeGreaterThan(0);
  const before = await Promise.all(services.map((service) => world.record(service)));

  const cutAt = Date.now();
  world.proxies['cut-blackhole-a']?.setMode('blackhole');
  world.proxies['cut-reset-a']?.setMode('reset');
  // Each chunk held longer than the check's 500 ms timeout.
  world.proxies['cut-slow-a']?.setMode('slow', { slowDelayMs: 800 });

  for (const service of services) {
    await eventually(
      async () => (await world.opinion(service, 'a1', 'r1')) === 'down',
      `r1 to say ${service}/a1 is down`,
    );
  }
  // A window of several probe intervals with r1 saying down: the quorum (2 of 3) never agrees.
  const windowStart = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 6 * INTERVAL_MS));

  for (const [index, service] of services.entries()) {
    expect(await world.opinion(service, 'a1', 'r1')).toBe('down');
    expect(await world.opinion(service, 'a1', 'r2')).toBe('up');
    expect(await world.opinion(service, 'a1', 'r3')).toBe('up');
    const record = await world.record(service);
    // Evaluations kept running through the window; the decision and its generation never moved.
    expect(record?.evaluatedAt).toBeGreaterThan(windowStart);
    expect(record?.generation).toBe(before[index]?.generation);
    expect(record?.state.decision).toEqual(before[index]?.state.decision);
    expect(world.route53Values(service)).toEqual([VALUE_A]);
    expect(world.clouddnsValues(service)).toEqual([VALUE_A]);
    expect(world.route53Changes(service, cutAt)).toEqual([]);
    expect(world.clouddnsChanges(service, cutAt)).toEqual([]);
    expect(world.notifications(service).filter((n) => n.at >= cutAt && n.body.kind === 'failover')).toEqual(
      [],
    );
  }
  expect(world.proxies['cut-blackhole-a']?.stats().acceptedIn.blackhole).toBeGreaterThan(0);
  expect(world.proxies['cut-reset-a']?.stats().resets).toBeGreaterThan(0);
  expect(world.proxies['cut-slow-a']?.stats().acceptedIn.slow).toBeGreaterThan(0);
  for (const service of services) world.proxies[`${service}-a`]?.setMode('pass');
});

test('every data center down: fail-open keeps DNS unchanged and sends a critical notification', async () => {
  const startedAt = Date.now();
  // Pool b first, so that pool a is never drained in favour of b: the answer must stay pool a throughout.
  world.dc('all-down', 'b').set('down');
  await eventually(
    async () => (await world.record('all-down'))?.state.pools.b?.verdict === 'down',
    'pool b down',
  );
  world.dc('all-down', 'a').set('down');

  const critical = await eventually(
    () => world.notifications('all-down').find((n) => n.at >= startedAt && n.body.kind === 'fail-open'),
    'the fail-open notification',
  );
  expect(critical.body.severity).toBe('critical');
  const record = await world.record('all-down');
  expect(record?.state.failOpen).toBe(true);
  expect(record?.state.pools.a?.verdict).toBe('down');
  // Still pool a everywhere, and nothing was ever written for this name.
  expect(world.route53Values('all-down')).toEqual([VALUE_A]);
  expect(world.clouddnsValues('all-down')).toEqual([VALUE_A]);
  expect(world.route53Changes('all-down', startedAt)).toEqual([]);
  expect(world.clouddnsChanges('all-down', startedAt)).toEqual([]);
});

test('a flapping data center is drained fast, restored slowly, and costs a bounded number of DNS changes', async () => {
  const dc = world.dc('flap', 'a');
  const startedAt = Date.now();
  const changes = (): number => world.route53Changes('flap', startedAt).length;
  const answer = (): string => world.route53Values('flap').join();

  // 1. Down: drained within the failover bound (drain fast: never delayed by damping).
  let downAt = dc.set('down');
  await eventually(() => answer() === VALUE_B, 'first drain');
  const firstDrainMs = Date.now() - downAt;

  // 2. Up: restored only after failbackAfter of continuous health (restore slow).
  let upAt = dc.set('up');
  await eventually(() => answer() === VALUE_A, 'first restore', 30_000);
  const firstRestoreMs = Date.now() - upAt;

  // 3. Down again within flapWindow of that restore: drained as fast, and the next failbackAfter doubles.
  downAt = dc.set('down');
  await eventually(() => answer() === VALUE_B, 'second drain');
  const secondDrainMs = Date.now() - downAt;
  const damped = await world.record('flap');
  expect(damped?.state.pools.a?.failbackAfter).toBe(2 * FLAP_FAILBACK_MS);

  // 4. Flapping on: up (by the quorum) for longer than the configured failbackAfter but shorter than the
  //    doubled one, then down again. Without damping the pool would have come back in between.
  dc.set('up');
  await eventually(
    async () => (await world.record('flap'))?.state.pools.a?.verdict === 'up',
    'pool a up again',
  );
  await new Promise((resolve) => setTimeout(resolve, FLAP_FAILBACK_MS + 500));
  expect(answer()).toBe(VALUE_B);
  dc.set('down');
  await eventually(
    async () => (await world.record('flap'))?.state.pools.a?.verdict === 'down',
    'pool a down again',
  );

  // 5. The flapping stops: restored after the doubled failbackAfter, not before.
  upAt = dc.set('up');
  await eventually(() => answer() === VALUE_A, 'final restore', 40_000);
  const finalRestoreMs = Date.now() - upAt;
  await eventually(() => world.clouddnsValues('flap').join() === VALUE_A, 'Cloud DNS back at pool a');

  console.log(
    `e2e flap: drains after ${firstDrainMs} / ${secondDrainMs} ms, restores after ${firstRestoreMs} / ` +
      `${finalRestoreMs} ms, ${changes()} Route 53 changes for 3 outages`,
  );
  expect(firstDrainMs).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
  expect(secondDrainMs).toBeLessThanOrEqual(FAILOVER_BOUND_MS);
  expect(firstRestoreMs).toBeGreaterThanOrEqual(FLAP_FAILBACK_MS);
  expect(finalRestoreMs).toBeGreaterThanOrEqual(2 * FLAP_FAILBACK_MS);
  // Three outages; drain, restore, drain, restore: four changes, where an undamped pool would cost six.
  expect(changes()).toBe(4);
  expect(world.clouddnsChanges('flap', startedAt)).toHaveLength(4);
});

test('every probe region reported throughout (no region went stale)', async () => {
  const record = await world.record('outage');
  expect(record?.state.staleRegions).toEqual([]);
  expect(
    REGIONS.every((region) => world.probes.some((p) => p.name === `probe-${region}` && p.running())),
  ).toBe(true);
});

/** Whether an accepted Route 53 change sets the name to `value`. */
function batchSets(
  request: { batch?: { changes: Array<{ action: string; recordSet: { values?: string[] } }> } },
  value: string,
): boolean {
  return (request.batch?.changes ?? []).some(
    (change) => change.action !== 'DELETE' && (change.recordSet.values ?? []).includes(value),
  );
}

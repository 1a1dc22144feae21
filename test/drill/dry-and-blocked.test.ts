/**
 * Through the real pipeline: a dry drill plans the DNS change and changes nothing (the answer at the name
 * server never moves); drills of pools that cannot be drained fail honestly, naming the rule
 * (maxDrainedPools; fail-open when the pool is the only one that can serve), and end early.
 */
import { runDrill } from '../../src/drill/run-drill';
import { AppliedStore } from '../../src/providers/applied-store';
import { StateStore } from '../../src/evaluator/state-store';
import { type DrillWorld, POOL_A, startDrillWorld, waitFor } from './support/drill-world';

let world: DrillWorld;

beforeAll(async () => {
  world = await startDrillWorld('dry', {
    extraServices: (ports) => `  trio:
    names: [trio.lab.test]
    safety: { maxDrainedPools: 1, failbackAfter: 1s, flapWindow: 0s }
    pools:
      a:
        endpoints:
          - { name: ta1, address: 192.0.2.30, check: { port: ${ports.a} } }
      b:
        endpoints:
          - { name: tb1, address: 192.0.2.31, check: { port: ${ports.b} } }
      c:
        endpoints:
          - { name: tc1, address: 192.0.2.32, check: { port: ${ports.closed} } }
    providers:
      - { provider: lab }
    drill: { failoverWithin: 30s }
  solo:
    names: [solo.lab.test]
    pools:
      only:
        endpoints:
          - { name: s1, address: 192.0.2.40, check: { port: ${ports.a} } }
      dead:
        endpoints:
          - { name: s2, address: 192.0.2.41, check: { port: ${ports.closed} } }
    providers:
      - { provider: lab }
`,
  });
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

test('a dry drill plans the change, changes no DNS, and passes', async () => {
  const appliedStore = new AppliedStore(world.redis, world.keys);
  const appliedAt = (generation: number) =>
    waitFor(
      async () => {
        const record = await appliedStore.read('web', 'lab', 'lab.test');
        return record?.generation === generation ? record : undefined;
      },
      { what: `generation ${generation} applied` },
    );
  const before = await appliedAt(1);
  const answers: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      answers.push((await world.answer()).join(','));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const report = await runDrill({
    config: world.config,
    redis: world.redis,
    service: 'web',
    pool: 'a',
    mode: 'dry',
    durationMs: 3000,
    by: 'dry-test',
  });
  sampling = false;
  await sampler;
  if (report.verdict !== 'pass') throw new Error(`dry drill failed: ${JSON.stringify(report, null, 2)}`);
  const step = (name: string) => report.timeline.find((s) => s.step === name);
  expect(step('decision')?.status).toBe('done');
  expect(step('submitted')).toMatchObject({ status: 'done', detail: 'planned, nothing changed' });
  expect(step('in-sync')).toMatchObject({ status: 'skipped', detail: 'dry drill: DNS is not changed' });
  expect(step('answer')).toMatchObject({ status: 'skipped', detail: 'dry drill: DNS is not changed' });
  expect(report.objectives[0]).toMatchObject({ objective: 'failoverWithin', to: 'decision', status: 'pass' });
  // The answer at the name server never moved, sampled all through the drill.
  expect(answers.length).toBeGreaterThan(20);
  expect(new Set(answers)).toEqual(new Set([POOL_A]));
  expect(report.generations.failover).toBe(2);
  // The drill's generation was only planned. The failback after it (the answer of before; a dry drill does not
  // wait for it) is applied for real and finds nothing to change: the change ids stay those of before the drill.
  const applied = await appliedAt(3);
  expect(applied.syncState).toBe('in-sync');
  expect(applied.changeIds).toEqual(before?.changeIds);
}, 60_000);

test('a pool that maxDrainedPools keeps serving: the drill fails naming the rule, and ends early', async () => {
  const states = new StateStore(world.redis, world.keys);
  await waitFor(async () => (await states.read('trio'))?.state.pools.c?.eligible === false, {
    what: 'pool c of trio drained (its endpoint is down)',
    timeoutMs: 20_000,
  });
  const started = Date.now();
  const report = await runDrill({
    config: world.config,
    redis: world.redis,
    service: 'trio',
    pool: 'a',
    mode: 'live',
    durationMs: 60_000,
    by: 'blocked-test',
    postRestoreWaitMs: 5000,
  });
  expect(report.verdict).toBe('fail');
  expect(report.timeline.find((s) => s.step === 'decision')).toMatchObject({
    status: 'blocked',
    rule: 'max-drained-pools',
  });
  expect(report.reasons.join('\n')).toContain('blocked by rule max-drained-pools');
  expect(report.objectives[0]).toMatchObject({ objective: 'failoverWithin', status: 'fail' });
  // It did not sit out its minute: a blocked failover is the drill's answer.
  expect(Date.now() - started).toBeLessThan(45_000);
  expect(report.timeline.find((s) => s.step === 'restored')?.at).toBeLessThan(report.plannedEndAt);
  expect(await world.redis.exists(world.keys.service('trio').drill)).toBe(0);
}, 60_000);

test('the only pool that can serve: fail-open keeps it, and the drill fails naming fail-open', async () => {
  const states = new StateStore(world.redis, world.keys);
  await waitFor(async () => (await states.read('solo'))?.state.pools.dead?.eligible === false, {
    what: 'pool dead of solo drained',
    timeoutMs: 20_000,
  });
  const report = await runDrill({
    config: world.config,
    redis: world.redis,
    service: 'solo',
    pool: 'only',
    mode: 'live',
    durationMs: 60_000,
    by: 'blocked-test',
    postRestoreWaitMs: 5000,
  });
  expect(report.verdict).toBe('fail');
  expect(report.timeline.find((s) => s.step === 'decision')).toMatchObject({
    status: 'blocked',
    rule: 'fail-open',
  });
  expect(report.reasons[0]).toMatch(/^failover: .*blocked by rule fail-open/);
  expect(await world.answer('solo.lab.test')).toEqual(['192.0.2.40']);
}, 60_000);

test('an overlay key holding something else (wrong type) stops neither probes nor evaluations', async () => {
  const states = new StateStore(world.redis, world.keys);
  const key = world.keys.service('web').drill;
  await world.redis.hset(key, 'not', 'an overlay');
  try {
    const before = (await states.read('web'))?.evaluatedAt ?? 0;
    await waitFor(async () => ((await states.read('web'))?.evaluatedAt ?? 0) > before + 2000, {
      what: 'evaluations of web to go on',
      timeoutMs: 15_000,
    });
    const last = JSON.parse((await world.redis.hget(world.keys.service('web').last, 'a1\tr1')) ?? '{}') as {
      ok?: boolean;
      drill?: boolean;
    };
    expect(last).toMatchObject({ ok: true });
    expect(last.drill).toBeUndefined();
  } finally {
    await world.redis.del(key);
  }
}, 30_000);

import { clampDrains } from '../../src/quorum/max-drained-pools';
import { Scenario, serving, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

describe('maxDrainedPools', () => {
  const service = buildService({
    policy: 'weighted',
    pools: [
      { name: 'a', priority: 3 },
      { name: 'b', priority: 1 },
      { name: 'c', priority: 2 },
      { name: 'd', priority: 4 },
    ],
    safety: { maxDrainedPools: 1 },
  });
  const up = uniformOpinions(service, 'up');
  const down = (...pools: string[]) =>
    pools.reduce((matrix, pool) => withPool(service, matrix, pool, 'down'), up);

  it('drains new candidates in order of preference (lowest priority first) into the free slots', () => {
    expect(clampDrains(service, ['a', 'c', 'b'], 0)).toEqual({ drain: ['b'], hold: ['c', 'a'] });
    expect(clampDrains(service, ['a', 'c'], 1)).toEqual({ drain: [], hold: ['c', 'a'] });
    expect(
      clampDrains({ ...service, safety: { ...service.safety, maxDrainedPools: undefined } }, ['a', 'c'], 5),
    ).toEqual({ drain: ['c', 'a'], hold: [] });
  });

  it('keeps the excess serving with a critical drain-clamped event, once per pool entering the held set', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    const first = scenario.evaluate({ opinions: down('a', 'b', 'c') });
    expect(first.state.pools.b?.eligible).toBe(false);
    expect(first.state.pools.a?.eligible).toBe(true);
    expect(first.state.pools.c?.eligible).toBe(true);
    expect(serving(first.state.decision)).toEqual(['a', 'c', 'd']);
    expect(first.state.held['max-drained-pools']).toEqual(['c', 'a']);
    const clamped = first.events.filter((event) => event.kind === 'drain-clamped');
    expect(clamped.map((event) => event.pool)).toEqual(['c', 'a']);
    expect(clamped[0]).toMatchObject({ severity: 'critical', rule: 'max-drained-pools' });
    expect(clamped[0]?.message).toBe(
      'api: pool c keeps serving although the quorum says down: maxDrainedPools 1 already reached (drained: b); quorum 2/3 (us-east-1, europe-west1, onprem-fra say down)',
    );
    expect(first.explanation.rules).toContain('max-drained-pools');
    expect(first.explanation.pools.find((pool) => pool.pool === 'c')?.status).toBe('held');

    const second = scenario.evaluate({ opinions: down('a', 'b', 'c') });
    expect(second.events.filter((event) => event.kind === 'drain-clamped')).toEqual([]);
    expect(second.state.held['max-drained-pools']).toEqual(['c', 'a']);

    // c recovers: it leaves the held set; a is still held and says nothing new.
    const third = scenario.evaluate({ opinions: down('a', 'b') });
    expect(third.state.held['max-drained-pools']).toEqual(['a']);
    expect(third.events.filter((event) => event.kind === 'drain-clamped')).toEqual([]);
    // c goes down again: it enters the held set again, and says so again.
    const fourth = scenario.evaluate({ opinions: down('a', 'b', 'c') });
    expect(
      fourth.events.filter((event) => event.kind === 'drain-clamped').map((event) => event.pool),
    ).toEqual(['c']);
  });

  it('drains a held pool as soon as a slot frees up, and never restores early to make room', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    scenario.evaluate({ opinions: down('b', 'c') });
    expect(scenario.state?.pools.c?.eligible).toBe(true);
    // b is up again but must wait for failbackAfter: c stays held meanwhile.
    scenario.evaluate({ opinions: down('c') });
    expect(scenario.state?.pools.b?.eligible).toBe(false);
    expect(scenario.state?.pools.c?.eligible).toBe(true);
    const restored = scenario.evaluate({ opinions: down('c'), at: scenario.now + 60_000 });
    expect(restored.state.pools.b?.eligible).toBe(true);
    expect(restored.state.pools.c?.eligible).toBe(false);
    expect(restored.state.held['max-drained-pools']).toBeUndefined();
  });

  it('does not spend a slot on a down pool an operator forces in: that pool is serving', () => {
    const scenario = new Scenario(service);
    const forceIn = {
      kind: 'force-pool' as const,
      id: 'in-b',
      pool: 'b',
      direction: 'in' as const,
      by: 'op',
      reason: 'probes are wrong',
      createdAt: 0,
    };
    scenario.evaluate({ opinions: up });
    const output = scenario.evaluate({ opinions: down('b', 'c'), overrides: [forceIn] });
    expect(output.state.pools.c?.eligible).toBe(false);
    expect(output.state.held['max-drained-pools']).toBeUndefined();
    expect(serving(output.state.decision)).toEqual(['a', 'b', 'd']);
    // When the override ends, b is a candidate like any other: the slot is taken, so it is held.
    const ended = scenario.evaluate({ opinions: down('b', 'c') });
    expect(ended.state.held['max-drained-pools']).toEqual(['b']);
    expect(ended.events.map((event) => `${event.kind}:${event.pool ?? ''}`)).toContain('drain-clamped:b');
  });

  it('neither counts nor clamps operator force-outs', () => {
    const scenario = new Scenario(service);
    const forceOut = (pool: string) => ({
      kind: 'force-pool' as const,
      id: `out-${pool}`,
      pool,
      direction: 'out' as const,
      by: 'op',
      reason: 'maintenance',
      createdAt: 0,
    });
    scenario.evaluate({ opinions: up });
    const output = scenario.evaluate({ opinions: down('c'), overrides: [forceOut('a'), forceOut('b')] });
    expect(output.state.pools.c?.eligible).toBe(false);
    expect(serving(output.state.decision)).toEqual(['d']);
  });
});

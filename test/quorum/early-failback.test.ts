import type { Override } from '../../src/quorum/types';
import { Scenario, serving, uniformOpinions, weights, withEndpoint, withPool } from './scenario';
import { buildService } from './service-builder';

const t0 = Date.UTC(2026, 0, 1);

function forcePool(pool: string, direction: 'in' | 'out'): Override {
  return {
    kind: 'force-pool',
    id: `${direction}-${pool}`,
    pool,
    direction,
    by: 'carol',
    reason: 'maintenance',
    createdAt: t0,
  };
}

describe('early failback: a pool up again is restored at once when no other pool could serve', () => {
  const service = buildService({ safety: { failbackAfter: 60_000 } });
  const up = uniformOpinions(service, 'up');
  const aDown = withPool(service, up, 'a', 'down');
  const bDown = withPool(service, up, 'b', 'down');

  /** a drained at t0+10s and up again since t0+20s (waiting until t0+80s), b serving. */
  function aWaiting(target = service): Scenario {
    const scenario = new Scenario(target);
    const targetUp = uniformOpinions(target, 'up');
    scenario.evaluate({ opinions: targetUp, at: t0 });
    scenario.evaluate({ opinions: withPool(target, targetUp, 'a', 'down'), at: t0 + 10_000 });
    const waiting = scenario.evaluate({ opinions: targetUp, at: t0 + 20_000 });
    expect(waiting.state.pools.a).toMatchObject({ verdict: 'up', eligible: false, upSince: t0 + 20_000 });
    return scenario;
  }

  it('failover: every other pool down -> the recovering pool serves at once, announced with its reason', () => {
    const scenario = aWaiting();
    const output = scenario.evaluate({ opinions: bDown, at: t0 + 30_000 });

    expect(serving(output.state.decision)).toEqual(['a']);
    expect(output.changed).toBe(true);
    expect(output.state.failOpen).toBe(false);
    expect(output.state.held['fail-open']).toBeUndefined();
    // A restore like any other for the bookkeeping: restoredAt = now, so flap damping sees it.
    expect(output.state.pools.a).toMatchObject({
      eligible: true,
      restoredAt: t0 + 30_000,
      upSince: t0 + 20_000,
      drainedAt: t0 + 10_000,
    });
    expect(output.state.pools.b).toMatchObject({ verdict: 'down', eligible: false });

    const restored = output.events.filter((event) => event.kind === 'pool-restored');
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ pool: 'a', severity: 'warning', rule: 'early-failback' });
    expect(restored[0]?.message).toBe(
      'api: pool a restored early: every other pool is down (b drained (down)); up for 10s of its failbackAfter 1m; ' +
        'quorum 2/3 (us-east-1, europe-west1, onprem-fra say up)',
    );
    expect(output.events.find((event) => event.kind === 'decision-changed')).toMatchObject({
      rule: 'early-failback',
      severity: 'warning',
    });
    expect(output.events.map((event) => event.kind)).not.toContain('fail-open');

    expect(output.explanation.rules).toContain('early-failback');
    expect(output.explanation.rules).not.toContain('fail-open');
    expect(output.explanation.pools[0]).toMatchObject({ pool: 'a', status: 'eligible', weight: 1 });
    expect(output.explanation.pools[0]?.line).toBe(
      'pool a (weight 1): serving, restored early: every other pool is down (b drained (down)); ' +
        'up for 10s of its failbackAfter 1m; verdict up, 2 of 2 endpoints up, 1 needed',
    );

    // The event fires once: the next evaluation is an ordinary one.
    const next = scenario.evaluate({ opinions: bDown, at: t0 + 40_000 });
    expect(next.events.filter((event) => event.kind === 'pool-restored')).toEqual([]);
    expect(next.explanation.rules).not.toContain('early-failback');
    expect(next.explanation.pools[0]?.line).toContain('pool a (weight 1): serving;');
  });

  it('counts an early restore for flap damping: a drain within flapWindow doubles failbackAfter', () => {
    const scenario = aWaiting();
    scenario.evaluate({ opinions: bDown, at: t0 + 30_000 });
    const allDown = uniformOpinions(service, 'down');
    const again = scenario.evaluate({ opinions: allDown, at: t0 + 40_000 });
    expect(again.state.pools.a).toMatchObject({ eligible: false, failbackAfter: 120_000 });
    expect(again.events.find((event) => event.kind === 'flap-damped')).toMatchObject({ pool: 'a' });
    // Nothing is up: fail-open keeps the last good answer (a), as before.
    expect(again.state.failOpen).toBe(true);
    expect(serving(again.state.decision)).toEqual(['a']);
  });

  it('all pools down: fail-open keeps the last good answer and restores nothing (unchanged behaviour)', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    scenario.evaluate({ opinions: aDown, at: t0 + 10_000 });
    const output = scenario.evaluate({ opinions: uniformOpinions(service, 'down'), at: t0 + 20_000 });
    expect(output.state.failOpen).toBe(true);
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.state.held['fail-open']).toEqual(['b']);
    expect(output.state.pools.a?.eligible).toBe(false);
    expect(output.state.pools.b?.eligible).toBe(false);
    expect(output.events.filter((event) => event.kind === 'pool-restored')).toEqual([]);
    expect(output.events.filter((event) => event.kind === 'fail-open')).toHaveLength(1);
    expect(output.explanation.rules).not.toContain('early-failback');
  });

  it('a drained pool whose verdict holds at down (no quorum) is no candidate', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    scenario.evaluate({ opinions: aDown, at: t0 + 10_000 });
    const silent = withPool(service, bDown, 'a', 'unknown');
    const output = scenario.evaluate({ opinions: silent, at: t0 + 20_000 });
    expect(output.state.pools.a).toMatchObject({ verdict: 'down', eligible: false });
    expect(output.state.failOpen).toBe(true);
    expect(serving(output.state.decision)).toEqual(['b']);
  });

  it('failover with several recovering pools: only the one that will carry traffic is restored early', () => {
    const three = buildService({ pools: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    const scenario = new Scenario(three);
    const allDown = uniformOpinions(three, 'down');
    scenario.evaluate({ opinions: uniformOpinions(three, 'up'), at: t0 });
    scenario.evaluate({ opinions: allDown, at: t0 + 10_000 });
    const bAndCUp = withPool(three, withPool(three, allDown, 'b', 'up'), 'c', 'up');
    const output = scenario.evaluate({ opinions: bAndCUp, at: t0 + 20_000 });
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.state.pools.b).toMatchObject({ eligible: true, restoredAt: t0 + 20_000 });
    expect(output.state.pools.c).toMatchObject({ eligible: false, verdict: 'up' });
    expect(output.state.pools.c?.restoredAt).toBeUndefined();
    expect(
      output.events.filter((event) => event.kind === 'pool-restored').map((event) => event.pool),
    ).toEqual(['b']);
    expect(output.events.find((event) => event.kind === 'pool-restored')?.message).toContain(
      'every other pool is down (a drained (down), c up, still waiting for failback (not needed))',
    );
    expect(output.events.map((event) => event.kind)).toContain('fail-open-cleared');
    expect(output.explanation.pools[2]).toMatchObject({
      pool: 'c',
      status: 'failback-wait',
      failbackIn: 60_000,
    });
    // c comes back the slow way, as a standby.
    const later = scenario.evaluate({ opinions: bAndCUp, at: t0 + 80_000 });
    expect(later.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'c',
      rule: 'failback-delay',
    });
    expect(serving(later.state.decision)).toEqual(['b']);
  });

  it('weighted: the recovering pool gets its configured weight at once', () => {
    const weighted = buildService({
      policy: 'weighted',
      pools: [
        { name: 'a', weight: 3 },
        { name: 'b', weight: 1 },
      ],
    });
    const scenario = aWaiting(weighted);
    const output = scenario.evaluate({
      opinions: withPool(weighted, uniformOpinions(weighted, 'up'), 'b', 'down'),
      at: t0 + 30_000,
    });
    expect(weights(output.state.decision)).toEqual({ a: 3, b: 0 });
    expect(output.state.failOpen).toBe(false);
    expect(output.state.pools.a).toMatchObject({ eligible: true, restoredAt: t0 + 30_000 });
    expect(output.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'a',
      rule: 'early-failback',
    });
  });

  it('weighted: a recovering pool of weight 0 would carry nothing, so it keeps waiting and fail-open holds', () => {
    const weighted = buildService({
      policy: 'weighted',
      pools: [
        { name: 'a', weight: 0 },
        { name: 'b', weight: 2 },
      ],
    });
    const scenario = aWaiting(weighted);
    const output = scenario.evaluate({
      opinions: withPool(weighted, uniformOpinions(weighted, 'up'), 'b', 'down'),
      at: t0 + 30_000,
    });
    expect(output.state.pools.a).toMatchObject({ eligible: false, verdict: 'up' });
    expect(output.state.pools.a?.restoredAt).toBeUndefined();
    expect(output.state.failOpen).toBe(true);
    expect(weights(output.state.decision)).toEqual({ a: 0, b: 2 });
    expect(output.events.filter((event) => event.kind === 'pool-restored')).toEqual([]);
  });

  it('all-healthy: the recovering pool serves at once with only its endpoints not known to be down', () => {
    const allHealthy = buildService({ policy: 'all-healthy' });
    const allHealthyUp = uniformOpinions(allHealthy, 'up');
    const scenario = new Scenario(allHealthy);
    scenario.evaluate({ opinions: allHealthyUp, at: t0 });
    scenario.evaluate({ opinions: withPool(allHealthy, allHealthyUp, 'a', 'down'), at: t0 + 10_000 });
    // a-1 is back (minHealthy 1: pool a is up), a-2 is still down.
    const aHalfUp = withEndpoint(allHealthy, allHealthyUp, 'a-2', 'down');
    scenario.evaluate({ opinions: aHalfUp, at: t0 + 20_000 });
    const output = scenario.evaluate({
      opinions: withPool(allHealthy, aHalfUp, 'b', 'down'),
      at: t0 + 30_000,
    });
    expect(output.state.decision.pools).toEqual([
      { pool: 'a', weight: 1, endpoints: ['a-1'] },
      { pool: 'b', weight: 0, endpoints: ['b-1', 'b-2'] },
    ]);
    expect(output.state.failOpen).toBe(false);
    expect(output.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'a',
      rule: 'early-failback',
    });
  });

  it('a forced-out pool is never restored early; once the override ends it is, if still needed', () => {
    const scenario = aWaiting();
    const out = scenario.evaluate({ opinions: bDown, at: t0 + 30_000, overrides: [forcePool('a', 'out')] });
    expect(out.state.pools.a).toMatchObject({ eligible: false, forced: 'out', verdict: 'up' });
    expect(out.state.pools.a?.restoredAt).toBeUndefined();
    expect(out.state.failOpen).toBe(true);
    expect(serving(out.state.decision)).toEqual(['b']);
    expect(out.events.filter((event) => event.kind === 'pool-restored')).toEqual([]);
    expect(out.explanation.rules).not.toContain('early-failback');

    const still = scenario.evaluate({ opinions: bDown, at: t0 + 40_000, overrides: [forcePool('a', 'out')] });
    expect(still.state.pools.a?.eligible).toBe(false);

    // The override is removed before a's failbackAfter (t0+80s): a is restored early then.
    const ended = scenario.evaluate({ opinions: bDown, at: t0 + 50_000 });
    expect(ended.state.pools.a).toMatchObject({ eligible: true, restoredAt: t0 + 50_000 });
    expect(ended.state.pools.a?.forced).toBeUndefined();
    expect(ended.state.failOpen).toBe(false);
    expect(serving(ended.state.decision)).toEqual(['a']);
    expect(ended.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'a',
      rule: 'early-failback',
    });
  });

  it('a forced-in pool needs no early restore: it already serves', () => {
    const scenario = aWaiting();
    const output = scenario.evaluate({ opinions: bDown, at: t0 + 30_000, overrides: [forcePool('b', 'in')] });
    // b is forced in: it serves (down) by the operator's word, so nothing is restored early.
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.state.pools.a).toMatchObject({ eligible: false, verdict: 'up' });
    expect(output.events.filter((event) => event.kind === 'pool-restored')).toEqual([]);
  });

  it('failback: manual pools are restored early too, saying so; afterwards manual failback applies again', () => {
    const manual = buildService({ safety: { failback: 'manual', failbackAfter: 60_000 } });
    const manualUp = uniformOpinions(manual, 'up');
    const scenario = aWaiting(manual);
    const waiting = scenario.evaluate({ opinions: manualUp, at: t0 + 25_000 });
    expect(waiting.explanation.pools[0]?.status).toBe('failback-manual');

    const output = scenario.evaluate({ opinions: withPool(manual, manualUp, 'b', 'down'), at: t0 + 30_000 });
    expect(serving(output.state.decision)).toEqual(['a']);
    expect(output.state.pools.a).toMatchObject({ eligible: true, restoredAt: t0 + 30_000 });
    const restored = output.events.find((event) => event.kind === 'pool-restored');
    expect(restored).toMatchObject({ pool: 'a', rule: 'early-failback', severity: 'warning' });
    expect(restored?.message).toBe(
      'api: pool a restored early: every other pool is down (b drained (down)); up for 10s; ' +
        'failback is manual, but a healthy pool beats a down one; quorum 2/3 (us-east-1, europe-west1, onprem-fra say up)',
    );
    expect(output.explanation.pools[0]?.line).toContain(
      'restored early: every other pool is down (b drained (down)); up for 10s; failback is manual',
    );

    // b recovers while a serves: b waits for an operator, as manual failback says.
    const bBack = scenario.evaluate({ opinions: manualUp, at: t0 + 86_400_000 });
    expect(bBack.state.pools.b).toMatchObject({ eligible: false, verdict: 'up' });
    expect(bBack.explanation.pools[1]?.status).toBe('failback-manual');
  });

  it('shows a damped failbackAfter in the early-restore message', () => {
    const scenario = aWaiting();
    // a flaps: restored early, drained again (damped to 2m), up again, then b goes down.
    scenario.evaluate({ opinions: bDown, at: t0 + 30_000 });
    // a is down again and b (drained at 30s) is up again: b is the one restored early now.
    const swap = scenario.evaluate({ opinions: aDown, at: t0 + 40_000 });
    expect(serving(swap.state.decision)).toEqual(['b']);
    expect(swap.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'b',
      rule: 'early-failback',
    });
    scenario.evaluate({ opinions: up, at: t0 + 50_000 });
    expect(scenario.state?.pools.a).toMatchObject({ eligible: false, failbackAfter: 120_000 });
    // b goes down, a has been up for 20s of its damped 2m.
    const output = scenario.evaluate({ opinions: bDown, at: t0 + 70_000 });
    expect(serving(output.state.decision)).toEqual(['a']);
    expect(output.events.find((event) => event.kind === 'pool-restored')?.message).toContain(
      'up for 20s of its failbackAfter 2m, raised by flap damping from 1m',
    );
  });
});

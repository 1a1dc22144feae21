import { Scenario, serving, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

const t0 = Date.UTC(2026, 0, 1);

describe('drain fast', () => {
  it('drains a pool at the first evaluation whose verdict is down, whatever its failbackAfter or flap history', () => {
    const service = buildService({ safety: { failbackAfter: 3_600_000 } });
    const scenario = new Scenario(service);
    const up = uniformOpinions(service, 'up');
    scenario.evaluate({ opinions: up, at: t0 });
    const output = scenario.evaluate({ opinions: withPool(service, up, 'a', 'down'), at: t0 + 1 });
    expect(output.state.pools.a).toMatchObject({ verdict: 'down', eligible: false, drainedAt: t0 + 1 });
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.changed).toBe(true);
    const drained = output.events.find((event) => event.kind === 'pool-drained');
    expect(drained).toMatchObject({ pool: 'a', severity: 'warning', rule: 'quorum' });
    expect(drained?.message).toBe(
      'api: pool a drained: quorum 2/3 (us-east-1, europe-west1, onprem-fra say down); 0 of 2 endpoints up, 1 needed',
    );
  });
});

describe('restore slow', () => {
  const service = buildService({ safety: { failbackAfter: 60_000 } });
  const up = uniformOpinions(service, 'up');
  const aDown = withPool(service, up, 'a', 'down');

  function drainedAndUpAgainAt(upAt: number): Scenario {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    scenario.evaluate({ opinions: aDown, at: t0 + 10_000 });
    scenario.evaluate({ opinions: up, at: upAt });
    return scenario;
  }

  it('restores exactly when the pool has been up for failbackAfter, not 1 ms before', () => {
    const upAt = t0 + 20_000;
    const scenario = drainedAndUpAgainAt(upAt);
    expect(scenario.state?.pools.a).toMatchObject({ verdict: 'up', eligible: false, upSince: upAt });
    const early = scenario.evaluate({ opinions: up, at: upAt + 59_999 });
    expect(early.state.pools.a?.eligible).toBe(false);
    expect(early.explanation.pools[0]).toMatchObject({ status: 'failback-wait', failbackIn: 1 });
    expect(early.explanation.rules).toContain('failback-delay');
    const onTime = scenario.evaluate({ opinions: up, at: upAt + 60_000 });
    expect(onTime.state.pools.a).toMatchObject({ eligible: true, restoredAt: upAt + 60_000 });
    expect(serving(onTime.state.decision)).toEqual(['a']);
    const restored = onTime.events.find((event) => event.kind === 'pool-restored');
    expect(restored).toMatchObject({ pool: 'a', severity: 'info', rule: 'failback-delay' });
    expect(restored?.message).toBe(
      'api: pool a restored: up for 1m (failbackAfter 1m); quorum 2/3 (us-east-1, europe-west1, onprem-fra say up)',
    );
  });

  it('keeps upSince through held evaluations (no quorum) and restarts it after a down', () => {
    const upAt = t0 + 20_000;
    const scenario = drainedAndUpAgainAt(upAt);
    // Nobody has an opinion: verdicts hold (up), upSince is kept.
    scenario.evaluate({ opinions: {}, at: upAt + 30_000 });
    expect(scenario.state?.pools.a).toMatchObject({ verdict: 'up', upSince: upAt });
    scenario.evaluate({ opinions: aDown, at: upAt + 40_000 });
    expect(scenario.state?.pools.a?.upSince).toBeUndefined();
    scenario.evaluate({ opinions: up, at: upAt + 50_000 });
    expect(scenario.state?.pools.a).toMatchObject({ upSince: upAt + 50_000, eligible: false });
    expect(scenario.evaluate({ opinions: up, at: upAt + 100_000 }).state.pools.a?.eligible).toBe(false);
    expect(scenario.evaluate({ opinions: up, at: upAt + 110_000 }).state.pools.a?.eligible).toBe(true);
  });

  it('with failback: manual never restores automatically and says it waits for an operator', () => {
    const manual = buildService({ safety: { failback: 'manual', failbackAfter: 60_000 } });
    const scenario = new Scenario(manual);
    const manualUp = uniformOpinions(manual, 'up');
    scenario.evaluate({ opinions: manualUp, at: t0 });
    scenario.evaluate({ opinions: withPool(manual, manualUp, 'a', 'down'), at: t0 + 1_000 });
    const later = scenario.evaluate({ opinions: manualUp, at: t0 + 2_000 });
    const muchLater = scenario.evaluate({ opinions: manualUp, at: t0 + 86_400_000 });
    expect([later, muchLater].map((output) => output.state.pools.a?.eligible)).toEqual([false, false]);
    expect(muchLater.explanation.pools[0]?.status).toBe('failback-manual');
    expect(muchLater.explanation.rules).toContain('failback-manual');
    expect(muchLater.explanation.pools[0]?.line).toContain(
      "failback is manual: it waits for an operator's force-pool in",
    );

    // The operator's force-in while the pool is up is the failback; it stays in after the override ends.
    const forceIn = {
      kind: 'force-pool' as const,
      id: 'ok-a',
      pool: 'a',
      direction: 'in' as const,
      by: 'alice',
      reason: 'verified',
      createdAt: t0,
      expiresAt: t0 + 86_460_000,
    };
    const forced = scenario.evaluate({ opinions: manualUp, at: t0 + 86_410_000, overrides: [forceIn] });
    expect(forced.state.pools.a).toMatchObject({ eligible: true, forced: 'in', restoredAt: t0 + 86_410_000 });
    expect(serving(forced.state.decision)).toEqual(['a']);
    const after = scenario.evaluate({ opinions: manualUp, at: t0 + 86_470_000, overrides: [forceIn] });
    expect(after.state.pools.a).toMatchObject({ eligible: true });
    expect(after.state.pools.a?.forced).toBeUndefined();
    expect(serving(after.state.decision)).toEqual(['a']);
  });
});

describe('flap damping', () => {
  const service = buildService({
    safety: { failbackAfter: 60_000, flapWindow: 600_000, maxFailbackAfter: 200_000 },
  });
  const up = uniformOpinions(service, 'up');
  const aDown = withPool(service, up, 'a', 'down');

  /** Drains a at `downAt`, brings it up right after and lets it be restored; returns the restore time. */
  function cycle(scenario: Scenario, downAt: number): number {
    scenario.evaluate({ opinions: aDown, at: downAt });
    const upAt = downAt + 1_000;
    scenario.evaluate({ opinions: up, at: upAt });
    const restoreAt = upAt + (scenario.state?.pools.a?.failbackAfter ?? 0);
    const output = scenario.evaluate({ opinions: up, at: restoreAt });
    expect(output.state.pools.a?.eligible).toBe(true);
    return restoreAt;
  }

  it('doubles failbackAfter when a pool is drained within flapWindow of its restore, up to the cap', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    let restoredAt = cycle(scenario, t0 + 1_000); // first drain: no restore before, no damping
    expect(scenario.state?.pools.a?.failbackAfter).toBe(60_000);

    const drainAgain = scenario.evaluate({ opinions: aDown, at: restoredAt + 600_000 }); // exactly flapWindow
    expect(drainAgain.state.pools.a?.failbackAfter).toBe(120_000);
    const damped = drainAgain.events.find((event) => event.kind === 'flap-damped');
    expect(damped).toMatchObject({ pool: 'a', severity: 'warning', rule: 'flap-damping' });
    expect(damped?.message).toBe(
      'api: pool a drained again 10m after its last restore (flapWindow 10m): its next failbackAfter doubles from 1m to 2m',
    );
    expect(drainAgain.explanation.rules).toContain('flap-damping');

    // The damped value is what the restore waits for.
    scenario.evaluate({ opinions: up, at: restoredAt + 601_000 });
    expect(
      scenario.evaluate({ opinions: up, at: restoredAt + 601_000 + 119_999 }).state.pools.a?.eligible,
    ).toBe(false);
    restoredAt = restoredAt + 601_000 + 120_000;
    expect(scenario.evaluate({ opinions: up, at: restoredAt }).state.pools.a?.eligible).toBe(true);

    restoredAt = cycle(scenario, restoredAt + 10_000);
    expect(scenario.state?.pools.a?.failbackAfter).toBe(200_000); // 240 s capped at 200 s
    const capped = scenario.evaluate({ opinions: aDown, at: restoredAt + 10_000 });
    expect(capped.state.pools.a?.failbackAfter).toBe(200_000);
    expect(capped.events.find((event) => event.kind === 'flap-damped')?.message).toContain(
      'its failbackAfter stays at the 3m 20s maximum',
    );
  });

  it('resets to the configured failbackAfter on a drain after a quiet flapWindow', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    let restoredAt = cycle(scenario, t0 + 1_000);
    restoredAt = cycle(scenario, restoredAt + 1_000);
    expect(scenario.state?.pools.a?.failbackAfter).toBe(120_000);
    const quiet = scenario.evaluate({ opinions: aDown, at: restoredAt + 600_001 });
    expect(quiet.state.pools.a?.failbackAfter).toBe(60_000);
    expect(quiet.events.map((event) => event.kind)).not.toContain('flap-damped');
  });

  it('stops a pool that flaps slower than failbackAfter from moving DNS every cycle', () => {
    /** An hour of a pool going down for 10 s every 160 s, evaluated every 5 s; returns the DNS changes. */
    const flapForAnHour = (flapping: Scenario): number => {
      const flappingUp = uniformOpinions(flapping.service, 'up');
      const flappingDown = withPool(flapping.service, flappingUp, 'a', 'down');
      for (let now = t0; now <= t0 + 3_600_000; now += 5_000) {
        flapping.evaluate({
          opinions: (now - t0) % 160_000 < 10_000 && now > t0 ? flappingDown : flappingUp,
          at: now,
        });
      }
      return flapping.outputs.slice(1).filter((output) => output.changed).length;
    };
    const undamped = buildService({
      safety: { failbackAfter: 60_000, flapWindow: 600_000, maxFailbackAfter: 60_000 },
    });
    const damped = new Scenario(service);
    // Undamped: every 160 s cycle is a drain and a restore.
    expect(flapForAnHour(new Scenario(undamped))).toBeGreaterThanOrEqual(40);
    // Damped: 60 s -> 120 s -> 200 s, longer than the 150 s up phases: the pool stays drained.
    expect(flapForAnHour(damped)).toBeLessThanOrEqual(5);
    expect(damped.state?.pools.a).toMatchObject({ failbackAfter: 200_000, eligible: false });
  });
});

import type { Override } from '../../src/quorum/types';
import { Scenario, serving, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

const t0 = Date.UTC(2026, 0, 1);

function force(pool: string, direction: 'in' | 'out', extra: Partial<Override> = {}): Override {
  return {
    kind: 'force-pool',
    id: `${direction}-${pool}`,
    pool,
    direction,
    by: 'alice',
    reason: 'maintenance',
    createdAt: t0,
    ...extra,
  } as Override;
}

function freeze(extra: Partial<Override> = {}): Override {
  return {
    kind: 'freeze',
    id: 'freeze-1',
    by: 'bob',
    reason: 'migration',
    createdAt: t0,
    ...extra,
  } as Override;
}

describe('force-pool overrides', () => {
  const service = buildService();
  const up = uniformOpinions(service, 'up');
  const aDown = withPool(service, up, 'a', 'down');

  it('force-pool out drains a healthy pool; the pool comes back when the override expires', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    const override = force('a', 'out', { expiresAt: t0 + 20_000 });
    const forced = scenario.evaluate({ opinions: up, at: t0 + 10_000, overrides: [override] });
    expect(serving(forced.state.decision)).toEqual(['b']);
    expect(forced.state.pools.a).toMatchObject({ forced: 'out', eligible: true, verdict: 'up' });
    expect(forced.explanation.pools[0]?.status).toBe('forced-out');
    expect(forced.events.find((event) => event.kind === 'pool-drained')).toMatchObject({
      rule: 'override',
      override: 'out-a',
    });
    // now >= expiresAt: expired, the automation's own (eligible) state applies again at once.
    const expired = scenario.evaluate({ opinions: up, at: t0 + 20_000, overrides: [override] });
    expect(serving(expired.state.decision)).toEqual(['a']);
    expect(expired.state.pools.a?.forced).toBeUndefined();
    expect(expired.state.activeOverrides).toEqual([]);
  });

  it('force-pool in keeps a down pool serving; when it ends the quorum drains it', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    const override = force('a', 'in', { expiresAt: t0 + 30_000 });
    const forced = scenario.evaluate({ opinions: aDown, at: t0 + 10_000, overrides: [override] });
    expect(serving(forced.state.decision)).toEqual(['a']);
    // The verdict tells the truth; the drain waits for the override to end.
    expect(forced.state.pools.a).toMatchObject({ forced: 'in', eligible: true, verdict: 'down' });
    expect(forced.explanation.pools[0]?.line).toContain('without it the pool would be drained');
    expect(forced.events.map((event) => event.kind)).not.toContain('pool-drained');
    const ended = scenario.evaluate({ opinions: aDown, at: t0 + 30_000, overrides: [override] });
    expect(serving(ended.state.decision)).toEqual(['b']);
    expect(ended.events.find((event) => event.kind === 'pool-drained')).toMatchObject({
      pool: 'a',
      rule: 'quorum',
    });
  });

  it('fires override-active once when it appears and override-expired once when it expires or is removed', () => {
    const scenario = new Scenario(service);
    const expiring = force('a', 'out', { expiresAt: t0 + 20_000 });
    const removed = force('b', 'in');
    const kinds = (output: ReturnType<Scenario['evaluate']>) =>
      output.events
        .filter((event) => event.kind.startsWith('override-'))
        .map((event) => `${event.kind}:${event.override}`);
    const first = scenario.evaluate({ opinions: up, at: t0, overrides: [expiring, removed] });
    expect(kinds(first)).toEqual(['override-active:in-b', 'override-active:out-a']);
    expect(first.events.find((event) => event.override === 'out-a')?.message).toBe(
      'api: override out-a in force: force pool a out by alice until 2026-01-01T00:00:20.000Z ("maintenance")',
    );
    expect(
      kinds(scenario.evaluate({ opinions: up, at: t0 + 10_000, overrides: [expiring, removed] })),
    ).toEqual([]);
    const second = scenario.evaluate({ opinions: up, at: t0 + 20_000, overrides: [expiring] });
    expect(kinds(second)).toEqual(['override-expired:in-b', 'override-expired:out-a']);
    expect(second.events.find((event) => event.override === 'in-b')?.message).toBe(
      'api: override in-b is no longer in force (removed)',
    );
    expect(kinds(scenario.evaluate({ opinions: up, at: t0 + 30_000, overrides: [expiring] }))).toEqual([]);
  });

  it('lets the newest override decide a pool forced both ways, and ignores unknown pools', () => {
    const scenario = new Scenario(service);
    const older = force('a', 'in', { id: 'older', createdAt: t0 });
    const newer = force('a', 'out', { id: 'newer', createdAt: t0 + 1 });
    const stray = force('nope', 'out', { id: 'stray' });
    const output = scenario.evaluate({ opinions: up, at: t0 + 10, overrides: [older, newer, stray] });
    expect(output.state.pools.a?.forced).toBe('out');
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.explanation.lines).toEqual(
      expect.arrayContaining([
        'override older ignored: superseded by the newer override newer',
        'override stray ignored: service api has no pool nope',
      ]),
    );
  });
});

describe('freeze', () => {
  const service = buildService();
  const up = uniformOpinions(service, 'up');
  const aDown = withPool(service, up, 'a', 'down');

  it('keeps the previous decision while verdicts and bookkeeping update, with freeze-held once per new difference', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    const frozen = scenario.evaluate({ opinions: aDown, at: t0 + 10_000, overrides: [freeze()] });
    expect(serving(frozen.state.decision)).toEqual(['a']);
    expect(frozen.changed).toBe(false);
    expect(frozen.state.pools.a).toMatchObject({ verdict: 'down', eligible: false });
    expect(frozen.state.withheldDecision?.pools.map((pool) => pool.weight)).toEqual([0, 1]);
    const held = frozen.events.filter((event) => event.kind === 'freeze-held');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ severity: 'warning', rule: 'freeze', override: 'freeze-1' });
    expect(held[0]?.message).toBe(
      'api: freeze freeze-1 (freeze by bob ("migration")) holds the answer at a (weight 1, 2 endpoints); without it the answer would be b (weight 1, 2 endpoints)',
    );
    expect(frozen.explanation.rules).toContain('freeze');

    const still = scenario.evaluate({ opinions: aDown, at: t0 + 20_000, overrides: [freeze()] });
    expect(still.events.filter((event) => event.kind === 'freeze-held')).toEqual([]);

    // b goes down too: the computed answer fails open to the last good one, which is the held one: no difference.
    const bothDown = uniformOpinions(service, 'down');
    const failOpen = scenario.evaluate({ opinions: bothDown, at: t0 + 30_000, overrides: [freeze()] });
    expect(failOpen.events.filter((event) => event.kind === 'freeze-held')).toEqual([]);
    expect(failOpen.state.withheldDecision).toBeUndefined();
    // b is up again and, a being down, restored early: the computed answer differs again, a new
    // difference reported again; the bookkeeping moves on under the freeze.
    const bUp = scenario.evaluate({ opinions: aDown, at: t0 + 40_000, overrides: [freeze()] });
    expect(bUp.state.pools.b).toMatchObject({ eligible: true, restoredAt: t0 + 40_000 });
    expect(bUp.events.find((event) => event.kind === 'pool-restored')).toMatchObject({
      pool: 'b',
      rule: 'early-failback',
    });
    expect(bUp.events.filter((event) => event.kind === 'freeze-held')).toHaveLength(1);
    expect(serving(bUp.state.decision)).toEqual(['a']);
    const bStill = scenario.evaluate({ opinions: aDown, at: t0 + 100_000, overrides: [freeze()] });
    expect(bStill.events.filter((event) => event.kind === 'freeze-held')).toEqual([]);
    expect(serving(bStill.state.decision)).toEqual(['a']);
  });

  it('publishes the computed decision the moment the freeze ends', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    const override = freeze({ expiresAt: t0 + 20_000 });
    scenario.evaluate({ opinions: aDown, at: t0 + 10_000, overrides: [override] });
    const thawed = scenario.evaluate({ opinions: aDown, at: t0 + 20_000, overrides: [override] });
    expect(serving(thawed.state.decision)).toEqual(['b']);
    expect(thawed.changed).toBe(true);
    expect(thawed.events.find((event) => event.kind === 'decision-changed')).toMatchObject({
      rule: 'freeze',
    });
    expect(thawed.events.find((event) => event.kind === 'override-expired')).toMatchObject({
      rule: 'freeze',
    });
  });
});

import { Scenario, serving, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

describe('fail-open', () => {
  const service = buildService();
  const up = uniformOpinions(service, 'up');
  const down = uniformOpinions(service, 'down');

  it('on a first evaluation that sees everything down, publishes the configured answer', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: down });
    expect(output.state.decision).toEqual({
      pools: [
        { pool: 'a', weight: 1, endpoints: ['a-1', 'a-2'] },
        { pool: 'b', weight: 0, endpoints: ['b-1', 'b-2'] },
      ],
    });
    expect(output.state.failOpen).toBe(true);
    // The bookkeeping still tells the truth: both pools are drained.
    expect(output.state.pools.a?.eligible).toBe(false);
    expect(output.state.pools.b?.eligible).toBe(false);
    const failOpen = output.events.filter((event) => event.kind === 'fail-open');
    expect(failOpen).toHaveLength(1);
    expect(failOpen[0]).toMatchObject({ severity: 'critical', rule: 'fail-open' });
    expect(failOpen[0]?.message).toBe(
      'api: fail-open: no pool can serve (a drained, b drained); keeping the last good answer: a (weight 1, 2 endpoints)',
    );
    expect(output.explanation.rules).toContain('fail-open');
  });

  it('keeps the last good answer, not the configured one, raises the event once and clears it once', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    expect(
      serving(scenario.evaluate({ opinions: withPool(service, up, 'a', 'down') }).state.decision),
    ).toEqual(['b']);
    const entering = scenario.evaluate({ opinions: down });
    expect(serving(entering.state.decision)).toEqual(['b']);
    expect(entering.changed).toBe(false);
    expect(entering.state.held['fail-open']).toEqual(['b']);
    expect(entering.events.filter((event) => event.kind === 'fail-open')).toHaveLength(1);
    const staying = scenario.evaluate({ opinions: down });
    expect(staying.events.filter((event) => event.kind.startsWith('fail-open'))).toEqual([]);
    expect(staying.state.failOpen).toBe(true);

    // b recovers: a is still down, so b is restored early and the quorum's own answer serves again.
    const restored = scenario.evaluate({ opinions: withPool(service, down, 'b', 'up') });
    expect(restored.state.failOpen).toBe(false);
    expect(restored.events.map((event) => event.kind)).toContain('fail-open-cleared');
    expect(serving(restored.state.decision)).toEqual(['b']);
    const again = scenario.evaluate({ opinions: withPool(service, down, 'b', 'up') });
    expect(again.events.filter((event) => event.kind.startsWith('fail-open'))).toEqual([]);
  });

  it('never returns an empty answer, even when every pool is forced out', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({
      opinions: up,
      overrides: ['a', 'b'].map((pool) => ({
        kind: 'force-pool' as const,
        id: `out-${pool}`,
        pool,
        direction: 'out' as const,
        by: 'op',
        reason: 'test',
        createdAt: 0,
      })),
    });
    expect(serving(output.state.decision)).toEqual(['a']);
    expect(output.state.failOpen).toBe(true);
  });
});

import { decide } from '../../src/quorum/decide';
import type { ServiceState } from '../../src/quorum/types';
import { Scenario, liveHeartbeats, serving, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

describe('a previous state that does not match the current code or config', () => {
  it('fills in fields missing from an older stored state instead of throwing', () => {
    const service = buildService();
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: uniformOpinions(service, 'up') });
    const stored = JSON.parse(JSON.stringify(scenario.state)) as Partial<ServiceState>;
    delete stored.held;
    delete stored.activeOverrides;
    delete stored.staleRegions;
    const output = decide({
      service,
      opinions: withPool(service, uniformOpinions(service, 'up'), 'a', 'down'),
      heartbeatAges: liveHeartbeats(service),
      previous: stored as ServiceState,
      overrides: [],
      now: scenario.now + 10_000,
    });
    expect(serving(output.state.decision)).toEqual(['b']);
    expect(output.state.held).toEqual({});
  });

  it('follows a config change: removed pools disappear, new pools start eligible and unknown', () => {
    const before = buildService({ pools: [{ name: 'a' }, { name: 'b' }] });
    const scenario = new Scenario(before);
    scenario.evaluate({ opinions: uniformOpinions(before, 'up') });
    const after = buildService({
      pools: [
        { name: 'b', priority: 1 },
        { name: 'c', priority: 2 },
      ],
    });
    const output = decide({
      service: after,
      opinions: {},
      heartbeatAges: liveHeartbeats(after),
      previous: scenario.state,
      overrides: [],
      now: scenario.now + 10_000,
    });
    expect(Object.keys(output.state.pools)).toEqual(['b', 'c']);
    expect(output.state.pools.c).toEqual({ verdict: 'unknown', eligible: true, failbackAfter: 60_000 });
    expect(output.state.decision.pools.map((pool) => [pool.pool, pool.weight])).toEqual([
      ['b', 1],
      ['c', 0],
    ]);
    expect(output.changed).toBe(true);
  });
});

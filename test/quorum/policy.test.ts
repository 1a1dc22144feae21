import { Scenario, serving, uniformOpinions, weights, withEndpoint, withPool } from './scenario';
import { buildService } from './service-builder';

describe('failover policy', () => {
  it('serves the eligible pool with the lowest priority, whatever the config order', () => {
    const service = buildService({
      pools: [
        { name: 'a', priority: 2 },
        { name: 'b', priority: 1 },
        { name: 'c', priority: 3 },
      ],
    });
    const scenario = new Scenario(service);
    const up = uniformOpinions(service, 'up');
    expect(weights(scenario.evaluate({ opinions: up }).state.decision)).toEqual({ a: 0, b: 1, c: 0 });
    expect(
      weights(scenario.evaluate({ opinions: withPool(service, up, 'b', 'down') }).state.decision),
    ).toEqual({
      a: 1,
      b: 0,
      c: 0,
    });
  });

  it('breaks priority ties by config order', () => {
    const service = buildService({
      pools: [
        { name: 'x', priority: 1 },
        { name: 'y', priority: 1 },
      ],
    });
    const scenario = new Scenario(service);
    expect(serving(scenario.evaluate({ opinions: uniformOpinions(service, 'up') }).state.decision)).toEqual([
      'x',
    ]);
  });

  it('lists every endpoint of every pool: endpoint health is in the pool verdict', () => {
    const service = buildService();
    const scenario = new Scenario(service);
    const output = scenario.evaluate({
      opinions: withEndpoint(service, uniformOpinions(service, 'up'), 'a-1', 'down'),
    });
    expect(output.state.decision).toEqual({
      pools: [
        { pool: 'a', weight: 1, endpoints: ['a-1', 'a-2'] },
        { pool: 'b', weight: 0, endpoints: ['b-1', 'b-2'] },
      ],
    });
  });
});

describe('weighted policy', () => {
  const service = buildService({
    policy: 'weighted',
    pools: [
      { name: 'a', weight: 10 },
      { name: 'b', weight: 30 },
      { name: 'c', weight: 0 },
    ],
  });
  const up = uniformOpinions(service, 'up');

  it('eligible pools keep their configured weight, drained pools get 0', () => {
    const scenario = new Scenario(service);
    expect(weights(scenario.evaluate({ opinions: up }).state.decision)).toEqual({ a: 10, b: 30, c: 0 });
    expect(
      weights(scenario.evaluate({ opinions: withPool(service, up, 'b', 'down') }).state.decision),
    ).toEqual({
      a: 10,
      b: 0,
      c: 0,
    });
  });

  it('treats eligible pools that all weigh 0 as no traffic: fail-open keeps the last good answer', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    const output = scenario.evaluate({
      opinions: withPool(service, withPool(service, up, 'a', 'down'), 'b', 'down'),
    });
    expect(output.state.failOpen).toBe(true);
    expect(weights(output.state.decision)).toEqual({ a: 10, b: 30, c: 0 });
    expect(output.events.map((event) => event.kind)).toContain('fail-open');
  });
});

describe('all-healthy policy', () => {
  const service = buildService({
    policy: 'all-healthy',
    pools: [{ name: 'a', endpoints: 3 }, { name: 'b' }],
  });
  const up = uniformOpinions(service, 'up');

  it('every eligible pool gets weight 1 and lists only its endpoints not known to be down', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: withEndpoint(service, up, 'a-2', 'down') });
    expect(output.state.decision).toEqual({
      pools: [
        { pool: 'a', weight: 1, endpoints: ['a-1', 'a-3'] },
        { pool: 'b', weight: 1, endpoints: ['b-1', 'b-2'] },
      ],
    });
  });

  it('counts an unknown endpoint as serving: we do not know it is down', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: { ...up, 'a-3': {} } });
    expect(output.state.endpoints['a-3']).toBe('unknown');
    expect(output.state.decision.pools[0]?.endpoints).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('gives a drained pool weight 0 and keeps all its endpoints listed for weighted records', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: withPool(service, up, 'b', 'down') });
    expect(output.state.decision.pools[1]).toEqual({ pool: 'b', weight: 0, endpoints: ['b-1', 'b-2'] });
  });

  it('fails open when no endpoint would be served', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    const output = scenario.evaluate({ opinions: uniformOpinions(service, 'down') });
    expect(output.state.failOpen).toBe(true);
    expect(serving(output.state.decision)).toEqual(['a', 'b']);
  });
});

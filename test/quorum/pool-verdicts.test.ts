import { minHealthyCount } from '../../src/quorum/pool-verdicts';
import { Scenario, uniformOpinions, withEndpoint } from './scenario';
import { buildService, type PoolSpec } from './service-builder';

function poolWith(endpoints: number, minHealthy: PoolSpec['minHealthy']) {
  const pool = buildService({ pools: [{ name: 'p', endpoints, minHealthy }] }).pools[0];
  if (!pool) throw new Error('no pool');
  return pool;
}

describe('minHealthy as a count', () => {
  it.each([
    [3, { kind: 'count' as const, count: 2 }, 2],
    [3, { kind: 'count' as const, count: 0 }, 1],
    [3, { kind: 'count' as const, count: 5 }, 3],
    [3, { kind: 'percent' as const, percent: 50 }, 2],
    [10, { kind: 'percent' as const, percent: 70 }, 7],
    [4, { kind: 'percent' as const, percent: 100 }, 4],
    [4, { kind: 'percent' as const, percent: 1 }, 1],
    [4, { kind: 'percent' as const, percent: 0 }, 1],
  ])('%i endpoints with %j need %i up', (endpoints, minHealthy, count) => {
    expect(minHealthyCount(poolWith(endpoints, minHealthy))).toBe(count);
  });
});

describe('pool verdicts', () => {
  const service = buildService({
    pools: [
      { name: 'a', endpoints: 3, minHealthy: { kind: 'count', count: 2 } },
      { name: 'b', endpoints: 4, minHealthy: { kind: 'percent', percent: 50 } },
    ],
  });
  const up = uniformOpinions(service, 'up');
  const pool = (output: ReturnType<Scenario['evaluate']>, name: string) =>
    output.explanation.pools.find((candidate) => candidate.pool === name);

  it('is up while at least minHealthy endpoints are up, down below it', () => {
    const scenario = new Scenario(service);
    expect(pool(scenario.evaluate({ opinions: up }), 'a')).toMatchObject({
      verdict: 'up',
      upCount: 3,
      minHealthy: 2,
    });
    const oneDown = withEndpoint(service, up, 'a-1', 'down');
    expect(pool(scenario.evaluate({ opinions: oneDown }), 'a')).toMatchObject({ verdict: 'up', upCount: 2 });
    const twoDown = withEndpoint(service, oneDown, 'a-2', 'down');
    expect(pool(scenario.evaluate({ opinions: twoDown }), 'a')).toMatchObject({
      verdict: 'down',
      upCount: 1,
      downCount: 2,
      held: false,
    });
  });

  it('a percent counts endpoints: 50% of 4 is 2', () => {
    const scenario = new Scenario(service);
    const twoDown = withEndpoint(service, withEndpoint(service, up, 'b-1', 'down'), 'b-2', 'down');
    expect(pool(scenario.evaluate({ opinions: twoDown }), 'b')).toMatchObject({
      verdict: 'up',
      minHealthy: 2,
    });
    const threeDown = withEndpoint(service, twoDown, 'b-3', 'down');
    expect(pool(scenario.evaluate({ opinions: threeDown }), 'b')).toMatchObject({ verdict: 'down' });
  });

  it('holds the previous verdict while unknown endpoints could still make minHealthy', () => {
    const scenario = new Scenario(service);
    // First evaluation: a-1 up, a-2 and a-3 unknown: 1 up + 2 unknown could make 2 -> held unknown.
    const partial = { 'a-1': up['a-1'] ?? {} };
    expect(pool(scenario.evaluate({ opinions: partial }), 'a')).toMatchObject({
      verdict: 'unknown',
      held: true,
      unknownCount: 2,
    });
    // a-2 down, a-3 unknown: 1 up + 1 unknown can still make 2 -> still held.
    const next = { ...partial, 'a-2': { 'us-east-1': 'down' as const, 'europe-west1': 'down' as const } };
    expect(pool(scenario.evaluate({ opinions: next }), 'a')).toMatchObject({
      verdict: 'unknown',
      held: true,
    });
    expect(scenario.state?.pools.a?.eligible).toBe(true);
  });

  it('fires pool-verdict only when the pool verdict changes', () => {
    const scenario = new Scenario(service);
    const verdictEvents = (output: ReturnType<Scenario['evaluate']>) =>
      output.events.filter((event) => event.kind === 'pool-verdict').map((event) => event.pool);
    expect(verdictEvents(scenario.evaluate({ opinions: up }))).toEqual(['a', 'b']);
    expect(verdictEvents(scenario.evaluate({ opinions: withEndpoint(service, up, 'a-1', 'down') }))).toEqual(
      [],
    );
  });
});

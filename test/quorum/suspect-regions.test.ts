import { findSuspectRegions } from '../../src/quorum/suspect-regions';
import { Scenario, uniformOpinions, withEndpoint, withPool } from './scenario';
import { buildService } from './service-builder';

const [use1, euw1, fra] = ['us-east-1', 'europe-west1', 'onprem-fra'];
const all = [use1, euw1, fra];

describe('suspect probe regions', () => {
  const service = buildService({ pools: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const up = uniformOpinions(service, 'up');
  const lonelyUse1 = withPool(service, withPool(service, up, 'a', 'down', [use1]), 'b', 'down', [use1]);

  it('a region alone in seeing most endpoints of two pools down is suspect', () => {
    expect(findSuspectRegions(service, lonelyUse1, all)).toEqual([
      {
        region: use1,
        pools: [
          { pool: 'a', lonelyDown: 2, endpoints: 2 },
          { pool: 'b', lonelyDown: 2, endpoints: 2 },
        ],
      },
    ]);
  });

  it('one pool is a plausible partial outage, not a sick region', () => {
    expect(findSuspectRegions(service, withPool(service, up, 'a', 'down', [use1]), all)).toEqual([]);
  });

  it('needs more than half of the endpoints of each pool (half is not enough)', () => {
    let half = withEndpoint(service, up, 'a-1', 'down', [use1]);
    half = withEndpoint(service, half, 'b-1', 'down', [use1]);
    expect(findSuspectRegions(service, half, all)).toEqual([]);
  });

  it('needs one pool when the service has only one', () => {
    const single = buildService({ pools: [{ name: 'a', endpoints: 3 }] });
    const opinions = withPool(single, uniformOpinions(single, 'up'), 'a', 'down', [fra]);
    expect(findSuspectRegions(single, opinions, all).map((suspect) => suspect.region)).toEqual([fra]);
  });

  it('is not suspect when another live region agrees, or when no other region has an opinion', () => {
    const agreed = withPool(service, withPool(service, up, 'a', 'down', [use1, euw1]), 'b', 'down', [
      use1,
      euw1,
    ]);
    expect(findSuspectRegions(service, agreed, all)).toEqual([]);
    const alone = withPool(service, withPool(service, up, 'a', 'down', [use1]), 'b', 'down', [use1]);
    const othersUnknown = withPool(
      service,
      withPool(service, alone, 'a', 'unknown', [euw1, fra]),
      'b',
      'unknown',
      [euw1, fra],
    );
    expect(findSuspectRegions(service, othersUnknown, all)).toEqual([]);
  });

  it('only compares with live regions: a stale region saying up does not make anyone suspect', () => {
    const opinions = withPool(service, withPool(service, up, 'a', 'down', [use1, euw1]), 'b', 'down', [
      use1,
      euw1,
    ]);
    // fra says up but is stale; use1 and euw1 agree with each other.
    expect(findSuspectRegions(service, opinions, [use1, euw1])).toEqual([]);
  });

  it("discounts a suspect region's votes, shows them as suspect, and fires the events once", () => {
    const anyService = buildService({ quorum: 'any', pools: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    const scenario = new Scenario(anyService);
    const first = scenario.evaluate({ opinions: lonelyUse1 });
    // With quorum `any` one down vote would drain a and b: the suspect region is not allowed to.
    expect(first.explanation.endpoints.find((endpoint) => endpoint.endpoint === 'a-1')).toMatchObject({
      votes: { [use1]: 'suspect', [euw1]: 'up', [fra]: 'up' },
      verdict: 'up',
      downVotes: 0,
    });
    expect(Object.values(first.state.pools).every((pool) => pool.eligible)).toBe(true);
    expect(first.state.suspectRegions).toEqual([use1]);
    const suspectEvents = first.events.filter((event) => event.kind === 'suspect-region');
    expect(suspectEvents).toHaveLength(1);
    expect(suspectEvents[0]).toMatchObject({ region: use1, rule: 'suspect-region', severity: 'warning' });
    expect(suspectEvents[0]?.message).toBe(
      'api: probe region us-east-1 is suspect: it alone sees 2/2 endpoints of pool a and 2/2 endpoints of pool b down while the other live regions see them up; its votes are discounted',
    );
    expect(first.explanation.rules).toContain('suspect-region');
    expect(first.explanation.regions.find((region) => region.region === use1)?.status).toBe('suspect');

    expect(scenario.evaluate({ opinions: lonelyUse1 }).events.map((event) => event.kind)).not.toContain(
      'suspect-region',
    );
    const cleared = scenario.evaluate({ opinions: uniformOpinions(anyService, 'up') });
    expect(
      cleared.events.filter((event) => event.kind === 'suspect-region-cleared').map((e) => e.region),
    ).toEqual([use1]);
    expect(cleared.state.suspectRegions).toEqual([]);
  });
});

import { regionLiveness } from '../../src/quorum/region-liveness';
import { Scenario, uniformOpinions, withPool } from './scenario';
import { buildService } from './service-builder';

const [use1, euw1, fra] = ['us-east-1', 'europe-west1', 'onprem-fra'];

describe('region liveness', () => {
  const service = buildService({ staleAfter: 30_000 });

  it('is live at exactly staleAfter and stale 1 ms later; missing or garbage heartbeats are stale', () => {
    expect(regionLiveness(service, { [use1]: 30_000, [euw1]: 30_001 })).toEqual({
      live: [use1],
      stale: [euw1, fra],
    });
    expect(regionLiveness(service, { [use1]: Number.NaN, [euw1]: -5, [fra]: Infinity })).toEqual({
      live: [euw1],
      stale: [use1, fra],
    });
  });

  it("ignores a stale region's votes: it is shown as stale and never counted as down", () => {
    const scenario = new Scenario(service);
    const up = uniformOpinions(service, 'up');
    scenario.evaluate({ opinions: up });
    // onprem-fra (stale) and europe-west1 say down; only europe-west1's vote counts: 1 < 2.
    const output = scenario.evaluate({
      opinions: withPool(service, up, 'a', 'down', [euw1, fra]),
      heartbeats: { [use1]: 1_000, [euw1]: 1_000, [fra]: 60_000 },
    });
    const a1 = output.explanation.endpoints.find((endpoint) => endpoint.endpoint === 'a-1');
    expect(a1?.votes).toEqual({ [use1]: 'up', [euw1]: 'down', [fra]: 'stale' });
    expect(a1).toMatchObject({ downVotes: 1, upVotes: 1, verdict: 'up', held: true });
    expect(output.state.pools.a?.eligible).toBe(true);
  });

  it('fires region-stale once on entry and region-live once on exit', () => {
    const scenario = new Scenario(service);
    const up = uniformOpinions(service, 'up');
    const staleFra = { [use1]: 1_000, [euw1]: 1_000 };
    const kinds = (step: ReturnType<Scenario['evaluate']>) =>
      step.events
        .filter((event) => event.kind.startsWith('region-'))
        .map((event) => `${event.kind}:${event.region}`);
    expect(kinds(scenario.evaluate({ opinions: up, heartbeats: staleFra }))).toEqual([`region-stale:${fra}`]);
    expect(kinds(scenario.evaluate({ opinions: up, heartbeats: staleFra }))).toEqual([]);
    expect(scenario.state?.staleRegions).toEqual([fra]);
    expect(kinds(scenario.evaluate({ opinions: up }))).toEqual([`region-live:${fra}`]);
    expect(kinds(scenario.evaluate({ opinions: up }))).toEqual([]);
    expect(scenario.state?.staleRegions).toEqual([]);
  });

  it('names the region, its heartbeat age and the limit in the stale event', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: {}, heartbeats: { [use1]: 1, [euw1]: 1, [fra]: 45_000 } });
    const stale = output.events.find((event) => event.kind === 'region-stale');
    expect(stale).toMatchObject({ severity: 'warning', rule: 'stale-region', region: fra });
    expect(stale?.message).toBe(
      'api: probe region onprem-fra is stale (heartbeat 45s old, limit 30s): its votes are ignored, not counted as down',
    );
  });
});

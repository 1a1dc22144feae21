import { Scenario, uniformOpinions, withEndpoint } from './scenario';
import { buildService } from './service-builder';

const [use1, euw1, fra] = ['us-east-1', 'europe-west1', 'onprem-fra'];

function endpoint(scenario: Scenario, id: string) {
  const found = scenario.outputs.at(-1)?.explanation.endpoints.find((candidate) => candidate.endpoint === id);
  if (!found) throw new Error(`no explanation for ${id}`);
  return found;
}

describe('endpoint verdicts', () => {
  const service = buildService();
  const up = uniformOpinions(service, 'up');

  it('starts unknown: no opinion at all decides nothing and is held', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: {} });
    expect(endpoint(scenario, 'a-1')).toMatchObject({
      verdict: 'unknown',
      held: true,
      upVotes: 0,
      downVotes: 0,
    });
  });

  it('goes down on a quorum of down votes and up on a quorum of up votes', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up });
    expect(endpoint(scenario, 'a-1')).toMatchObject({ verdict: 'up', held: false, upVotes: 3 });
    scenario.evaluate({ opinions: withEndpoint(service, up, 'a-1', 'down', [use1, euw1]) });
    expect(endpoint(scenario, 'a-1')).toMatchObject({
      verdict: 'down',
      held: false,
      downVotes: 2,
      upVotes: 1,
    });
  });

  it('unknown holds the last verdict: a split vote changes nothing', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: withEndpoint(service, up, 'a-1', 'down') });
    expect(endpoint(scenario, 'a-1').verdict).toBe('down');
    // One says up, one says down, one has no opinion: no quorum either way.
    const split = { ...up, 'a-1': { [use1]: 'up' as const, [euw1]: 'down' as const } };
    scenario.evaluate({ opinions: split });
    expect(endpoint(scenario, 'a-1')).toMatchObject({
      verdict: 'down',
      held: true,
      upVotes: 1,
      downVotes: 1,
    });
    expect(scenario.state?.endpoints['a-1']).toBe('down');
  });

  it('down wins when a small quorum is reached both ways', () => {
    const anyService = buildService({ quorum: 'any' });
    const scenario = new Scenario(anyService);
    scenario.evaluate({ opinions: { 'a-1': { [use1]: 'up', [euw1]: 'down' } } });
    expect(endpoint(scenario, 'a-1')).toMatchObject({ verdict: 'down', needed: 1, upVotes: 1, downVotes: 1 });
  });

  it('ignores regions that are not configured for the service and values that are not opinions', () => {
    const scenario = new Scenario(service);
    const opinions = {
      'a-1': { 'ap-south-1': 'down' as const, 'sa-east-1': 'down' as const, [use1]: 'down' as const },
      'a-2': { [use1]: 'maybe' as never, [euw1]: 'DOWN' as never },
    };
    scenario.evaluate({
      opinions,
      heartbeats: { [use1]: 1, [euw1]: 1, [fra]: 1, 'ap-south-1': 1, 'sa-east-1': 1 },
    });
    expect(endpoint(scenario, 'a-1')).toMatchObject({ verdict: 'unknown', downVotes: 1 });
    expect(Object.keys(endpoint(scenario, 'a-1').votes)).toEqual([use1, euw1, fra]);
    expect(endpoint(scenario, 'a-2').votes).toEqual({
      [use1]: 'unknown',
      [euw1]: 'unknown',
      [fra]: 'unknown',
    });
  });
});

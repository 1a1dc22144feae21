import { formatExplanation } from '../../src/quorum/format-explanation';
import { formatDuration } from '../../src/quorum/format-duration';
import { Scenario, uniformOpinions, withEndpoint, withPool } from './scenario';
import { buildService } from './service-builder';

const t0 = Date.UTC(2026, 0, 1);
const [use1, euw1, fra] = ['us-east-1', 'europe-west1', 'onprem-fra'];

describe('explanation', () => {
  const service = buildService({ pools: [{ name: 'aws-use1' }, { name: 'gcp-euw1' }] });
  const up = uniformOpinions(service, 'up');

  it("shows every region's vote on every endpoint, the quorum needed, the verdict and whether it was held", () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    let opinions = withPool(service, up, 'aws-use1', 'down', [use1, euw1]);
    opinions = withEndpoint(service, opinions, 'gcp-euw1-1', 'down', [use1]);
    const output = scenario.evaluate({
      opinions,
      heartbeats: { [use1]: 1_000, [euw1]: 2_000, [fra]: 45_000 },
      at: t0 + 10_000,
    });
    expect(output.explanation.endpoints).toEqual([
      {
        endpoint: 'aws-use1-1',
        pool: 'aws-use1',
        votes: { [use1]: 'down', [euw1]: 'down', [fra]: 'stale' },
        upVotes: 0,
        downVotes: 2,
        needed: 2,
        verdict: 'down',
        held: false,
      },
      expect.objectContaining({ endpoint: 'aws-use1-2', verdict: 'down' }),
      {
        endpoint: 'gcp-euw1-1',
        pool: 'gcp-euw1',
        votes: { [use1]: 'down', [euw1]: 'up', [fra]: 'stale' },
        upVotes: 1,
        downVotes: 1,
        needed: 2,
        verdict: 'up',
        held: true,
      },
      expect.objectContaining({ endpoint: 'gcp-euw1-2', verdict: 'up', held: false }),
    ]);
    expect(output.explanation.regions).toEqual([
      { region: use1, status: 'live', heartbeatAge: 1_000 },
      { region: euw1, status: 'live', heartbeatAge: 2_000 },
      { region: fra, status: 'stale', heartbeatAge: 45_000 },
    ]);
    expect(output.explanation.rules).toEqual(['quorum', 'stale-region', 'policy']);
  });

  it('says per pool why it serves, is drained, or waits for failback and for how long', () => {
    const scenario = new Scenario(service);
    scenario.evaluate({ opinions: up, at: t0 });
    scenario.evaluate({ opinions: withPool(service, up, 'aws-use1', 'down'), at: t0 + 10_000 });
    scenario.evaluate({ opinions: up, at: t0 + 20_000 });
    const output = scenario.evaluate({ opinions: up, at: t0 + 50_000 });
    expect(output.explanation.pools.map((pool) => [pool.pool, pool.status, pool.weight])).toEqual([
      ['aws-use1', 'failback-wait', 0],
      ['gcp-euw1', 'eligible', 1],
    ]);
    expect(output.explanation.pools[0]?.failbackIn).toBe(30_000);
    expect(output.explanation.lines).toEqual([
      'api: policy failover, quorum majority = 2 of 3 configured regions, evaluated 2026-01-01T00:00:50.000Z',
      'regions: us-east-1 live (heartbeat 1s), europe-west1 live (heartbeat 1s), onprem-fra live (heartbeat 1s)',
      'pool aws-use1 (weight 0): drained since 2026-01-01T00:00:10.000Z (40s ago); up since 2026-01-01T00:00:20.000Z (30s); restored in 30s if it stays up (failbackAfter 1m); verdict up, 2 of 2 endpoints up, 1 needed',
      'pool gcp-euw1 (weight 1): serving; verdict up, 2 of 2 endpoints up, 1 needed',
      'answer: gcp-euw1 (weight 1, 2 endpoints) (unchanged)',
    ]);
  });

  it('explains a drained pool with the votes that drained it, and a failover standby', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: withPool(service, up, 'gcp-euw1', 'down'), at: t0 });
    expect(output.explanation.pools[0]?.line).toBe(
      'pool aws-use1 (weight 1): serving; verdict up, 2 of 2 endpoints up, 1 needed',
    );
    expect(output.explanation.pools[1]?.line).toBe(
      'pool gcp-euw1 (weight 0): drained now by rule quorum, quorum 2/3 (us-east-1, europe-west1, onprem-fra say down); once up it needs 1m of continuous health; verdict down, 0 of 2 endpoints up, 1 needed',
    );
    const standby = new Scenario(service).evaluate({ opinions: up, at: t0 });
    expect(standby.explanation.pools[1]?.line).toBe(
      'pool gcp-euw1 (weight 0): eligible standby: failover serves aws-use1 first; verdict up, 2 of 2 endpoints up, 1 needed',
    );
  });

  it('says when fail-open keeps a drained pool in the answer', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({ opinions: uniformOpinions(service, 'down'), at: t0 });
    expect(output.explanation.pools[0]?.line).toContain('still in the answer because of fail-open');
    expect(output.explanation.lines).toContain(
      "fail-open: the quorum's answer would serve nothing; the last good answer is kept: aws-use1 (weight 1, 2 endpoints)",
    );
  });

  it('formats as a readable terminal block with a votes table', () => {
    const scenario = new Scenario(service);
    const output = scenario.evaluate({
      opinions: withPool(service, up, 'aws-use1', 'down', [use1, euw1]),
      heartbeats: { [use1]: 1_000, [euw1]: 2_000, [fra]: 45_000 },
      at: t0,
    });
    const text = formatExplanation(output.explanation);
    expect(text.split('\n').slice(0, 8)).toEqual([
      'api: policy failover, quorum majority = 2 of 3 configured regions, evaluated 2026-01-01T00:00:00.000Z',
      'rules: quorum, stale-region, policy',
      '',
      'endpoint    pool      us-east-1  europe-west1  onprem-fra  votes up/down  needed  verdict',
      'aws-use1-1  aws-use1  down       down          stale       0/2            2       down',
      'aws-use1-2  aws-use1  down       down          stale       0/2            2       down',
      'gcp-euw1-1  gcp-euw1  up         up            stale       2/0            2       up',
      'gcp-euw1-2  gcp-euw1  up         up            stale       2/0            2       up',
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).toContain('pool aws-use1 (weight 0): drained now by rule quorum');
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1_500, '1.5s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [200_000, '3m 20s'],
    [3_600_000, '1h'],
    [7_500_000, '2h 5m'],
    [0, '0ms'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

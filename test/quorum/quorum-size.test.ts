import { quorumSize } from '../../src/quorum/quorum-size';
import { decide } from '../../src/quorum/decide';
import { buildService } from './service-builder';
import { liveHeartbeats } from './scenario';

describe('quorumSize', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
  ])('majority of %i configured regions is %i', (regions, size) => {
    expect(quorumSize('majority', regions)).toBe(size);
  });

  it('all is every configured region, any is one, atLeast is k', () => {
    expect(quorumSize('all', 5)).toBe(5);
    expect(quorumSize('any', 5)).toBe(1);
    expect(quorumSize({ atLeast: 2 }, 5)).toBe(2);
  });

  it('clamps a quorum the config should have rejected into 1..n', () => {
    expect(quorumSize({ atLeast: 7 }, 3)).toBe(3);
    expect(quorumSize({ atLeast: 0 }, 3)).toBe(1);
    expect(quorumSize('all', 0)).toBe(1);
  });
});

describe('the quorum is counted over the configured regions, not the live ones', () => {
  it('one live region saying down out of three configured never reaches a majority', () => {
    const service = buildService();
    const output = decide({
      service,
      opinions: { 'a-1': { 'us-east-1': 'down' }, 'a-2': { 'us-east-1': 'down' } },
      heartbeatAges: { 'us-east-1': 1_000 },
      previous: undefined,
      overrides: [],
      now: 1_000_000,
    });
    const a1 = output.explanation.endpoints.find((endpoint) => endpoint.endpoint === 'a-1');
    expect(a1).toMatchObject({ needed: 2, downVotes: 1, verdict: 'unknown', held: true });
    expect(output.state.pools.a?.eligible).toBe(true);
  });

  it.each([
    ['all' as const, 3, 2, 'unknown'],
    ['all' as const, 3, 3, 'down'],
    ['any' as const, 1, 1, 'down'],
    [{ atLeast: 2 }, 2, 2, 'down'],
    [{ atLeast: 2 }, 2, 1, 'unknown'],
  ])('quorum %j needs %i: %i down votes give %s', (quorum, needed, downs, verdict) => {
    const service = buildService({ quorum });
    const regions = service.probeRegions.slice(0, downs);
    const opinions = { 'a-1': Object.fromEntries(regions.map((region) => [region, 'down' as const])) };
    const output = decide({
      service,
      opinions,
      heartbeatAges: liveHeartbeats(service),
      previous: undefined,
      overrides: [],
      now: 0,
    });
    expect(output.explanation.endpoints[0]).toMatchObject({ endpoint: 'a-1', needed, verdict });
  });
});

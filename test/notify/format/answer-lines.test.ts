import {
  answerLines,
  labelOfTargetName,
  plannedDnsChanges,
  targetLabel,
} from '../../../src/notify/answer-lines';
import type { Decision } from '../../../src/quorum/types';
import { serviceOf, testConfig } from './fixtures';

const config = testConfig();
const api = serviceOf(config, 'api');
const web = serviceOf(config, 'web');
const aws = config.providers['aws-main']!;
const gcp = config.providers['gcp-main']!;

const apiOnAws: Decision = {
  pools: [
    { pool: 'aws-use1', weight: 1, endpoints: ['use1-a', 'use1-b'] },
    { pool: 'gcp-euw1', weight: 0, endpoints: ['euw1-a', 'euw1-b'] },
  ],
};
const apiOnGcp: Decision = {
  pools: [
    { pool: 'aws-use1', weight: 0, endpoints: ['use1-a', 'use1-b'] },
    { pool: 'gcp-euw1', weight: 1, endpoints: ['euw1-a', 'euw1-b'] },
  ],
};

describe('answer lines', () => {
  it('rewrite mode: one line per name with the values of the serving pools, sorted', () => {
    const [target] = api.providers;
    expect(answerLines({ service: api, decision: apiOnAws, target: target!, provider: aws })).toEqual([
      'api.example.com A 192.0.2.10, 192.0.2.11',
    ]);
    expect(answerLines({ service: api, decision: apiOnGcp, target: target!, provider: aws })).toEqual([
      'api.example.com A 198.51.100.20, 198.51.100.21',
    ]);
  });

  const webDrained: Decision = {
    pools: [
      { pool: 'aws-use1', weight: 0, endpoints: ['web-a'] },
      { pool: 'gcp-euw1', weight: 1, endpoints: ['web-b'] },
    ],
  };

  it('weights mode on Route 53: one set per pool, drained pools keep their values at weight 0', () => {
    expect(
      answerLines({ service: web, decision: webDrained, target: web.providers[0]!, provider: aws }),
    ).toEqual([
      'www.example.com A [aws-use1] weight 0: 192.0.2.50',
      'www.example.com A [gcp-euw1] weight 1: 198.51.100.50',
    ]);
  });

  it('weights mode on Cloud DNS: one wrr set', () => {
    const target = { provider: 'gcp-main', zone: 'example-com', mode: 'weights' as const };
    expect(answerLines({ service: web, decision: webDrained, target, provider: gcp })).toEqual([
      'www.example.com A wrr weight 0: 192.0.2.50 | weight 1: 198.51.100.50',
    ]);
  });

  it('words a decision the provider layer refuses (nothing served) instead of failing', () => {
    const nothing: Decision = { pools: apiOnAws.pools.map((p) => ({ ...p, weight: 0 })) };
    expect(
      answerLines({ service: api, decision: nothing, target: api.providers[0]!, provider: aws }),
    ).toEqual(['api.example.com A (no answer)']);
  });

  it('CNAME services answer with the first serving endpoint only', () => {
    const cname = {
      ...api,
      recordType: 'CNAME' as const,
      pools: api.pools.map((pool) => ({
        ...pool,
        endpoints: pool.endpoints.map((e) => ({
          ...e,
          target: { kind: 'cname' as const, cname: `${e.id}.lb.example.net` },
        })),
      })),
    };
    expect(
      answerLines({ service: cname, decision: apiOnAws, target: api.providers[0]!, provider: aws }),
    ).toEqual(['api.example.com CNAME use1-a.lb.example.net']);
  });

  it('labels targets with provider type, name and zone', () => {
    expect(targetLabel(api.providers[0]!, config.providers['aws-main'])).toBe(
      'route53 aws-main/Z0123456789ABC',
    );
    expect(labelOfTargetName(config, 'gcp-main/example-com')).toBe('clouddns gcp-main/example-com');
    expect(labelOfTargetName(config, 'gone/zone')).toBe('gone/zone');
  });

  it('plans a change per provider target and leaves out targets whose answer stays', () => {
    const changes = plannedDnsChanges({ config, service: api, before: apiOnAws, after: apiOnGcp });
    expect(changes.map((c) => c.target)).toEqual([
      'route53 aws-main/Z0123456789ABC',
      'clouddns gcp-main/example-com',
    ]);
    expect(changes[0]).toMatchObject({
      state: 'planned',
      before: ['api.example.com A 192.0.2.10, 192.0.2.11'],
      after: ['api.example.com A 198.51.100.20, 198.51.100.21'],
    });
    expect(plannedDnsChanges({ config, service: api, before: apiOnGcp, after: apiOnGcp })).toEqual([]);
  });
});

/** Risky settings are warnings: the config stays valid, and each warning sits where it was written. */
import { loadConfigFromString } from '../../src/config/load-config';
import { problemLines, SHARED } from './support/config-text';

const pools = `    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;

describe('warnings', () => {
  it('reports quorum any, failureThreshold 1 and tlsVerify false once where written', () => {
    const text = `${SHARED.replace('check: { type: https', 'quorum: any\n  failureThreshold: 1\n  check: { tlsVerify: false, type: https')}services:
  api:
    names: [api.example.com]
${pools}  web:
    names: [www.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10, check: { tlsVerify: false } }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    const result = loadConfigFromString(text, 'test.yaml');
    expect(result.ok).toBe(true);
    expect(problemLines(text)).toEqual([
      'test.yaml:10:11: warning: defaults.quorum: quorum "any" lets a single probe region fail the service over: one sick region is enough',
      'test.yaml:11:21: warning: defaults.failureThreshold: failureThreshold 1 declares an endpoint down after a single failed check: one lost packet is enough',
      'test.yaml:12:23: warning: defaults.check.tlsVerify: tlsVerify false: an expired or wrong certificate still counts as healthy',
      'test.yaml:23:69: warning: services.web.pools.one.endpoints[0].check.tlsVerify: tlsVerify false: an expired or wrong certificate still counts as healthy',
    ]);
  });

  it('warns about a TTL above 60 s on failover services only', () => {
    const text = `${SHARED.replace('defaults:\n', 'defaults:\n  ttl: 120\n')}services:
  api:
    names: [api.example.com]
${pools}  web:
    names: [www.example.com]
    policy: weighted
    ttl: 300
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main, mode: weights }]
  other:
    names: [other.example.com]
    ttl: 61
${pools}`;
    expect(problemLines(text)).toEqual([
      'test.yaml:10:8: warning: defaults.ttl: TTL 120 s is above 60 s: after a failover, resolvers keep sending traffic to the old pool for up to 120 s',
      'test.yaml:29:10: warning: services.other.ttl: TTL 61 s is above 60 s: after a failover, resolvers keep sending traffic to the old pool for up to 61 s',
    ]);
  });

  it('warns about fewer than 3 probe regions, on the service or on the inherited list', () => {
    const twoRegions = SHARED.replace('[us-east-1, europe-west1, onprem-fra]', '[us-east-1, europe-west1]');
    expect(problemLines(`${twoRegions}services:\n  api:\n    names: [api.example.com]\n${pools}`)).toEqual([
      'test.yaml:3:15: warning: probeRegions: fewer than 3 probe regions (2): the quorum cannot both outvote a sick region and survive losing one',
    ]);
    expect(
      problemLines(
        `${SHARED}services:\n  api:\n    names: [api.example.com]\n    probeRegions: [onprem-fra]\n${pools}`,
      ),
    ).toEqual([
      'test.yaml:14:19: warning: services.api.probeRegions: fewer than 3 probe regions (1): the quorum cannot both outvote a sick region and survive losing one',
    ]);
  });

  it('warns that mode rewrite cannot express weights', () => {
    const text = `${SHARED}services:
  web:
    names: [www.example.com]
    policy: weighted
    pools:
      one: { weight: 3, endpoints: [{ address: 192.0.2.10 }] }
      two: { weight: 1, endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }, { provider: gcp-main, mode: weights }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:18:17: warning: services.web.providers[0]: mode rewrite publishes one plain record set, so weights only decide which pools serve, not how much (use mode: weights for provider-native weighted records)',
    ]);
  });

  it('keeps a config with only warnings valid', () => {
    const text = `${SHARED}services:\n  api:\n    names: [api.example.com]\n    failureThreshold: 1\n${pools}`;
    const result = loadConfigFromString(text, 'test.yaml');
    expect(result.ok && result.warnings.map((w) => w.path)).toEqual(['services.api.failureThreshold']);
  });
});

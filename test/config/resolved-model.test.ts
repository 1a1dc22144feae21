/** Every documented default is filled in: nothing downstream sees an optional field with a default. */
import type { Service } from '../../src/config/types';
import { validConfig } from './support/config-text';

const minimal = `deployment: { id: lab }
probeRegions: [r-one, r-two, r-three]
providers:
  aws: { type: route53, hostedZoneId: ZLAB }
services:
  api:
    names: [API.Example.com.]
    check: { type: http }
    pools:
      first: { endpoints: [{ address: 192.0.2.10 }] }
      second: { endpoints: [{ address: 192.0.2.20, check: { type: tcp, port: 5432, interval: 2s, timeout: 1s } }] }
    providers: [{ provider: aws }]
`;

describe('resolved model', () => {
  it('fills in every built-in default', () => {
    const config = validConfig(minimal);
    expect(config.deployment).toEqual({ id: 'lab', redis: { keyPrefix: 'quorumdns:lab' } });
    expect(config.probeRegions).toEqual(['r-one', 'r-two', 'r-three']);
    expect(config.notifications).toEqual({});
    expect(config.services.api).toEqual<Service>({
      name: 'api',
      dnsNames: ['api.example.com'],
      recordType: 'A',
      ttl: 30,
      policy: 'failover',
      probeRegions: ['r-one', 'r-two', 'r-three'],
      quorum: 'majority',
      failureThreshold: 3,
      successThreshold: 2,
      // 3 x the shortest interval of the service (2s on the second pool's endpoint).
      staleAfter: 6_000,
      pools: [
        {
          name: 'first',
          priority: 1,
          weight: 1,
          minHealthy: { kind: 'count', count: 1 },
          endpoints: [
            {
              id: '192.0.2.10',
              pool: 'first',
              target: { kind: 'address', address: '192.0.2.10' },
              check: {
                type: 'http',
                interval: 10_000,
                timeout: 3_000,
                host: '192.0.2.10',
                port: 80,
                method: 'GET',
                path: '/',
                headers: {},
                expectStatus: [{ from: 200, to: 399 }],
                tlsVerify: true,
                followRedirects: false,
              },
            },
          ],
        },
        {
          name: 'second',
          priority: 2,
          weight: 1,
          minHealthy: { kind: 'count', count: 1 },
          endpoints: [
            {
              id: '192.0.2.20',
              pool: 'second',
              target: { kind: 'address', address: '192.0.2.20' },
              check: { type: 'tcp', interval: 2_000, timeout: 1_000, host: '192.0.2.20', port: 5432 },
            },
          ],
        },
      ],
      safety: {
        failback: 'auto',
        failbackAfter: 300_000,
        flapWindow: 1_800_000,
        maxFailbackAfter: 3_600_000,
      },
      providers: [{ provider: 'aws', zone: 'ZLAB', mode: 'rewrite' }],
      notify: [],
      drill: {},
      drills: [],
    });
  });

  it('merges checks per field: defaults, then service, then endpoint; headers per header', () => {
    const config = validConfig(`deployment: { id: lab, redis: { url: 'redis://127.0.0.1:6390' } }
probeRegions: [r-one, r-two, r-three]
providers:
  aws: { type: route53, hostedZoneId: ZLAB }
notifications:
  hook: { type: webhook, url: '\${env:HOOK}' }
defaults:
  check: { type: https, interval: 20s, timeout: 5s, path: /healthz, headers: { User-Agent: qdns, X-Token: '\${env:TOKEN}' } }
  quorum: { atLeast: 2 }
  minHealthy: 50%
  ttl: 20
  staleAfter: 45s
  safety: { failback: manual, maxDrainedPools: 1 }
services:
  api:
    names: [api.example.com]
    type: A
    policy: weighted
    check: { path: /ready, headers: { X-Token: literal }, expectStatus: [204, "300-302"] }
    pools:
      a:
        weight: 200
        minHealthy: 1
        endpoints:
          - { name: edge, address: 192.0.2.1, check: { hostHeader: api.example.com, bodyMatch: { jsonPath: $.ok, equals: true } } }
      b: { weight: 0, endpoints: [{ alias: { hostedZoneId: Z35SXDOTRQ7X7K, dnsName: LB-1.elb.amazonaws.com } }] }
    providers: [{ provider: aws, mode: weights }]
    notify: [{ channel: hook, minSeverity: critical }]
    drill: { failoverWithin: 90s }
`);
    const api = config.services.api as Service;
    expect(config.deployment.redis).toEqual({ url: 'redis://127.0.0.1:6390', keyPrefix: 'quorumdns:lab' });
    expect(config.notifications.hook).toEqual({
      name: 'hook',
      type: 'webhook',
      url: { kind: 'env', name: 'HOOK' },
      timeout: 10_000,
    });
    expect(api.quorum).toEqual({ atLeast: 2 });
    expect(api.ttl).toBe(20);
    expect(api.staleAfter).toBe(45_000);
    expect(api.safety).toEqual({
      maxDrainedPools: 1,
      failback: 'manual',
      failbackAfter: 300_000,
      flapWindow: 1_800_000,
      maxFailbackAfter: 3_600_000,
    });
    expect(api.pools.map((p) => [p.name, p.weight, p.minHealthy])).toEqual([
      ['a', 200, { kind: 'count', count: 1 }],
      ['b', 0, { kind: 'percent', percent: 50 }],
    ]);
    expect(api.pools[0]?.endpoints[0]?.check).toEqual({
      type: 'https',
      interval: 20_000,
      timeout: 5_000,
      host: '192.0.2.1',
      port: 443,
      method: 'GET',
      path: '/ready',
      headers: { 'User-Agent': 'qdns', 'X-Token': 'literal' },
      hostHeader: 'api.example.com',
      expectStatus: [
        { from: 204, to: 204 },
        { from: 300, to: 302 },
      ],
      bodyMatch: { kind: 'jsonPath', path: '$.ok', equals: true },
      tlsVerify: true,
      followRedirects: false,
    });
    expect(api.pools[1]?.endpoints[0]).toMatchObject({
      id: 'lb-1.elb.amazonaws.com',
      target: {
        kind: 'alias',
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        dnsName: 'lb-1.elb.amazonaws.com',
        evaluateTargetHealth: false,
      },
      check: { host: 'lb-1.elb.amazonaws.com', headers: { 'User-Agent': 'qdns', 'X-Token': 'literal' } },
    });
    expect(api.notify).toEqual([
      { channel: 'hook', minSeverity: 'critical', quietPeriod: 0, maxReminders: 3 },
    ]);
    expect(api.drill).toEqual({ failoverWithin: 90_000 });
  });

  it('resolves a CNAME service and a dns check with its defaults', () => {
    const config = validConfig(`deployment: { id: lab }
probeRegions: [r-one, r-two, r-three]
providers:
  gcp: { type: clouddns, project: acme-dns }
services:
  ns:
    names: [ns.example.com]
    check: { type: dns, query: Example.com., interval: 5s, timeout: 1s }
    pools:
      a: { endpoints: [{ cname: ns-a.example.net, check: { server: 192.0.2.53 } }] }
      b: { endpoints: [{ cname: ns-b.example.net, check: { server: '2001:db8::53', recordType: SOA, expectAnswer: x } }] }
    providers: [{ provider: gcp, zone: example-com }]
`);
    const ns = config.services.ns as Service;
    expect(ns.recordType).toBe('CNAME');
    expect(ns.providers).toEqual([{ provider: 'gcp', zone: 'example-com', mode: 'rewrite' }]);
    expect(ns.pools[0]?.endpoints[0]?.check).toEqual({
      type: 'dns',
      interval: 5_000,
      timeout: 1_000,
      server: '192.0.2.53',
      serverPort: 53,
      query: 'example.com',
      recordType: 'A',
      expectRcode: 'NOERROR',
    });
    expect(ns.pools[1]?.endpoints[0]?.check).toMatchObject({
      server: '2001:db8::53',
      recordType: 'SOA',
      expectAnswer: 'x',
    });
  });

  it('hashes the meaning: same for the same config, different when a value changes, blind to sources', () => {
    const a = validConfig(minimal, 'a.yaml');
    const b = validConfig(minimal, 'elsewhere/b.yaml');
    const c = validConfig(minimal.replace('port: 5432', 'port: 5433'), 'a.yaml');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
    expect(a.sources).toEqual(['a.yaml']);
  });
});

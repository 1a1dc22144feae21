/**
 * Options every provider type takes (ownerRecords, limits, requestsPerSecond, syncTimeout,
 * maxDeletes, nameServers) and the lab's `local` provider: resolved values and exact problems.
 */
import { parseNameServer } from '../../src/config/name-server';
import type { LocalProvider, Provider, Service } from '../../src/config/types';
import { problemLines, validConfig } from './support/config-text';

/** Lines 1-3; providers from line 4. */
const HEAD = `deployment: { id: lab }
probeRegions: [r-one, r-two, r-three]
providers:
`;

const service = (names: string, targets: string): string => `services:
  api:
    names: [${names}]
    check: { type: tcp, port: 443 }
    pools:
      first: { endpoints: [{ address: 192.0.2.10 }] }
      second: { endpoints: [{ address: 192.0.2.20 }] }
    providers: ${targets}
`;

describe('options of every provider type', () => {
  it('fills in the defaults', () => {
    const config = validConfig(
      `${HEAD}  aws: { type: route53, hostedZoneId: ZLAB }
  gcp: { type: clouddns, project: acme-dns, managedZone: example-com }
${service('api.example.com', '[{ provider: aws }, { provider: gcp }]')}`,
    );
    const common = { ownerRecords: true, limits: {}, syncTimeout: 120_000, maxDeletes: 10 };
    expect(config.providers.aws).toEqual<Provider>({
      name: 'aws',
      type: 'route53',
      hostedZoneId: 'ZLAB',
      ...common,
    });
    expect(config.providers.gcp).toEqual<Provider>({
      name: 'gcp',
      type: 'clouddns',
      project: 'acme-dns',
      managedZone: 'example-com',
      ...common,
    });
  });

  it('resolves every written option; name servers become host:port', () => {
    const config = validConfig(
      `${HEAD}  aws:
    type: route53
    hostedZoneId: ZLAB
    ownerRecords: false
    limits: { maxChanges: 50, maxValueChars: 16000 }
    requestsPerSecond: 2.5
    syncTimeout: 5m
    maxDeletes: 0
    nameServers: [NS-1.AwsDns.com., '192.0.2.53:5353', '[2001:DB8::53]:53', '2001:db8::54']
${service('api.example.com', '[{ provider: aws }]')}`,
    );
    expect(config.providers.aws).toEqual<Provider>({
      name: 'aws',
      type: 'route53',
      hostedZoneId: 'ZLAB',
      ownerRecords: false,
      limits: { maxChanges: 50, maxValueChars: 16_000 },
      requestsPerSecond: 2.5,
      syncTimeout: 300_000,
      maxDeletes: 0,
      nameServers: ['ns-1.awsdns.com:53', '192.0.2.53:5353', '[2001:db8::53]:53', '[2001:db8::54]:53'],
    });
  });

  it('reports every bad option at once, where it was written', () => {
    const text = `${HEAD}  aws:
    type: route53
    hostedZoneId: ZLAB
    ownerRecord: false
    limits: { maxChanges: 0, maxRecords: 3, maxValueChars: 1.5 }
    requestsPerSecond: 0
    syncTimeout: 0s
    maxDeletes: -1
    nameServers: ['ns1..example.com', 999.1.1.1, 'ns1.example.com:99999', '2001:db8::zz', '[ns1.example.com]:53', '*.example.com']
${service('api.example.com', '[{ provider: aws }]')}`;
    expect(problemLines(text)).toEqual([
      'test.yaml:7:5: providers.aws.ownerRecord: unknown field "ownerRecord" (did you mean "ownerRecords"?)',
      'test.yaml:8:27: providers.aws.limits.maxChanges: expected a change count (a whole number from 1 to 1000000), got 0',
      'test.yaml:8:30: providers.aws.limits.maxRecords: unknown field "maxRecords"',
      'test.yaml:8:60: providers.aws.limits.maxValueChars: expected a character count (a whole number from 1 to 100000000), got 1.5',
      'test.yaml:9:24: providers.aws.requestsPerSecond: expected a request rate (a number above 0), got 0',
      'test.yaml:10:18: providers.aws.syncTimeout: must be longer than 0',
      'test.yaml:11:17: providers.aws.maxDeletes: expected a record set count (a whole number from 0 to 1000000), got -1',
      'test.yaml:12:19: providers.aws.nameServers[0]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "ns1..example.com"',
      'test.yaml:12:39: providers.aws.nameServers[1]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "999.1.1.1"',
      'test.yaml:12:50: providers.aws.nameServers[2]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "ns1.example.com:99999"',
      'test.yaml:12:75: providers.aws.nameServers[3]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "2001:db8::zz"',
      'test.yaml:12:91: providers.aws.nameServers[4]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "[ns1.example.com]:53"',
      'test.yaml:12:115: providers.aws.nameServers[5]: expected a name server host or host:port like ns1.example.com, 192.0.2.53:5353 or [2001:db8::53]:53, got "*.example.com"',
    ]);
  });

  it('refuses an empty or duplicated name server list', () => {
    expect(
      problemLines(`${HEAD}  aws: { type: route53, hostedZoneId: ZLAB, nameServers: [] }
${service('api.example.com', '[{ provider: aws }]')}`),
    ).toEqual([
      'test.yaml:4:58: providers.aws.nameServers: must list at least one name server (or leave nameServers out)',
    ]);
    expect(
      problemLines(`${HEAD}  aws: { type: route53, hostedZoneId: ZLAB, nameServers: [ns1.example.com, 'NS1.example.com.:53'] }
${service('api.example.com', '[{ provider: aws }]')}`),
    ).toEqual([
      'test.yaml:4:76: providers.aws.nameServers[1]: duplicate name server "ns1.example.com:53" (also nameServers[0])',
    ]);
  });
});

describe('parseNameServer', () => {
  it.each([
    ['ns1.example.com', { host: 'ns1.example.com', port: 53 }],
    ['127.0.0.1:5300', { host: '127.0.0.1', port: 5300 }],
    ['::1', { host: '::1', port: 53 }],
    ['[::1]:5300', { host: '::1', port: 5300 }],
  ])('%s', (text, expected) => {
    expect(parseNameServer(text)).toEqual(expected);
  });

  it.each(['', 'ns1.example.com:0', '1.2.3', '[127.0.0.1]:53', 'ns1.example.com:53:53', 'a b'])(
    'refuses %j',
    (text) => {
      expect(parseNameServer(text)).toBeUndefined();
    },
  );
});

describe('the local provider', () => {
  it('resolves its zone (lower case, no final dot) and sync delay, and is every target zone', () => {
    const config = validConfig(
      `${HEAD}  lab: { type: local, zone: Lab.Test., syncDelay: 3s }
  lab2: { type: local, zone: other.test }
${service('api.lab.test, Lab.Test', '[{ provider: lab, mode: weights }]')}  web:
    names: [www.other.test]
    check: { type: tcp, port: 443 }
    pools:
      first: { endpoints: [{ address: 192.0.2.10 }] }
      second: { endpoints: [{ address: 192.0.2.20 }] }
    providers: [{ provider: lab2, zone: OTHER.test. }]
`,
    );
    expect(config.providers.lab).toEqual<LocalProvider>({
      name: 'lab',
      type: 'local',
      zone: 'lab.test',
      syncDelay: 3_000,
      ownerRecords: true,
      limits: {},
      syncTimeout: 120_000,
      maxDeletes: 10,
    });
    expect((config.providers.lab2 as LocalProvider).syncDelay).toBe(0);
    expect((config.services.api as Service).providers).toEqual([
      { provider: 'lab', zone: 'lab.test', mode: 'weights' },
    ]);
    expect((config.services.web as Service).providers).toEqual([
      { provider: 'lab2', zone: 'other.test', mode: 'rewrite' },
    ]);
  });

  it('requires a zone, and refuses a wildcard or malformed one', () => {
    const text = `${HEAD}  a: { type: local }
  b: { type: local, zone: '*.lab.test', syncDelay: soon }
  c: { type: local, zone: 'lab..test', hostedZoneId: ZLAB }
${service('api.lab.test', '[{ provider: a }]')}`;
    expect(problemLines(text)).toEqual([
      'test.yaml:4:3: providers.a.zone: missing required field "zone"',
      'test.yaml:5:27: providers.b.zone: a zone apex cannot be a wildcard',
      'test.yaml:5:52: providers.b.syncDelay: expected a duration like 10s or 2m, got "soon"',
      'test.yaml:6:27: providers.c.zone: expected a DNS name like api.example.com, got "lab..test"',
      'test.yaml:6:40: providers.c.hostedZoneId: unknown field "hostedZoneId"',
    ]);
  });

  it('refuses a target zone other than its own, names outside it, and a zone served twice', () => {
    const text = `${HEAD}  lab: { type: local, zone: lab.test }
  lab-copy: { type: local, zone: LAB.test }
${service('api.lab.test, api.example.com', '[{ provider: lab, zone: other.test }, { provider: lab-copy }]')}`;
    expect(problemLines(text)).toEqual([
      'test.yaml:5:34: providers.lab-copy.zone: zone "lab.test" is already served by local provider "lab" (at test.yaml:4:3)',
      'test.yaml:13:40: services.api.providers[0].zone: local provider "lab" serves only zone "lab.test", got "other.test" (omit zone)',
      'test.yaml:13:66: services.api.providers[1].provider: local provider "lab-copy" serves zone "lab.test", which does not hold DNS name "api.example.com"',
    ]);
  });

  it('cannot serve a Route 53 alias', () => {
    const text = `${HEAD}  lab: { type: local, zone: lab.test }
services:
  api:
    names: [api.lab.test]
    check: { type: tcp, port: 443 }
    pools:
      first: { endpoints: [{ alias: { hostedZoneId: Z35SXDOTRQ7X7K, dnsName: lb-1.elb.amazonaws.com } }] }
      second: { endpoints: [{ alias: { hostedZoneId: Z35SXDOTRQ7X7K, dnsName: lb-2.elb.amazonaws.com } }] }
    providers: [{ provider: lab }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:12:29: services.api.providers[0].provider: provider "lab" is local, which cannot serve the Route 53 alias of endpoint "lb-1.elb.amazonaws.com"',
    ]);
  });

  it('names local among the provider types', () => {
    expect(problemLines(`${HEAD}  lab: { type: locale, zone: lab.test }\n`)).toEqual([
      'test.yaml:4:16: providers.lab.type: unknown type "locale" (did you mean "local"?); expected one of route53, clouddns, local',
    ]);
  });
});

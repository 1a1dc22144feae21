/**
 * Every check that needs more than one field, each with the exact message and the position of
 * the value a person has to change. The shared part (SHARED) is lines 1-10; services start at 11.
 */
import { problemLines, SHARED } from './support/config-text';

const withServices = (services: string): string => `${SHARED}services:\n${services}`;

describe('unknown references', () => {
  it('reports unknown probe regions, providers and channels with a suggestion', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    probeRegions: [us-east-1, europe-west1, onprem-fr]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers:
      - { provider: aws-mian }
    notify:
      - { channel: ops-slak }
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:14:19: warning: services.api.probeRegions: fewer than 3 probe regions (2): the quorum cannot both outvote a sick region and survive losing one',
      'test.yaml:14:45: services.api.probeRegions[2]: unknown probe region "onprem-fr" (did you mean "onprem-fra"?); the top-level probeRegions are: us-east-1, europe-west1, onprem-fra',
      'test.yaml:19:21: services.api.providers[0].provider: unknown provider "aws-mian" (did you mean "aws-main"?)',
      'test.yaml:21:20: services.api.notify[0].channel: unknown notification channel "ops-slak" (did you mean "ops-slack"?)',
    ]);
  });

  it('does not call a reference to a broken provider unknown', () => {
    const text =
      SHARED.replace('{ type: route53, hostedZoneId: Z0123456789ABC }', '{ type: route54 }') +
      `services:
  api:
    names: [api.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:5:21: providers.aws-main.type: unknown type "route54" (did you mean "route53"?); expected one of route53, clouddns, local',
    ]);
  });
});

describe('duplicates', () => {
  it('reports duplicate endpoint ids within a service (defaulted or named)', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }, { name: b, address: 192.0.2.11 }] }
      two: { endpoints: [{ address: 192.0.2.10 }, { name: b, address: 192.0.2.12 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:16:37: services.api.pools.two.endpoints[0].address: duplicate endpoint id "192.0.2.10" (also at services.api.pools.one.endpoints[0]): give one of them a distinct name',
      'test.yaml:16:59: services.api.pools.two.endpoints[1].name: duplicate endpoint id "b" (also at services.api.pools.one.endpoints[1]): give one of them a distinct name',
    ]);
  });

  it('reports a pool defined twice as a duplicate YAML key', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      one: { endpoints: [{ address: 192.0.2.11 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toContain('test.yaml:16:7: duplicate key "one"');
  });

  it('reports a DNS name steered by two services of the same type, not A next to AAAA', () => {
    const pools = `    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    const text = withServices(`  api:
    names: [api.example.com]
${pools}  api6:
    names: [API.example.com.]
    pools:
      one: { endpoints: [{ address: '2001:db8::1' }] }
      two: { endpoints: [{ address: '2001:db8::2' }] }
    providers: [{ provider: aws-main }]
  api-again:
    names: [api.example.com, www.example.com, www.example.com]
${pools}`);
    expect(problemLines(text)).toEqual([
      'test.yaml:25:47: services.api-again.names[2]: duplicate DNS name "www.example.com"',
    ]);
    const fixed = text.replace(', www.example.com, www.example.com]', ']');
    expect(problemLines(fixed)).toEqual([
      'test.yaml:25:13: services.api-again.names[0]: DNS name "api.example.com" is already steered by service "api" (A, at test.yaml:13:13): two services would overwrite each other',
    ]);
  });
});

describe('quorum', () => {
  it('refuses atLeast above the service region count, and below 1', () => {
    const pools = `    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    const text = withServices(`  api:
    names: [api.example.com]
    quorum: { atLeast: 4 }
${pools}  web:
    names: [www.example.com]
    quorum: { atLeast: 0 }
${pools}`);
    expect(problemLines(text)).toEqual([
      'test.yaml:14:24: services.api.quorum.atLeast: quorum atLeast 4 is more than the 3 probe regions of service "api": it could never be reached',
      'test.yaml:21:24: services.web.quorum.atLeast: expected a region count (a whole number from 1 to 1000), got 0',
    ]);
  });

  it('points at defaults when an inherited atLeast is too large for a service', () => {
    const text =
      SHARED.replace('defaults:\n', 'defaults:\n  quorum: { atLeast: 3 }\n') +
      `services:
  api:
    names: [api.example.com]
    probeRegions: [us-east-1, europe-west1]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:10:22: defaults.quorum.atLeast: quorum atLeast 3 is more than the 2 probe regions of service "api": it could never be reached',
      'test.yaml:15:19: warning: services.api.probeRegions: fewer than 3 probe regions (2): the quorum cannot both outvote a sick region and survive losing one',
    ]);
  });
});

describe('check timing', () => {
  it('reports a timeout not shorter than its interval where the timeout was written', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      one:
        endpoints:
          - { address: 192.0.2.10, check: { interval: 2s } }
          - { address: 192.0.2.11, check: { interval: 5s, timeout: 5s } }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:10:49: defaults.check.timeout: timeout 3s must be shorter than interval 2s (interval set at services.api.pools.one.endpoints[0].check.interval)',
      'test.yaml:18:68: services.api.pools.one.endpoints[1].check.timeout: timeout 5s must be shorter than interval 5s',
    ]);
  });
});

describe('weights', () => {
  it('refuses weights outside 0..255 and a weighted service whose weights are all 0', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    policy: weighted
    pools:
      one: { weight: 0, endpoints: [{ address: 192.0.2.10 }] }
      two: { weight: 0, endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main, mode: weights }]
  web:
    names: [www.example.com]
    policy: weighted
    pools:
      one: { weight: 256, endpoints: [{ address: 192.0.2.10 }] }
      two: { weight: -1, endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main, mode: weights }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:15:5: services.api.pools: every pool has weight 0: a weighted service needs at least one pool with a weight above 0',
      'test.yaml:23:22: services.web.pools.one.weight: weight must be from 0 to 255 (the Route 53 range), got 256',
      'test.yaml:24:22: services.web.pools.two.weight: weight must be from 0 to 255 (the Route 53 range), got -1',
    ]);
  });
});

describe('pools', () => {
  it('refuses a failover service with one pool, an empty pool and impossible minHealthy values', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      only: { endpoints: [{ address: 192.0.2.10 }] }
    providers: [{ provider: aws-main }]
  web:
    names: [www.example.com]
    pools:
      one: { endpoints: [] }
      two: { minHealthy: 2, endpoints: [{ address: 198.51.100.10 }] }
      three: { minHealthy: 0%, endpoints: [{ address: 198.51.100.11 }] }
      four: { minHealthy: 150%, endpoints: [{ address: 198.51.100.12 }] }
      five: { minHealthy: 0, endpoints: [{ address: 198.51.100.13 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:14:5: services.api.pools: a failover service needs at least two pools: with one there is nothing to fail over to',
      'test.yaml:20:25: services.web.pools.one.endpoints: a pool needs at least one endpoint',
      'test.yaml:21:26: services.web.pools.two.minHealthy: minHealthy 2 is more than the 1 endpoint of pool "two": the pool could never be healthy',
      'test.yaml:22:28: services.web.pools.three.minHealthy: minHealthy "0%" must be from 1% to 100%',
      'test.yaml:23:27: services.web.pools.four.minHealthy: minHealthy "150%" must be from 1% to 100%',
      'test.yaml:24:27: services.web.pools.five.minHealthy: minHealthy must be at least 1 endpoint, got 0: a pool with no endpoint up is not healthy',
    ]);
  });

  it('refuses duplicate failover priorities, explicit or taken from the position', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      one: { priority: 1, endpoints: [{ address: 192.0.2.10 }] }
      two: { priority: 1, endpoints: [{ address: 198.51.100.10 }] }
      three: { endpoints: [{ address: 198.51.100.11 }] }
      four: { priority: 3, endpoints: [{ address: 198.51.100.12 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:16:24: services.api.pools.two.priority: priority 1 is also the priority of pool "one": failover order must be unambiguous',
      'test.yaml:18:25: services.api.pools.four.priority: priority 3 is also the priority of pool "three" (from its position): failover order must be unambiguous',
    ]);
  });

  it('refuses an endpoint with no target or with two', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    pools:
      one:
        endpoints:
          - { name: nothing }
          - { address: 192.0.2.10, cname: lb.example.net }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:17:13: services.api.pools.one.endpoints[0]: missing target: an endpoint needs one of address, cname or alias',
      'test.yaml:18:36: services.api.pools.one.endpoints[1].cname: address and cname are exclusive: an endpoint has exactly one target',
    ]);
  });
});

describe('record types', () => {
  it('refuses mixed IPv4/IPv6, CNAME next to addresses, and endpoints that contradict a declared type', () => {
    const text = withServices(`  v4v6:
    names: [a.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: '2001:db8::1' }] }
    providers: [{ provider: aws-main }]
  cnameaddr:
    names: [b.example.com]
    pools:
      one: { endpoints: [{ cname: lb.example.net }] }
      two: { endpoints: [{ address: 192.0.2.10 }] }
    providers: [{ provider: aws-main }]
  declared:
    names: [c.example.com]
    type: AAAA
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: '2001:db8::2' }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:16:37: services.v4v6.pools.two.endpoints[0].address: mixed record types: endpoint "2001:db8::1" is an IPv6 address (AAAA) but endpoint "192.0.2.10" is an IPv4 address (A); a name answers with one record type (serve IPv4 and IPv6 as two services, type A and type AAAA, with the same names)',
      'test.yaml:22:37: services.cnameaddr.pools.two.endpoints[0].address: mixed record types: endpoint "192.0.2.10" is an IPv4 address (A) but endpoint "lb.example.net" is a CNAME target; a name answers with one record type (a CNAME cannot share a name with other records)',
      'test.yaml:28:37: services.declared.pools.one.endpoints[0].address: endpoint "192.0.2.10" is an IPv4 address (A), which a AAAA service cannot answer with',
    ]);
  });

  it('allows only one value per CNAME answer', () => {
    const text = withServices(`  multi:
    names: [a.example.com]
    policy: all-healthy
    pools:
      one: { endpoints: [{ cname: a.example.net }, { cname: b.example.net }] }
    providers: [{ provider: aws-main }]
  failover:
    names: [b.example.com]
    pools:
      one: { endpoints: [{ cname: a.example.net }, { cname: b.example.net }] }
      two: { endpoints: [{ cname: c.example.net }] }
    providers: [{ provider: aws-main }]
  weighted:
    names: [c.example.com]
    policy: weighted
    pools:
      one: { endpoints: [{ cname: a.example.net }] }
      two: { endpoints: [{ cname: c.example.net }] }
    providers: [{ provider: aws-main }, { provider: gcp-main, mode: weights }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:16:52: services.multi.pools.one.endpoints[1]: a CNAME record holds one value: an all-healthy CNAME service can have only one endpoint (use failover or weighted)',
      'test.yaml:21:52: services.failover.pools.one.endpoints[1]: a CNAME record holds one value: pool "one" of a CNAME service must have exactly one endpoint',
      'test.yaml:30:17: services.weighted.providers[0]: a CNAME record holds one value: a weighted CNAME service with several pools needs mode: weights',
    ]);
  });
});

describe('provider targets', () => {
  it('needs a zone, a zone of the right kind, a mode that fits the policy, and no repeats', () => {
    const text =
      SHARED.replace('hostedZoneId: Z0123456789ABC', 'region: us-east-1') +
      `services:
  api:
    names: [api.example.com]
    policy: all-healthy
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
    providers:
      - { provider: aws-main }
      - { provider: gcp-main, mode: weights }
      - { provider: gcp-main, zone: Z0123 }
      - { provider: aws-main, zone: Z0123456789ABC }
      - { provider: aws-main, zone: Z0123456789ABC }
  alias:
    names: [alias.example.com]
    pools:
      one: { endpoints: [{ alias: { hostedZoneId: Z35SXDOTRQ7X7K, dnsName: lb-1.elb.amazonaws.com } }] }
      two: { endpoints: [{ address: 192.0.2.10 }] }
    providers: [{ provider: gcp-main }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:18:9: services.api.providers[0].zone: missing zone: provider "aws-main" has no hostedZoneId, so this target must name its zone',
      'test.yaml:19:37: services.api.providers[1].mode: mode weights does not fit policy all-healthy: all-healthy answers every healthy endpoint in one record set (use mode: rewrite)',
      'test.yaml:20:37: services.api.providers[2].zone: expected a Cloud DNS managed zone name like example-com for clouddns provider "gcp-main", got "Z0123"',
      'test.yaml:22:9: services.api.providers[4]: provider "aws-main" zone "Z0123456789ABC" is already a target of this service (providers[3])',
      'test.yaml:28:29: services.alias.providers[0].provider: provider "gcp-main" is clouddns, which cannot serve the Route 53 alias of endpoint "lb-1.elb.amazonaws.com"',
    ]);
  });
});

describe('safety', () => {
  it('refuses failbackAfter longer than maxFailbackAfter', () => {
    const text = withServices(`  api:
    names: [api.example.com]
    safety: { failbackAfter: 2h }
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`);
    expect(problemLines(text)).toEqual([
      'test.yaml:14:30: services.api.safety.failbackAfter: failbackAfter 2h is longer than maxFailbackAfter 1h (the default): flap damping could only shorten it',
    ]);
  });
});

describe('secrets', () => {
  const text = `deployment:
  id: test-deploy
  redis: { url: 'redis://:hunter2@redis.internal:6379' }
probeRegions: [us-east-1, europe-west1, onprem-fra]
notifications:
  slack: { type: slack, url: 'https://hooks.slack.com/services/T000/B000/XXXX' }
  teams: { type: teams, url: '\${env:TEAMS URL}' }
  pager: { type: pagerduty, routingKey: 'R0UT1NGKEY' }
  hook: { type: webhook, url: https://hooks.internal.example/qdns, secret: 'abc' }
  hook2: { type: webhook, url: '\${env:HOOK_URL}', secret: '\${file:/run/secrets/hmac}' }
`;

  it('refuses secrets written literally and malformed references', () => {
    expect(problemLines(text)).toEqual([
      'test.yaml:3:17: deployment.redis.url: secrets must not live in the config repo: this Redis URL carries a password; write url: ${env:REDIS_URL}',
      'test.yaml:6:30: notifications.slack.url: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
      'test.yaml:7:30: notifications.teams.url: malformed secret reference: expected ${env:NAME} (letters, digits, _) or ${file:/absolute/path}',
      'test.yaml:8:41: notifications.pager.routingKey: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
      'test.yaml:9:76: notifications.hook.secret: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
    ]);
  });

  it('never repeats a secret value in a message', () => {
    const output = problemLines(text).join('\n');
    for (const secret of ['hunter2', 'XXXX', 'R0UT1NGKEY', "'abc'", '"abc"'])
      expect(output).not.toContain(secret);
  });

  it('does not need the referenced variables or files at validate time', () => {
    const clean = text
      .replace("'redis://:hunter2@redis.internal:6379'", "'${env:REDIS_URL_THAT_IS_NOT_SET}'")
      .replace("'https://hooks.slack.com/services/T000/B000/XXXX'", "'${env:NOT_SET_EITHER}'")
      .replace('TEAMS URL', 'TEAMS_URL')
      .replace("'R0UT1NGKEY'", "'${file:/does/not/exist}'")
      .replace("secret: 'abc'", "secret: '${env:HMAC}'");
    expect(problemLines(clean)).toEqual([]);
  });
});

describe('effective checks', () => {
  const shared = SHARED.replace(
    '  check: { type: https, interval: 10s, timeout: 3s, path: /healthz }\n',
    '  ttl: 30\n',
  );

  it('needs a type, the fields of that type, and no field of another type written with it', () => {
    const text = `${shared}services:
  api:
    names: [api.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10, check: { type: tcp, path: /x } }] }
    providers: [{ provider: aws-main }]
  dns:
    names: [ns.example.com]
    check: { type: dns }
    pools:
      one: { endpoints: [{ cname: ns1.example.net, check: { query: example.com } }] }
      two: { endpoints: [{ cname: ns2.example.net, check: { server: 192.0.2.53 } }] }
    providers: [{ provider: aws-main }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:15:26: services.api.pools.one.endpoints[0].check.type: missing check type: set type (http, https, tcp or dns) in defaults.check, the service check or the endpoint check',
      'test.yaml:16:52: services.api.pools.two.endpoints[0].check.port: missing required field "port" for tcp checks',
      'test.yaml:16:72: services.api.pools.two.endpoints[0].check.path: field "path" does not apply to tcp checks',
      'test.yaml:22:52: services.dns.pools.one.endpoints[0].check.server: missing required field "server" for dns checks (the endpoint is not an IP address, so name the server to ask)',
      'test.yaml:23:52: services.dns.pools.two.endpoints[0].check.query: missing required field "query" for dns checks',
    ]);
  });

  it('ignores http fields inherited from defaults by a service that chose another type', () => {
    const text = `${SHARED}services:
  db:
    names: [db.example.com]
    check: { type: tcp, port: 5432 }
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`;
    expect(problemLines(text)).toEqual([]);
  });
});

/** Structural problems (zod): messages a person understands, at the offending node, all at once. */
import { problemLines, SHARED } from './support/config-text';

describe('structure', () => {
  it('reports every structural problem of a service at once', () => {
    const text = `${SHARED}services:
  api:
    names: [api.example.com]
    ttl: 30s
    polcy: failover
    check: { interval: 10 seconds, method: get, expectStatus: ["300-200", 99] }
    pools:
      one:
        prioirty: 1
        endpoints:
          - { address: 192.0.2.300 }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main, mode: rewrites }]
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:14:10: services.api.ttl: expected a TTL in seconds (a whole number from 0 to 604800), got "30s"',
      'test.yaml:15:5: services.api.polcy: unknown field "polcy" (did you mean "policy"?)',
      'test.yaml:16:24: services.api.check.interval: expected a duration like 10s or 2m, got "10 seconds"',
      'test.yaml:16:44: services.api.check.method: expected an HTTP method in capitals like GET or HEAD, got "get"',
      'test.yaml:16:64: services.api.check.expectStatus[0]: status range "300-200" ends before it starts',
      'test.yaml:16:75: services.api.check.expectStatus[1]: expected an HTTP status (a whole number from 100 to 599), got 99',
      'test.yaml:19:9: services.api.pools.one.prioirty: unknown field "prioirty" (did you mean "priority"?)',
      'test.yaml:21:24: services.api.pools.one.endpoints[0].address: expected an IPv4 or IPv6 address, got "192.0.2.300"',
      'test.yaml:23:45: services.api.providers[0].mode: expected one of rewrite, weights; got "rewrites"',
    ]);
  });

  it('points a missing field at its parent key', () => {
    const text = `${SHARED}services:
  api:
    names: [api.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.10 }] }
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:12:3: services.api.providers: missing required field "providers"',
    ]);
  });

  it('explains durations, unknown types and wrong value kinds', () => {
    const text = `deployment: { id: x }
probeRegions: [us-east-1, Europe, 7]
providers:
  p: { type: route-53 }
  q: []
defaults:
  staleAfter: 0s
  safety: { failbackAfter: 5 minutes, flapWindow: 0s }
  check: { bodyMatch: { contains: ok, regex: "(" }, timeout: 1.5ms }
services: []
`;
    expect(problemLines(text)).toEqual([
      'test.yaml:2:27: probeRegions[1]: expected a name of lower-case letters, digits, ".", "_" or "-", starting with a letter (at most 63), got "Europe"',
      'test.yaml:2:35: probeRegions[2]: expected a name of lower-case letters, digits, ".", "_" or "-", starting with a letter (at most 63), got 7',
      'test.yaml:4:14: providers.p.type: unknown type "route-53" (did you mean "route53"?); expected one of route53, clouddns, local',
      'test.yaml:5:6: providers.q: expected a map, got a list',
      'test.yaml:7:15: defaults.staleAfter: must be longer than 0',
      'test.yaml:8:28: defaults.safety.failbackAfter: expected a duration like 10s or 2m, got "5 minutes"',
      'test.yaml:9:46: defaults.check.bodyMatch.regex: contains and regex are exclusive: a body match has one of contains, regex or jsonPath',
      'test.yaml:9:46: defaults.check.bodyMatch.regex: invalid regular expression "("',
      'test.yaml:9:62: defaults.check.timeout: duration "1.5ms" is not a whole number of milliseconds',
      'test.yaml:10:11: services: expected a map of services, got a list',
    ]);
  });

  it('names the file and position of YAML syntax errors and reports every file', () => {
    expect(problemLines('services:\n  api: { names: [a.example.com]\n')).toEqual([
      'test.yaml:3:1: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  it('refuses a document that is not a map', () => {
    expect(problemLines('- just\n- a list\n')).toEqual([
      'test.yaml:1:1: expected a map, got a list',
      'test.yaml:1:1: deployment: missing required section "deployment": one of the files must define it',
      'test.yaml:1:1: probeRegions: missing required section "probeRegions": one of the files must list the probe regions',
    ]);
  });
});

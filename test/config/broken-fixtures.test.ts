/**
 * The deliberately broken files under test/fixtures/config/broken: each gives several problems,
 * all reported at once, with the exact `file:line:col: path: message`.
 */
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { formatProblem } from '../../src/config/problem';

const ROOT = join(__dirname, '..', '..');

async function linesOf(name: string): Promise<string[]> {
  const result = await loadConfig([`test/fixtures/config/broken/${name}.yaml`], { cwd: ROOT });
  return (result.ok ? result.warnings : result.problems).map(formatProblem);
}

const expected: Record<string, string[]> = {
  structure: [
    'test/fixtures/config/broken/structure.yaml:4:3: deployment.statusPage: unknown field "statusPage" (did you mean "statusPageUrl"?)',
    'test/fixtures/config/broken/structure.yaml:7:30: providers.aws-main.hostedZoneID: unknown field "hostedZoneID" (did you mean "hostedZoneId"?)',
    'test/fixtures/config/broken/structure.yaml:9:35: defaults.check.interval: expected a duration like 10s or 2m, got "10 seconds"',
    'test/fixtures/config/broken/structure.yaml:10:11: defaults.quorum: expected majority, all, any or { atLeast: n }, got "most"',
    'test/fixtures/config/broken/structure.yaml:14:13: services.api.policy: expected one of failover, weighted, all-healthy; got "fail-over"',
    'test/fixtures/config/broken/structure.yaml:17:9: services.api.pools.aws-use1.prioirty: unknown field "prioirty" (did you mean "priority"?)',
    'test/fixtures/config/broken/structure.yaml:19:24: services.api.pools.aws-use1.endpoints[0].address: expected an IPv4 or IPv6 address, got "192.0.2.300"',
    'test/fixtures/config/broken/structure.yaml:21:19: services.api.pools.gcp-euw1.priority: expected a priority (a whole number from 1 to 1000), got "first"',
    'test/fixtures/config/broken/structure.yaml:23:54: services.api.pools.gcp-euw1.endpoints[0].check.port: expected a port (a whole number from 1 to 65535), got 70000',
  ],
  references: [
    'test/fixtures/config/broken/references.yaml:11:49: defaults.check.timeout: timeout 3s must be shorter than interval 2s (interval set at services.api.pools.aws-use1.endpoints[0].check.interval)',
    'test/fixtures/config/broken/references.yaml:15:24: services.api.quorum.atLeast: quorum atLeast 4 is more than the 3 probe regions of service "api": it could never be reached',
    'test/fixtures/config/broken/references.yaml:16:57: services.api.probeRegions[3]: unknown probe region "mars-1"; the top-level probeRegions are: us-east-1, europe-west1, onprem-fra',
    'test/fixtures/config/broken/references.yaml:17:5: services.api.pools: a failover service needs at least two pools: with one there is nothing to fail over to',
    'test/fixtures/config/broken/references.yaml:19:21: services.api.pools.aws-use1.minHealthy: minHealthy 3 is more than the 2 endpoints of pool "aws-use1": the pool could never be healthy',
    'test/fixtures/config/broken/references.yaml:22:24: services.api.pools.aws-use1.endpoints[1].address: duplicate endpoint id "192.0.2.10" (also at services.api.pools.aws-use1.endpoints[0]): give one of them a distinct name',
    'test/fixtures/config/broken/references.yaml:24:21: services.api.providers[0].provider: unknown provider "aws-mian" (did you mean "aws-main"?)',
    'test/fixtures/config/broken/references.yaml:25:9: services.api.providers[1].zone: missing zone: provider "gcp-main" has no managedZone, so this target must name its zone',
    'test/fixtures/config/broken/references.yaml:27:20: services.api.notify[0].channel: unknown notification channel "ops-slak" (did you mean "ops-slack"?)',
    'test/fixtures/config/broken/references.yaml:32:22: services.web.pools.one.weight: weight must be from 0 to 255 (the Route 53 range), got 300',
    'test/fixtures/config/broken/references.yaml:32:38: services.web.pools.one.endpoints: a pool needs at least one endpoint',
    'test/fixtures/config/broken/references.yaml:33:62: services.web.pools.two.endpoints[1].address: mixed record types: endpoint "2001:db8::20" is an IPv6 address (AAAA) but endpoint "192.0.2.20" is an IPv4 address (A); a name answers with one record type (serve IPv4 and IPv6 as two services, type A and type AAAA, with the same names)',
    'test/fixtures/config/broken/references.yaml:35:37: services.web.providers[0].mode: mode weights does not fit policy all-healthy: all-healthy answers every healthy endpoint in one record set (use mode: rewrite)',
  ],
  secrets: [
    'test/fixtures/config/broken/secrets.yaml:4:17: deployment.redis.url: secrets must not live in the config repo: this Redis URL carries a password; write url: ${env:REDIS_URL}',
    'test/fixtures/config/broken/secrets.yaml:7:34: notifications.ops-slack.url: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
    'test/fixtures/config/broken/secrets.yaml:8:30: notifications.teams.url: malformed secret reference: expected ${env:NAME} (letters, digits, _) or ${file:/absolute/path}',
    'test/fixtures/config/broken/secrets.yaml:9:41: notifications.pager.routingKey: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
    'test/fixtures/config/broken/secrets.yaml:10:77: notifications.audit.secret: secrets must not live in the config repo: write ${env:NAME} or ${file:/path} instead of the value',
  ],
  syntax: [
    'test/fixtures/config/broken/syntax.yaml:4:3: duplicate key "id"',
    'test/fixtures/config/broken/syntax.yaml:6:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
};

describe('broken fixtures', () => {
  it.each(Object.keys(expected))('%s.yaml reports every problem with its position', async (name) => {
    expect(await linesOf(name)).toEqual(expected[name]);
  });

  it('never repeats the secrets written in secrets.yaml', async () => {
    const output = (await linesOf('secrets')).join('\n');
    for (const secret of ['hunter2', 'XXXXXXXX', '0123456789abcdef', 'hmac-secret-value']) {
      expect(output).not.toContain(secret);
    }
  });
});

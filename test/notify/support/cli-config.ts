import { configYaml, twoPoolService } from '../../support/config-yaml';
import { SHARED_REDIS_URL } from '../../support/redis-test-keys';

/**
 * A YAML config for `quorumdns notify ...` in-process: service `api` routed to the webhook channel `ops`
 * (URL from `QDNS_TEST_HOOK_OPS`), plus any extra channel lines (`name: { type: ..., url: ... }`).
 */
export function cliConfig(prefix: string, extraChannels: string[] = []): string {
  return configYaml({
    deploymentId: 'notify-test',
    redisUrl: SHARED_REDIS_URL,
    keyPrefix: prefix,
    providers: ['r53: { type: route53, hostedZoneId: Z0123456789ABC }'],
    notifications: ["ops: { type: webhook, url: '${env:QDNS_TEST_HOOK_OPS}' }", ...extraChannels],
    check: '{ type: tcp, port: 443, interval: 10s, timeout: 3s }',
    services: [twoPoolService('api', ['api.example.com'], ['r53'], { notify: ['ops'] })],
  });
}

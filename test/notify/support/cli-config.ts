import { SHARED_REDIS_URL } from '../../support/redis-test-keys';

/**
 * A YAML config for `quorumdns notify ...` in-process: service `api` routed to the webhook channel `ops`
 * (URL from `QDNS_TEST_HOOK_OPS`), plus any extra channel lines (`name: { type: ..., url: ... }`).
 */
export function cliConfig(prefix: string, extraChannels: string[] = []): string {
  return `deployment:
  id: notify-test
  redis: { url: '${SHARED_REDIS_URL}', keyPrefix: ${prefix} }
probeRegions: [r1, r2, r3]
providers:
  r53: { type: route53, hostedZoneId: Z0123456789ABC }
notifications:
  ops: { type: webhook, url: '\${env:QDNS_TEST_HOOK_OPS}' }
${extraChannels.map((line) => `  ${line}\n`).join('')}defaults:
  check: { type: tcp, port: 443, interval: 10s, timeout: 3s }
services:
  api:
    names: [api.example.com]
    pools:
      a:
        endpoints:
          - { name: a1, address: 192.0.2.10 }
      b:
        endpoints:
          - { name: b1, address: 198.51.100.20 }
    providers:
      - { provider: r53 }
    notify:
      - { channel: ops }
`;
}

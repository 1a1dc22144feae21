/**
 * The YAML of a small probe-side config for tests that run the real loader (CLI, Lambda, metrics): one
 * all-healthy service `api` whose endpoints are local HTTP servers, probed every 100 ms.
 */
export interface ProbeConfigYamlOptions {
  deploymentId: string;
  /** Literal URL or a secret reference such as `${env:X}`. */
  redisUrl: string;
  keyPrefix: string;
  regions: string[];
  failureThreshold: number;
  endpoints: { name: string; port: number }[];
}

export function probeConfigYaml(options: ProbeConfigYamlOptions): string {
  const endpoints = options.endpoints
    .map((e) => `          - { name: ${e.name}, address: 127.0.0.1, check: { port: ${e.port} } }`)
    .join('\n');
  return `deployment:
  id: ${options.deploymentId}
  redis: { url: '${options.redisUrl}', keyPrefix: ${options.keyPrefix} }
probeRegions: [${options.regions.join(', ')}]
providers:
  dns: { type: route53, hostedZoneId: Z0123456789ABC }
defaults:
  check: { type: http, interval: 100ms, timeout: 80ms, path: /healthz }
  failureThreshold: ${options.failureThreshold}
services:
  api:
    names: [api.example.com]
    policy: all-healthy
    pools:
      main:
        endpoints:
${endpoints}
    providers:
      - { provider: dns, mode: rewrite }
`;
}

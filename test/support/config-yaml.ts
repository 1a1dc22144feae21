/**
 * The YAML of a small config for tests that run the real loader through a command (`plan`, `sync`,
 * `evaluate`, `notify`): services of one address endpoint per pool, named providers and channels, and a
 * helper that writes it where `--config` can find it. Each test states only what it is about; the layout
 * (two pools `a` and `b`, probe regions r1-r3) is the one these commands' tests have always used.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceYaml {
  name: string;
  /** The steered names (`names:`). */
  names: string[];
  /** Written before the pools when set (`all-healthy`, `weighted`). */
  policy?: string;
  /** Pool name -> endpoint name -> address. */
  pools: Record<string, Record<string, string>>;
  /** Provider names the service is steered through. */
  providers: string[];
  /** Notification channel names routed every event of the service. */
  notify?: string[];
}

export interface ConfigYamlOptions {
  deploymentId: string;
  /** Literal URL or a secret reference; left out, the loader takes `REDIS_URL` from the environment. */
  redisUrl?: string;
  keyPrefix: string;
  /** Lines under `providers:`, as `name: { type: ..., ... }`. */
  providers: string[];
  /** Lines under `notifications:`, as `name: { type: ..., url: ... }`; no section when empty. */
  notifications?: string[];
  /** The flow map of `defaults.check`. */
  check: string;
  services: ServiceYaml[];
}

/** Service `name` with pool `a` (endpoint a1, 192.0.2.10) and pool `b` (b1, 198.51.100.20). */
export function twoPoolService(
  name: string,
  names: string[],
  providers: string[],
  extra: Pick<ServiceYaml, 'notify'> = {},
): ServiceYaml {
  return { name, names, pools: { a: { a1: '192.0.2.10' }, b: { b1: '198.51.100.20' } }, providers, ...extra };
}

function serviceYaml(service: ServiceYaml): string {
  const lines = [`  ${service.name}:`, `    names: [${service.names.join(', ')}]`];
  if (service.policy !== undefined) lines.push(`    policy: ${service.policy}`);
  lines.push('    pools:');
  for (const [pool, endpoints] of Object.entries(service.pools)) {
    lines.push(`      ${pool}:`, '        endpoints:');
    for (const [endpoint, address] of Object.entries(endpoints))
      lines.push(`          - { name: ${endpoint}, address: ${address} }`);
  }
  lines.push('    providers:', ...service.providers.map((provider) => `      - { provider: ${provider} }`));
  if (service.notify !== undefined)
    lines.push('    notify:', ...service.notify.map((channel) => `      - { channel: ${channel} }`));
  return lines.map((line) => `${line}\n`).join('');
}

/** The config text; it ends with the last service's last list, so a test may append keys of that service. */
export function configYaml(options: ConfigYamlOptions): string {
  const redis =
    options.redisUrl === undefined
      ? `{ keyPrefix: ${options.keyPrefix} }`
      : `{ url: '${options.redisUrl}', keyPrefix: ${options.keyPrefix} }`;
  const section = (name: string, lines: string[]): string =>
    `${name}:\n${lines.map((line) => `  ${line}\n`).join('')}`;
  return [
    `deployment:\n  id: ${options.deploymentId}\n  redis: ${redis}\n`,
    'probeRegions: [r1, r2, r3]\n',
    section('providers', options.providers),
    options.notifications === undefined || options.notifications.length === 0
      ? ''
      : section('notifications', options.notifications),
    `defaults:\n  check: ${options.check}\n`,
    'services:\n',
    ...options.services.map(serviceYaml),
  ].join('');
}

/** Writes `text` as `dir/fileName` (default `quorumdns.yaml`) and returns the path, for `--config`. */
export function writeConfigFile(dir: string, text: string, fileName = 'quorumdns.yaml'): string {
  const path = join(dir, fileName);
  writeFileSync(path, text);
  return path;
}

/**
 * Parsed fragments -> the resolved `Config`, or every problem found on the way.
 *
 * Order of work: structure of every fragment (merge-fragments), then the top-level entries
 * (deployment, providers, channels), then each service with the defaults merged in, then checks
 * across services. Nothing stops at the first problem; a Config is produced only when no error
 * was found (warnings travel with it).
 */
import { BUILTIN_CHANNEL } from './builtin-defaults';
import { configHash } from './config-hash';
import { durationMs } from './duration';
import type { RawChannel } from './config-schema';
import { type Entry, type MergedFragments, mergeFragments } from './merge-fragments';
import { dedupeProblems, type Problem, sortProblems } from './problem';
import { toMaybeSecret } from './resolve-check';
import { checkNameConflicts } from './dns-name-conflicts';
import { resolveProviders } from './resolve-providers';
import { resolveService } from './resolve-service';
import type { ServiceContext } from './service-context';
import { looksLikeSecretRef, parseSecretRef } from './resolve-secret';
import type { Config, Deployment, NotificationChannel, SecretRef, Service } from './types';
import { below, type Origin, problemAt, type YamlFragment } from './yaml-source';

export type LoadResult =
  | { ok: true; config: Config; warnings: Problem[] }
  | { ok: false; problems: Problem[] /* errors and warnings, sorted by file, line, col */ };

export function resolveFragments(
  fragments: YamlFragment[],
  sources: readonly string[],
  earlierProblems: readonly Problem[] = [],
): LoadResult {
  // A document with syntax errors may hold the deployment, a provider or a region that others refer
  // to: checking references without it would report them as unknown. Report its syntax errors and
  // the structure of the other documents, and stop there.
  if (fragments.length === 0) {
    // Only empty files: nothing to merge, and the required sections are missing.
    const at = (path: string, message: string): Problem => ({
      severity: 'error',
      file: sources[0] ?? '',
      line: 1,
      col: 1,
      path,
      message,
    });
    return {
      ok: false,
      problems: [
        ...earlierProblems,
        at('deployment', 'missing required section "deployment": one of the files must define it'),
        at(
          'probeRegions',
          'missing required section "probeRegions": one of the files must list the probe regions',
        ),
      ],
    };
  }
  const allReadable = fragments.every((fragment) => fragment.usable);
  const merged = mergeFragments(fragments, { requireSections: allReadable });
  const problems: Problem[] = [...earlierProblems, ...merged.problems];
  const fileOrder = [...sources];
  if (!allReadable) return { ok: false, problems: sortProblems(dedupeProblems(problems), fileOrder) };

  const deployment = resolveDeployment(merged, problems);
  const providers = resolveProviders(merged.providers.values(), problems);
  const channels = new Map<string, NotificationChannel>();
  for (const entry of merged.channels.values()) channels.set(entry.name, toChannel(entry));

  problems.push(...writtenRiskWarnings(merged));

  const ctx: ServiceContext = {
    ...(merged.defaults ? { defaults: merged.defaults } : {}),
    poisonedDefaults: merged.poisonedDefaults,
    regions: merged.regions.map((r) => r.name),
    ...(merged.regionsOrigin ? { regionsOrigin: merged.regionsOrigin } : {}),
    writtenRegions: merged.written.regions,
    providers,
    writtenProviders: merged.written.providers,
    channels,
    writtenChannels: merged.written.channels,
  };
  const services: Record<string, Service> = {};
  const resolved: Array<{ service: Service; origin: Origin; names: readonly string[] }> = [];
  for (const entry of merged.services.values()) {
    const result = resolveService(entry, ctx);
    problems.push(...result.problems);
    if (result.service) {
      services[entry.name] = result.service;
      resolved.push({ service: result.service, origin: entry.origin, names: entry.value.names });
    }
  }
  problems.push(...checkNameConflicts(resolved));

  const all = sortProblems(dedupeProblems(problems), fileOrder);
  const complete = deployment !== undefined && merged.written.services.size === merged.services.size;
  if (all.some((p) => p.severity === 'error') || !complete) return { ok: false, problems: all };

  const withoutHash: Omit<Config, 'hash'> = {
    deployment,
    probeRegions: merged.regions.map((r) => r.name),
    providers: Object.fromEntries(providers),
    notifications: Object.fromEntries(channels),
    services,
    sources: [...sources],
  };
  return { ok: true, config: { ...withoutHash, hash: configHash(withoutHash) }, warnings: all };
}

function resolveDeployment(merged: MergedFragments, problems: Problem[]): Deployment | undefined {
  const entry = merged.deployment;
  if (!entry) return undefined;
  const { id, redis, statusPageUrl } = entry.value;
  if (redis?.url !== undefined && !looksLikeSecretRef(redis.url)) {
    // A literal URL is fine for a password-less lab Redis; a password in it is a secret in the repo.
    const url = new URL(redis.url);
    if (url.password !== '') {
      problems.push(
        problemAt(
          below(entry.origin, 'redis', 'url'),
          'secrets must not live in the config repo: this Redis URL carries a password; write url: ${env:REDIS_URL}',
        ),
      );
    }
  }
  return {
    id,
    redis: {
      ...(redis?.url !== undefined ? { url: toMaybeSecret(redis.url) } : {}),
      keyPrefix: redis?.keyPrefix ?? `quorumdns:${id}`,
    },
    ...(statusPageUrl !== undefined ? { statusPageUrl } : {}),
  };
}

function secretRefOf(text: string): SecretRef {
  const ref = parseSecretRef(text);
  if (!ref) throw new Error('unvalidated secret reference'); // the schema accepts only references here
  return ref;
}

function toChannel({ name, value }: Entry<RawChannel>): NotificationChannel {
  const timeout = value.timeout !== undefined ? durationMs(value.timeout) : BUILTIN_CHANNEL.timeout;
  switch (value.type) {
    case 'pagerduty':
      return { name, type: value.type, routingKey: secretRefOf(value.routingKey), timeout };
    case 'webhook':
      return {
        name,
        type: value.type,
        url: toMaybeSecret(value.url),
        timeout,
        ...(value.secret !== undefined ? { secret: secretRefOf(value.secret) } : {}),
      };
    default:
      return { name, type: value.type, url: secretRefOf(value.url), timeout };
  }
}

/**
 * Risky settings, reported once where they are written (in defaults, a service or an endpoint),
 * whatever inherits them.
 */
function writtenRiskWarnings(merged: MergedFragments): Problem[] {
  const warnings: Problem[] = [];
  const warn = (origin: Origin, message: string): void => {
    warnings.push(problemAt(origin, message, { severity: 'warning' }));
  };
  const scan = (
    origin: Origin,
    layer: { quorum?: unknown; failureThreshold?: number; check?: { tlsVerify?: boolean } | undefined },
  ): void => {
    if (layer.quorum === 'any') {
      warn(
        below(origin, 'quorum'),
        'quorum "any" lets a single probe region fail the service over: one sick region is enough',
      );
    }
    if (layer.failureThreshold === 1) {
      warn(
        below(origin, 'failureThreshold'),
        'failureThreshold 1 declares an endpoint down after a single failed check: one lost packet is enough',
      );
    }
    if (layer.check?.tlsVerify === false) {
      warn(
        below(origin, 'check', 'tlsVerify'),
        'tlsVerify false: an expired or wrong certificate still counts as healthy',
      );
    }
  };
  if (merged.defaults) scan(merged.defaults.origin, merged.defaults.value);
  for (const { origin, value } of merged.services.values()) {
    scan(origin, value);
    for (const [poolName, pool] of Object.entries(value.pools)) {
      pool.endpoints.forEach((endpoint, index) => {
        if (endpoint.check?.tlsVerify === false) {
          warn(
            below(origin, 'pools', poolName, 'endpoints', index, 'check', 'tlsVerify'),
            'tlsVerify false: an expired or wrong certificate still counts as healthy',
          );
        }
      });
    }
  }
  return warnings;
}

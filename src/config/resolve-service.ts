/**
 * One raw service (+ defaults + the top-level names it refers to) -> a resolved `Service`, and
 * every problem that needs more than one field to see: references, counts, record types,
 * priorities, weights, safety timings. Each problem points where the offending value was written,
 * which for an inherited value is the defaults.
 */
import { BUILTIN_SERVICE, FAILOVER_TTL_WARNING_ABOVE, MIN_SAFE_PROBE_REGIONS } from './builtin-defaults';
import type { RawQuorum, RawService } from './config-schema';
import { didYouMean } from './did-you-mean';
import { durationMs } from './duration';
import type { Entry } from './merge-fragments';
import { normalizeDnsName } from './names';
import type { Problem } from './problem';
import { resolveProviderTargets } from './provider-targets';
import { resolveDrills } from './resolve-drills';
import { resolveNotify } from './resolve-notify';
import { resolveRecordType } from './record-type';
import { type ResolvedPool, resolvePools } from './resolve-pools';
import type { ServiceContext } from './service-context';
import { resolveSafety } from './service-safety';
import type { DrillObjectives, ProviderTarget, RoutingPolicy, Service } from './types';
import { below, type Layered, type Origin, problemAt } from './yaml-source';

type SharedField = 'ttl' | 'quorum' | 'failureThreshold' | 'successThreshold' | 'staleAfter' | 'minHealthy';

export function resolveService(
  entry: Entry<RawService>,
  ctx: ServiceContext,
): { service?: Service; problems: Problem[] } {
  const problems: Problem[] = [];
  const raw = entry.value;
  const at = (...segments: Array<string | number>): Origin => below(entry.origin, ...segments);
  const defaults = ctx.defaults;

  function shared<K extends SharedField>(field: K): Layered<NonNullable<RawService[K]>> | undefined {
    const own = raw[field];
    if (own !== undefined) return { value: own as NonNullable<RawService[K]>, origin: at(field) };
    const inherited = defaults?.value[field];
    if (inherited !== undefined && defaults) {
      return { value: inherited as NonNullable<RawService[K]>, origin: below(defaults.origin, field) };
    }
    return undefined;
  }

  const policy: RoutingPolicy = raw.policy ?? BUILTIN_SERVICE.policy;
  const ttl: Layered<number> = shared('ttl') ?? { value: BUILTIN_SERVICE.ttl };
  if (policy === 'failover' && ttl.value > FAILOVER_TTL_WARNING_ABOVE && ttl.origin) {
    problems.push(
      problemAt(
        ttl.origin,
        `TTL ${ttl.value} s is above ${FAILOVER_TTL_WARNING_ABOVE} s: after a failover, resolvers keep sending traffic to the old pool for up to ${ttl.value} s`,
        { severity: 'warning' },
      ),
    );
  }

  // ----- DNS names
  const dnsNames: string[] = [];
  raw.names.forEach((name, index) => {
    const normalized = normalizeDnsName(name);
    if (dnsNames.includes(normalized))
      problems.push(problemAt(at('names', index), `duplicate DNS name "${normalized}"`));
    else dnsNames.push(normalized);
  });

  // ----- probe regions
  const regions = resolveRegions(raw, at, ctx, problems);

  // ----- quorum and thresholds
  const quorum: Layered<RawQuorum> = shared('quorum') ?? { value: BUILTIN_SERVICE.quorum };
  if (
    typeof quorum.value === 'object' &&
    quorum.origin &&
    regions.length > 0 &&
    quorum.value.atLeast > regions.length
  ) {
    problems.push(
      problemAt(
        below(quorum.origin, 'atLeast'),
        `quorum atLeast ${quorum.value.atLeast} is more than the ${regions.length} probe regions of service "${entry.name}": it could never be reached`,
      ),
    );
  }
  const failureThreshold = shared('failureThreshold')?.value ?? BUILTIN_SERVICE.failureThreshold;
  const successThreshold = shared('successThreshold')?.value ?? BUILTIN_SERVICE.successThreshold;

  // ----- pools and endpoints
  const pools = resolvePools(entry, policy, shared('minHealthy'), ctx, problems);
  const endpoints = pools.flatMap((pool) => pool.endpoints);

  const declaredType = raw.type !== undefined ? { value: raw.type, origin: at('type') } : undefined;
  const typed = resolveRecordType(
    pools.flatMap((pool) => pool.targeted),
    declaredType,
  );
  problems.push(...typed.problems);
  const recordType = typed.recordType ?? 'A';

  // ----- providers, notifications, safety, drill
  const providers = resolveProviderTargets(raw, at, policy, recordType, pools, ctx, problems);
  const safety = resolveSafety(raw, at, defaults, problems);
  const drill: DrillObjectives = {};
  for (const field of ['failoverWithin', 'failbackWithin', 'notifyWithin'] as const) {
    const value = raw.drill?.[field];
    if (value !== undefined) drill[field] = durationMs(value);
  }
  const notify = resolveNotify(raw, at, ctx, drill, problems);
  const drills = resolveDrills(raw, at, entry.name, safety, drill, problems);

  if (recordType === 'CNAME') checkCnameAnswers(policy, pools, providers, raw, at, problems);

  const intervals = endpoints.map((e) => e.endpoint.check.interval);
  const staleAfterWritten = shared('staleAfter');
  const staleAfter =
    staleAfterWritten !== undefined
      ? durationMs(staleAfterWritten.value)
      : BUILTIN_SERVICE.staleAfterIntervals * (intervals.length > 0 ? Math.min(...intervals) : 10_000);

  if (problems.some((p) => p.severity === 'error')) return { problems };
  const service: Service = {
    name: entry.name,
    dnsNames,
    recordType,
    ttl: ttl.value,
    policy,
    probeRegions: regions,
    quorum: quorum.value,
    failureThreshold,
    successThreshold,
    staleAfter,
    pools: pools.map((pool) => ({ ...pool.pool, endpoints: pool.endpoints.map((e) => e.endpoint) })),
    safety,
    providers,
    notify,
    drill,
    drills,
  };
  return { service, problems };
}

function resolveRegions(
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  ctx: ServiceContext,
  problems: Problem[],
): string[] {
  let regions: string[];
  let listOrigin: Origin | undefined;
  if (raw.probeRegions !== undefined) {
    listOrigin = at('probeRegions');
    regions = [];
    raw.probeRegions.forEach((region, index) => {
      if (regions.includes(region)) {
        problems.push(problemAt(at('probeRegions', index), `duplicate probe region "${region}"`));
      } else if (!ctx.writtenRegions.has(region)) {
        problems.push(
          problemAt(
            at('probeRegions', index),
            `unknown probe region "${region}"${didYouMean(region, ctx.regions)}; the top-level probeRegions are: ${ctx.regions.join(', ') || 'none'}`,
          ),
        );
      } else if (ctx.regions.includes(region)) {
        regions.push(region);
      }
    });
  } else {
    listOrigin = ctx.regionsOrigin;
    regions = [...ctx.regions];
  }
  if (listOrigin && regions.length > 0 && regions.length < MIN_SAFE_PROBE_REGIONS) {
    problems.push(
      problemAt(
        listOrigin,
        `fewer than ${MIN_SAFE_PROBE_REGIONS} probe regions (${regions.length}): the quorum cannot both outvote a sick region and survive losing one`,
        { severity: 'warning' },
      ),
    );
  }
  return regions;
}

/**
 * A CNAME record set holds exactly one value, so whatever the policy publishes at once must be a
 * single endpoint: each pool one endpoint (failover, weighted with native weights), the whole
 * service one endpoint (all-healthy), and one pool when weights go into a plain record (rewrite).
 */
function checkCnameAnswers(
  policy: RoutingPolicy,
  pools: readonly ResolvedPool[],
  targets: readonly ProviderTarget[],
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  problems: Problem[],
): void {
  if (policy === 'all-healthy') {
    const all = pools.flatMap((pool) => pool.targeted);
    if (all.length > 1) {
      problems.push(
        problemAt(
          (all[1] as (typeof all)[number]).origin,
          'a CNAME record holds one value: an all-healthy CNAME service can have only one endpoint (use failover or weighted)',
        ),
      );
    }
    return;
  }
  for (const pool of pools) {
    if (pool.writtenEndpoints > 1) {
      problems.push(
        problemAt(
          below(pool.origin, 'endpoints', 1),
          `a CNAME record holds one value: pool "${pool.pool.name}" of a CNAME service must have exactly one endpoint`,
        ),
      );
    }
  }
  if (policy === 'weighted' && pools.length > 1) {
    targets.forEach((target, index) => {
      if (target.mode === 'rewrite') {
        const origin = at('providers', index);
        problems.push(
          problemAt(
            raw.providers[index]?.mode !== undefined ? below(origin, 'mode') : origin,
            'a CNAME record holds one value: a weighted CNAME service with several pools needs mode: weights',
          ),
        );
      }
    });
  }
}

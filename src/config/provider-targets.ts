/**
 * Where a service is steered: each `{ provider, zone, mode }` target checked against the provider
 * it names, the service's policy and record type, and the other targets of the service.
 */
import type { RawService } from './config-schema';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';
import { HOSTED_ZONE_ID_PATTERN, MANAGED_ZONE_PATTERN } from './names';
import type { Problem } from './problem';
import type { ResolvedPool } from './resolve-pools';
import type { ServiceContext } from './service-context';
import type { ProviderTarget, RecordType, RoutingPolicy, SteeringMode } from './types';
import { below, type Origin, problemAt } from './yaml-source';

const ZONE_RULES = {
  route53: {
    pattern: new RegExp(HOSTED_ZONE_ID_PATTERN),
    field: 'hostedZoneId',
    expected: 'a Route 53 hosted zone id like Z0123456789ABC',
  },
  clouddns: {
    pattern: new RegExp(MANAGED_ZONE_PATTERN),
    field: 'managedZone',
    expected: 'a Cloud DNS managed zone name like example-com',
  },
} as const;

export function resolveProviderTargets(
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  policy: RoutingPolicy,
  recordType: RecordType,
  pools: readonly ResolvedPool[],
  ctx: ServiceContext,
  problems: Problem[],
): ProviderTarget[] {
  const targets: ProviderTarget[] = [];
  const seen = new Map<string, number>();
  const aliasEndpoint = pools.flatMap((p) => p.targeted).find((e) => e.target.kind === 'alias');
  raw.providers.forEach((target, index) => {
    const origin = at('providers', index);
    const mode: SteeringMode = target.mode ?? 'rewrite';
    const provider = ctx.providers.get(target.provider);
    if (!provider) {
      if (!ctx.writtenProviders.has(target.provider)) {
        problems.push(
          problemAt(
            below(origin, 'provider'),
            `unknown provider "${target.provider}"${didYouMean(target.provider, ctx.writtenProviders)}`,
          ),
        );
      }
      return;
    }
    const rule = ZONE_RULES[provider.type];
    const providerZone = provider.type === 'route53' ? provider.hostedZoneId : provider.managedZone;
    const zone = target.zone ?? providerZone;
    if (zone === undefined) {
      problems.push(
        problemAt(
          below(origin, 'zone'),
          `missing zone: provider "${provider.name}" has no ${rule.field}, so this target must name its zone`,
        ),
      );
      return;
    }
    if (target.zone !== undefined && !rule.pattern.test(target.zone)) {
      problems.push(
        problemAt(
          below(origin, 'zone'),
          `expected ${rule.expected} for ${provider.type} provider "${provider.name}", got ${describeValue(target.zone)}`,
        ),
      );
    }
    if (mode === 'weights' && policy === 'all-healthy') {
      problems.push(
        problemAt(
          below(origin, 'mode'),
          'mode weights does not fit policy all-healthy: all-healthy answers every healthy endpoint in one record set (use mode: rewrite)',
        ),
      );
    }
    if (mode === 'rewrite' && policy === 'weighted' && recordType !== 'CNAME' && pools.length > 1) {
      problems.push(
        problemAt(
          target.mode !== undefined ? below(origin, 'mode') : origin,
          'mode rewrite publishes one plain record set, so weights only decide which pools serve, not how much (use mode: weights for provider-native weighted records)',
          { severity: 'warning' },
        ),
      );
    }
    if (aliasEndpoint && provider.type !== 'route53') {
      problems.push(
        problemAt(
          below(origin, 'provider'),
          `provider "${provider.name}" is ${provider.type}, which cannot serve the Route 53 alias of endpoint "${aliasEndpoint.id}"`,
        ),
      );
    }
    const key = `${provider.name}\u0000${zone}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      problems.push(
        problemAt(
          origin,
          `provider "${provider.name}" zone "${zone}" is already a target of this service (providers[${previous}])`,
        ),
      );
      return;
    }
    seen.set(key, index);
    targets.push({ provider: provider.name, zone, mode });
  });
  return targets;
}

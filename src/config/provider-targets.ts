/**
 * Where a service is steered: each `{ provider, zone, mode }` target checked against the provider
 * it names, the service's policy and record type, and the other targets of the service.
 */
import type { RawService } from './config-schema';
import { describeValue } from './describe-value';
import { didYouMean } from './did-you-mean';
import { HOSTED_ZONE_ID_PATTERN, MANAGED_ZONE_PATTERN, normalizeDnsName } from './names';
import type { Problem } from './problem';
import type { ResolvedPool } from './resolve-pools';
import type { ServiceContext } from './service-context';
import type { Provider, ProviderTarget, RecordType, RoutingPolicy, SteeringMode } from './types';
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
    const zone = targetZone(provider, target.zone, origin, problems);
    if (zone === undefined) return;
    if (provider.type === 'local') {
      // The lab DNS server answers for its zone only: a name outside it would never be served.
      const outside = raw.names.map(normalizeDnsName).find((name) => !isInZone(name, zone));
      if (outside !== undefined) {
        problems.push(
          problemAt(
            below(origin, 'provider'),
            `local provider "${provider.name}" serves zone "${zone}", which does not hold DNS name "${outside}"`,
          ),
        );
      }
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

/** The zone a target writes to: its own, else its provider's; `undefined` (with a problem) when there is none. */
function targetZone(
  provider: Provider,
  written: string | undefined,
  origin: Origin,
  problems: Problem[],
): string | undefined {
  if (provider.type === 'local') {
    // A local provider serves exactly one zone, so a target can only repeat it.
    if (written !== undefined && normalizeDnsName(written) !== provider.zone) {
      problems.push(
        problemAt(
          below(origin, 'zone'),
          `local provider "${provider.name}" serves only zone "${provider.zone}", got ${describeValue(written)} (omit zone)`,
        ),
      );
      return undefined;
    }
    return provider.zone;
  }
  const rule = ZONE_RULES[provider.type];
  const zone = written ?? (provider.type === 'route53' ? provider.hostedZoneId : provider.managedZone);
  if (zone === undefined) {
    problems.push(
      problemAt(
        below(origin, 'zone'),
        `missing zone: provider "${provider.name}" has no ${rule.field}, so this target must name its zone`,
      ),
    );
    return undefined;
  }
  if (written !== undefined && !rule.pattern.test(written)) {
    problems.push(
      problemAt(
        below(origin, 'zone'),
        `expected ${rule.expected} for ${provider.type} provider "${provider.name}", got ${describeValue(written)}`,
      ),
    );
  }
  return zone;
}

function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

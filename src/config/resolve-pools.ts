/**
 * The pools of one service: endpoints with their targets and effective checks, priorities, weights,
 * minHealthy, and the problems of each, where they were written.
 */
import { BUILTIN_SERVICE } from './builtin-defaults';
import type { RawMinHealthy, RawPool, RawService } from './config-schema';
import { describeValue } from './describe-value';
import type { Entry } from './merge-fragments';
import { normalizeDnsName } from './names';
import type { Problem } from './problem';
import type { TargetedEndpoint } from './record-type';
import { type CheckLayer, resolveCheck } from './resolve-check';
import type { ServiceContext } from './service-context';
import type { Endpoint, EndpointTarget, MinHealthy, Pool, RoutingPolicy } from './types';
import { below, formatPath, type Layered, type Origin, problemAt } from './yaml-source';

export interface ResolvedPool {
  pool: Omit<Pool, 'endpoints'>;
  origin: Origin;
  endpoints: Array<{ endpoint: Endpoint; origin: Origin }>;
  /** Every endpoint with a valid target, whether its check resolved or not (for record type checks). */
  targeted: TargetedEndpoint[];
  /** Endpoints written, resolved or not (for counts). */
  writtenEndpoints: number;
}

export function resolvePools(
  entry: Entry<RawService>,
  policy: RoutingPolicy,
  inheritedMinHealthy: Layered<RawMinHealthy> | undefined,
  ctx: ServiceContext,
  problems: Problem[],
): ResolvedPool[] {
  const raw = entry.value;
  const at = (...segments: Array<string | number>): Origin => below(entry.origin, ...segments);
  const names = Object.keys(raw.pools);
  if (names.length === 0) {
    problems.push(problemAt(at('pools'), 'a service needs at least one pool'));
    return [];
  }
  if (policy === 'failover' && names.length === 1) {
    problems.push(
      problemAt(
        at('pools'),
        'a failover service needs at least two pools: with one there is nothing to fail over to',
        {
          anchor: 'key',
        },
      ),
    );
  }

  const serviceLayer: CheckLayer | undefined = raw.check
    ? { layer: raw.check, origin: at('check') }
    : undefined;
  const defaultsLayer: CheckLayer | undefined =
    ctx.defaults?.value.check !== undefined
      ? { layer: ctx.defaults.value.check, origin: below(ctx.defaults.origin, 'check') }
      : undefined;

  const seenIds = new Map<string, Origin>();
  const pools: ResolvedPool[] = [];
  names.forEach((name, index) => {
    const rawPool = raw.pools[name] as RawPool;
    const poolOrigin = at('pools', name);
    const minHealthy: Layered<RawMinHealthy> =
      rawPool.minHealthy !== undefined
        ? { value: rawPool.minHealthy, origin: below(poolOrigin, 'minHealthy') }
        : (inheritedMinHealthy ?? { value: BUILTIN_SERVICE.minHealthy });

    if (rawPool.weight !== undefined && (rawPool.weight < 0 || rawPool.weight > 255)) {
      problems.push(
        problemAt(
          below(poolOrigin, 'weight'),
          `weight must be from 0 to 255 (the Route 53 range), got ${rawPool.weight}`,
        ),
      );
    }
    if (rawPool.endpoints.length === 0) {
      problems.push(problemAt(below(poolOrigin, 'endpoints'), 'a pool needs at least one endpoint'));
    }

    const endpoints: ResolvedPool['endpoints'] = [];
    const targeted: TargetedEndpoint[] = [];
    rawPool.endpoints.forEach((rawEndpoint, j) => {
      const origin = below(poolOrigin, 'endpoints', j);
      const target = resolveTarget(rawEndpoint, origin, problems);
      if (!target) return;
      const id = rawEndpoint.name ?? defaultEndpointId(target);
      const idOrigin =
        rawEndpoint.name !== undefined ? below(origin, 'name') : below(origin, targetKey(target));
      const firstWithId = seenIds.get(id);
      if (firstWithId) {
        problems.push(
          problemAt(
            idOrigin,
            `duplicate endpoint id "${id}" (also at ${formatPath(firstWithId.path)}): give one of them a distinct name`,
          ),
        );
        return;
      }
      seenIds.set(id, origin);
      targeted.push({ id, target, origin });
      const layers = [defaultsLayer, serviceLayer].filter((l): l is CheckLayer => l !== undefined);
      if (rawEndpoint.check) layers.push({ layer: rawEndpoint.check, origin: below(origin, 'check') });
      const checked = resolveCheck({ layers, target, endpoint: origin, poisoned: ctx.poisonedDefaults });
      problems.push(...checked.problems);
      if (checked.resolved)
        endpoints.push({ endpoint: { id, pool: name, target, check: checked.resolved.check }, origin });
    });

    const resolvedMinHealthy = checkMinHealthy(
      minHealthy,
      name,
      rawPool.endpoints.length,
      poolOrigin,
      problems,
    );
    pools.push({
      pool: {
        name,
        priority: rawPool.priority ?? index + 1,
        weight: rawPool.weight ?? 1,
        minHealthy: resolvedMinHealthy,
      },
      origin: poolOrigin,
      endpoints,
      targeted,
      writtenEndpoints: rawPool.endpoints.length,
    });
  });

  if (policy === 'failover') {
    const byPriority = new Map<number, string>();
    const implicit = (name: string): boolean => (raw.pools[name] as RawPool).priority === undefined;
    pools.forEach(({ pool, origin }) => {
      const other = byPriority.get(pool.priority);
      if (other !== undefined) {
        const otherText = `pool "${other}"${implicit(other) ? ' (from its position)' : ''}`;
        problems.push(
          !implicit(pool.name)
            ? problemAt(
                below(origin, 'priority'),
                `priority ${pool.priority} is also the priority of ${otherText}: failover order must be unambiguous`,
              )
            : problemAt(
                origin,
                `pool "${pool.name}" takes priority ${pool.priority} from its position, the same as ${otherText}: set the priorities explicitly`,
                { anchor: 'key' },
              ),
        );
      } else {
        byPriority.set(pool.priority, pool.name);
      }
    });
  }
  if (policy === 'weighted' && pools.length > 0 && pools.every(({ pool }) => pool.weight === 0)) {
    problems.push(
      problemAt(
        at('pools'),
        'every pool has weight 0: a weighted service needs at least one pool with a weight above 0',
        {
          anchor: 'key',
        },
      ),
    );
  }
  return pools;
}

function targetKey(target: EndpointTarget): string {
  return target.kind === 'address' ? 'address' : target.kind;
}

function defaultEndpointId(target: EndpointTarget): string {
  if (target.kind === 'address') return target.address.toLowerCase();
  if (target.kind === 'cname') return normalizeDnsName(target.cname);
  return normalizeDnsName(target.dnsName);
}

function resolveTarget(
  raw: RawPool['endpoints'][number],
  origin: Origin,
  problems: Problem[],
): EndpointTarget | undefined {
  const written = (['address', 'cname', 'alias'] as const).filter((field) => raw[field] !== undefined);
  if (written.length === 0) {
    problems.push(problemAt(origin, 'missing target: an endpoint needs one of address, cname or alias'));
    return undefined;
  }
  if (written.length > 1) {
    problems.push(
      problemAt(
        below(origin, written[1] as string),
        `${written.join(' and ')} are exclusive: an endpoint has exactly one target`,
        {
          anchor: 'key',
        },
      ),
    );
    return undefined;
  }
  if (raw.address !== undefined) return { kind: 'address', address: raw.address.toLowerCase() };
  if (raw.cname !== undefined) return { kind: 'cname', cname: normalizeDnsName(raw.cname) };
  const alias = raw.alias as NonNullable<typeof raw.alias>;
  return {
    kind: 'alias',
    hostedZoneId: alias.hostedZoneId,
    dnsName: normalizeDnsName(alias.dnsName),
    evaluateTargetHealth: alias.evaluateTargetHealth ?? false,
  };
}

function checkMinHealthy(
  minHealthy: Layered<RawMinHealthy>,
  pool: string,
  endpointCount: number,
  poolOrigin: Origin,
  problems: Problem[],
): MinHealthy {
  const origin = minHealthy.origin ?? below(poolOrigin, 'minHealthy');
  const value = minHealthy.value;
  if (typeof value === 'string') {
    const percent = Number(value.slice(0, -1));
    if (percent < 1 || percent > 100) {
      problems.push(problemAt(origin, `minHealthy ${describeValue(value)} must be from 1% to 100%`));
    }
    return { kind: 'percent', percent };
  }
  if (value < 1) {
    problems.push(
      problemAt(
        origin,
        `minHealthy must be at least 1 endpoint, got ${value}: a pool with no endpoint up is not healthy`,
      ),
    );
  } else if (endpointCount > 0 && value > endpointCount) {
    problems.push(
      problemAt(
        origin,
        `minHealthy ${value} is more than the ${endpointCount} endpoint${endpointCount === 1 ? '' : 's'} of pool "${pool}": the pool could never be healthy`,
      ),
    );
  }
  return { kind: 'count', count: value };
}

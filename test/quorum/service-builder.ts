import type { MinHealthy, Pool, Quorum, RoutingPolicy, Safety, Service } from '../../src/config/types';

export interface PoolSpec {
  name: string;
  /** A count (ids `<pool>-1`, `<pool>-2`, …) or explicit endpoint ids. Default 2. */
  endpoints?: number | string[];
  priority?: number;
  weight?: number;
  minHealthy?: MinHealthy;
}

export interface ServiceSpec {
  name?: string;
  policy?: RoutingPolicy;
  regions?: string[];
  quorum?: Quorum;
  staleAfter?: number;
  /** Default: pools `a` and `b` with two endpoints each. */
  pools?: PoolSpec[];
  safety?: Partial<Safety>;
}

export const defaultRegions = ['us-east-1', 'europe-west1', 'onprem-fra'];

export const defaultSafety: Safety = {
  failback: 'auto',
  failbackAfter: 60_000,
  flapWindow: 600_000,
  maxFailbackAfter: 480_000,
};

/**
 * A resolved `Service` for core tests, without the YAML loader: everything the core reads, with
 * small readable defaults (3 regions, majority, failover, pools a and b of 2 endpoints).
 */
export function buildService(spec: ServiceSpec = {}): Service {
  const name = spec.name ?? 'api';
  const poolSpecs = spec.pools ?? [{ name: 'a' }, { name: 'b' }];
  const pools: Pool[] = poolSpecs.map((poolSpec, index) => {
    const ids =
      typeof poolSpec.endpoints === 'object'
        ? poolSpec.endpoints
        : Array.from({ length: poolSpec.endpoints ?? 2 }, (_, i) => `${poolSpec.name}-${i + 1}`);
    return {
      name: poolSpec.name,
      priority: poolSpec.priority ?? index + 1,
      weight: poolSpec.weight ?? 1,
      minHealthy: poolSpec.minHealthy ?? { kind: 'count', count: 1 },
      endpoints: ids.map((id, i) => ({
        id,
        pool: poolSpec.name,
        target: { kind: 'address' as const, address: `192.0.2.${(index * 16 + i + 1) % 255}` },
        check: { type: 'tcp' as const, host: '192.0.2.1', port: 443, interval: 10_000, timeout: 5_000 },
      })),
    };
  });
  return {
    name,
    dnsNames: [`${name}.example.com`],
    recordType: 'A',
    ttl: 30,
    policy: spec.policy ?? 'failover',
    probeRegions: spec.regions ?? defaultRegions,
    quorum: spec.quorum ?? 'majority',
    failureThreshold: 3,
    successThreshold: 2,
    staleAfter: spec.staleAfter ?? 30_000,
    pools,
    safety: { ...defaultSafety, ...spec.safety },
    providers: [{ provider: 'r53', zone: 'Z1', mode: 'weights' }],
    notify: [],
    drill: {},
    drills: [],
  };
}

/**
 * Services and decisions for the adapter conformance suite: small, fully resolved `Service` objects (no YAML,
 * no loader) whose names live in the harness's domain, and decisions that serve, drain and restore pools.
 */
import type {
  EndpointTarget,
  Pool,
  RecordType,
  RoutingPolicy,
  Service,
  SteeringMode,
} from '../../../src/config/types';
import type { Decision } from '../../../src/quorum/types';
import { tcpCheck } from '../../support/config-builder';

export interface ConformancePool {
  name: string;
  /** Endpoint targets, one endpoint each (ids `<pool>-<n>`). */
  targets: EndpointTarget[];
  /** Configured weight (weighted policy). @default 1 */
  weight?: number;
}

export interface ConformanceServiceSpec {
  name: string;
  dnsNames: string[];
  pools: ConformancePool[];
  provider: string;
  zone: string;
  mode: SteeringMode;
  policy?: RoutingPolicy;
  recordType?: RecordType;
  ttl?: number;
}

export function address(address: string): EndpointTarget {
  return { kind: 'address', address };
}

export function cname(target: string): EndpointTarget {
  return { kind: 'cname', cname: target };
}

export function conformanceService(spec: ConformanceServiceSpec): Service {
  const pools: Pool[] = spec.pools.map((pool, index) => ({
    name: pool.name,
    priority: index + 1,
    weight: pool.weight ?? 1,
    minHealthy: { kind: 'count', count: 1 },
    endpoints: pool.targets.map((target, n) => ({
      id: `${pool.name}-${n + 1}`,
      pool: pool.name,
      target,
      check: tcpCheck({ port: 9 }),
    })),
  }));
  return {
    name: spec.name,
    dnsNames: spec.dnsNames,
    recordType: spec.recordType ?? 'A',
    ttl: spec.ttl ?? 30,
    policy: spec.policy ?? 'failover',
    probeRegions: ['region-a', 'region-b', 'region-c'],
    quorum: 'majority',
    failureThreshold: 3,
    successThreshold: 2,
    staleAfter: 30_000,
    pools,
    safety: { failback: 'auto', failbackAfter: 300_000, flapWindow: 1_800_000, maxFailbackAfter: 3_600_000 },
    providers: [{ provider: spec.provider, zone: spec.zone, mode: spec.mode }],
    notify: [],
    drill: {},
    drills: [],
  };
}

/** A decision giving each pool the weight named (0 when not named), listing every endpoint of every pool. */
export function decisionWithWeights(service: Service, weights: Record<string, number>): Decision {
  return {
    pools: service.pools.map((pool) => ({
      pool: pool.name,
      weight: weights[pool.name] ?? 0,
      endpoints: pool.endpoints.map((endpoint) => endpoint.id),
    })),
  };
}

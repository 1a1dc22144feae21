/**
 * Builds resolved `Config` objects for tests without YAML or the loader: every default filled in the way the
 * loader documents it, every field overridable.
 */
import { createHash } from 'node:crypto';
import type { Check, Config, Endpoint, HttpCheck, Pool, Service, TcpCheck } from '../../src/config/types';

export function httpCheck(overrides: Partial<HttpCheck> & { port: number }): HttpCheck {
  return {
    type: 'http',
    host: '127.0.0.1',
    method: 'GET',
    path: '/healthz',
    headers: {},
    expectStatus: [{ from: 200, to: 399 }],
    tlsVerify: true,
    followRedirects: false,
    interval: 1000,
    timeout: 500,
    ...overrides,
  };
}

export function tcpCheck(overrides: Partial<TcpCheck> & { port: number }): TcpCheck {
  return { type: 'tcp', host: '127.0.0.1', interval: 1000, timeout: 500, ...overrides };
}

export function endpoint(id: string, check: Check, pool = 'main'): Endpoint {
  return { id, pool, target: { kind: 'address', address: '192.0.2.1' }, check };
}

export interface ServiceSpec {
  /** pool name -> endpoints (their `pool` field is set to the pool name). */
  pools: Record<string, Endpoint[]>;
  probeRegions: string[];
  failureThreshold?: number;
  successThreshold?: number;
  staleAfter?: number;
}

export function service(name: string, spec: ServiceSpec): Service {
  const pools: Pool[] = Object.entries(spec.pools).map(([poolName, endpoints], index) => ({
    name: poolName,
    priority: index + 1,
    weight: 1,
    minHealthy: { kind: 'count', count: 1 },
    endpoints: endpoints.map((e) => ({ ...e, pool: poolName })),
  }));
  const intervals = pools.flatMap((p) => p.endpoints.map((e) => e.check.interval));
  return {
    name,
    dnsNames: [`${name}.example.com`],
    recordType: 'A',
    ttl: 30,
    policy: 'failover',
    probeRegions: spec.probeRegions,
    quorum: 'majority',
    failureThreshold: spec.failureThreshold ?? 3,
    successThreshold: spec.successThreshold ?? 2,
    staleAfter: spec.staleAfter ?? 3 * Math.min(...intervals, 10_000),
    pools,
    safety: {
      failback: 'auto',
      failbackAfter: 300_000,
      flapWindow: 1_800_000,
      maxFailbackAfter: 3_600_000,
    },
    providers: [],
    notify: [],
    drill: {},
    drills: [],
  };
}

export interface ConfigSpec {
  services: Service[];
  probeRegions?: string[];
  keyPrefix: string;
  redisUrl?: string;
}

export function buildConfig(spec: ConfigSpec): Config {
  const regions = spec.probeRegions ?? [...new Set(spec.services.flatMap((s) => s.probeRegions))];
  const body = {
    deployment: {
      id: 'test',
      redis: { keyPrefix: spec.keyPrefix, ...(spec.redisUrl ? { url: spec.redisUrl } : {}) },
    },
    probeRegions: regions,
    providers: {},
    notifications: {},
    services: Object.fromEntries(spec.services.map((s) => [s.name, s])),
  };
  return {
    ...body,
    sources: ['<test>'],
    hash: createHash('sha256').update(JSON.stringify(body)).digest('hex'),
  };
}

import type { Pool, Service } from '../config/types';
import type { PoolState, PoolVerdict, Verdict } from './types';

export type { PoolVerdict };

/**
 * minHealthy as an endpoint count: a percent rounds up (50% of 3 endpoints is 2), never below 1
 * (a pool with no healthy endpoint is never healthy) and never above the endpoint count (a
 * misconfigured count would otherwise make the pool permanently down).
 */
export function minHealthyCount(pool: Pool): number {
  const endpoints = pool.endpoints.length;
  const raw =
    pool.minHealthy.kind === 'count'
      ? pool.minHealthy.count
      : // Multiply first: `70 * 10 / 100` is exactly 7, `0.7 * 10` is not.
        Math.ceil((pool.minHealthy.percent * endpoints) / 100);
  const atLeastOne = Math.max(1, Math.ceil(raw));
  return endpoints > 0 ? Math.min(atLeastOne, endpoints) : atLeastOne;
}

/**
 * Pool verdicts from endpoint verdicts, in config order: up when at least minHealthy endpoints
 * are up; down when even the unknown ones could not make minHealthy; otherwise the previous pool
 * verdict holds (a new pool starts `unknown`).
 */
export function poolVerdicts(
  service: Service,
  endpointVerdict: Readonly<Record<string, Verdict>>,
  previous: Readonly<Record<string, PoolState>>,
): PoolVerdict[] {
  return service.pools.map((pool) => {
    let upCount = 0;
    let downCount = 0;
    let unknownCount = 0;
    for (const endpoint of pool.endpoints) {
      const verdict = endpointVerdict[endpoint.id] ?? 'unknown';
      if (verdict === 'up') upCount++;
      else if (verdict === 'down') downCount++;
      else unknownCount++;
    }
    const minHealthy = minHealthyCount(pool);
    const reached: Verdict | undefined =
      upCount >= minHealthy ? 'up' : upCount + unknownCount < minHealthy ? 'down' : undefined;
    const before = Object.prototype.hasOwnProperty.call(previous, pool.name)
      ? (previous[pool.name]?.verdict ?? 'unknown')
      : 'unknown';
    return {
      pool: pool.name,
      verdict: reached ?? before,
      held: reached === undefined,
      upCount,
      downCount,
      unknownCount,
      minHealthy,
    };
  });
}

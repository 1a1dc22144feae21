import type { Service } from '../config/types';
import type { Decision } from './types';

/** Deep equality on what a provider would publish: pool order, weights and endpoint lists. */
export function sameDecision(a: Decision, b: Decision): boolean {
  if (a.pools.length !== b.pools.length) return false;
  return a.pools.every((pool, index) => {
    const other = b.pools[index];
    return (
      other !== undefined &&
      pool.pool === other.pool &&
      pool.weight === other.weight &&
      pool.endpoints.length === other.endpoints.length &&
      pool.endpoints.every((endpoint, i) => endpoint === other.endpoints[i])
    );
  });
}

/** The endpoints that get traffic: those listed by pools with a weight above 0. */
export function servedEndpoints(decision: Decision): string[] {
  return decision.pools.filter((pool) => pool.weight > 0).flatMap((pool) => pool.endpoints);
}

export function servesAnything(decision: Decision): boolean {
  return decision.pools.some((pool) => pool.weight > 0 && pool.endpoints.length > 0);
}

/** A deep copy (decisions are stored in the state and must never alias the caller's objects). */
export function copyDecision(decision: Decision): Decision {
  return {
    pools: decision.pools.map((pool) => ({
      pool: pool.pool,
      weight: pool.weight,
      endpoints: [...pool.endpoints],
    })),
  };
}

/**
 * A stored decision fitted to the current config: pools and endpoints that no longer exist are
 * dropped, new pools appear with weight 0 and all their endpoints, order follows the config.
 * This keeps a freeze or a fail-open meaningful across a config change.
 */
export function fitDecisionToConfig(decision: Decision, service: Service): Decision {
  const stored = new Map(decision.pools.map((pool) => [pool.pool, pool]));
  return {
    pools: service.pools.map((pool) => {
      const known = stored.get(pool.name);
      const ids = pool.endpoints.map((endpoint) => endpoint.id);
      if (known === undefined) return { pool: pool.name, weight: 0, endpoints: ids };
      const existing = new Set(ids);
      return {
        pool: pool.name,
        weight: known.weight,
        endpoints: known.endpoints.filter((endpoint) => existing.has(endpoint)),
      };
    }),
  };
}

/** `aws-use1 (weight 1), gcp-euw1 (weight 3)` or `nothing`: the serving pools of a decision. */
export function describeServingPools(decision: Decision): string {
  const serving = decision.pools.filter((pool) => pool.weight > 0 && pool.endpoints.length > 0);
  if (serving.length === 0) return 'nothing';
  return serving
    .map(
      (pool) =>
        `${pool.pool} (weight ${pool.weight}, ${pool.endpoints.length} endpoint${pool.endpoints.length === 1 ? '' : 's'})`,
    )
    .join(', ');
}

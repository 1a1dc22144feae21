import type { Service } from '../config/types';
import { preferenceOrderOf } from './max-drained-pools';
import type { Decision, PoolAnswer, Verdict } from './types';

export interface PolicyInput {
  service: Service;
  /** The effective eligibility of each pool (after overrides and safety rules). */
  eligible: (pool: string) => boolean;
  poolVerdict: (pool: string) => Verdict;
  endpointVerdict: (endpoint: string) => Verdict;
}

/**
 * The routing policy over the eligible pools. Every pool appears, in config order.
 *
 * - failover: the eligible pool with the lowest priority (ties: config order) gets weight 1.
 * - weighted: eligible pools keep their configured weight, the others get 0.
 * - all-healthy: every eligible pool gets weight 1 and lists its endpoints not known to be down
 *   (unknown counts as serving: we do not know it is down). An eligible pool whose verdict is
 *   down is serving only because a rule overrides the quorum (force-in, maxDrainedPools); it lists
 *   all its endpoints, since the rule distrusts the quorum for that whole pool.
 *
 * In failover and weighted the answer lists every endpoint of a pool: endpoint health is already
 * in the pool verdict through minHealthy. Pools with weight 0 list all their endpoints too (the
 * values a provider-native weighted record keeps at weight 0), which also keeps the decision from
 * changing while a drained pool's endpoints come and go.
 */
export function applyPolicy(input: PolicyInput): Decision {
  const { service, eligible } = input;
  const allEndpoints = (poolName: string): string[] =>
    service.pools.find((pool) => pool.name === poolName)?.endpoints.map((endpoint) => endpoint.id) ?? [];

  if (service.policy === 'failover') {
    const order = preferenceOrderOf(service);
    const primary = service.pools
      .filter((pool) => eligible(pool.name))
      .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))[0]?.name;
    return {
      pools: service.pools.map((pool) =>
        answer(pool.name, pool.name === primary ? 1 : 0, allEndpoints(pool.name)),
      ),
    };
  }

  if (service.policy === 'weighted') {
    return {
      pools: service.pools.map((pool) =>
        answer(pool.name, eligible(pool.name) ? pool.weight : 0, allEndpoints(pool.name)),
      ),
    };
  }

  return {
    pools: service.pools.map((pool) => {
      const ids = allEndpoints(pool.name);
      if (!eligible(pool.name)) return answer(pool.name, 0, ids);
      if (input.poolVerdict(pool.name) === 'down') return answer(pool.name, 1, ids);
      return answer(
        pool.name,
        1,
        ids.filter((id) => input.endpointVerdict(id) !== 'down'),
      );
    }),
  };
}

function answer(pool: string, weight: number, endpoints: string[]): PoolAnswer {
  return { pool, weight, endpoints };
}

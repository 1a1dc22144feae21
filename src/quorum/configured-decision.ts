import type { Service } from '../config/types';
import { servesAnything } from './decision-shape';
import { applyPolicy } from './policy';
import type { Decision } from './types';

/**
 * The answer served before the quorum has said anything: every pool eligible, every endpoint
 * listed. If even that serves nothing (a weighted service whose weights are all 0), every pool
 * gets weight 1: the core never publishes an empty answer when the service has endpoints.
 */
export function configuredDecision(service: Service): Decision {
  const decision = applyPolicy({
    service,
    eligible: () => true,
    poolVerdict: () => 'unknown',
    endpointVerdict: () => 'unknown',
  });
  if (servesAnything(decision)) return decision;
  return { pools: decision.pools.map((pool) => ({ ...pool, weight: 1 })) };
}

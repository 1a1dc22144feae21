import type { Service } from '../config/types';
import { configuredDecision } from './configured-decision';
import { copyDecision } from './decision-shape';
import { initialPoolState } from './initial-pool-state';
import type { PoolState, ServiceState, Verdict } from './types';

/**
 * The state before the first evaluation: every verdict unknown, every pool eligible, the
 * configured answer published and remembered as the last good one (so a first evaluation that
 * sees everything down fails open to the configured answer).
 */
export function initialState(service: Service, now: number): ServiceState {
  const endpoints: Record<string, Verdict> = {};
  const pools: Record<string, PoolState> = {};
  for (const pool of service.pools) {
    pools[pool.name] = initialPoolState(service);
    for (const endpoint of pool.endpoints) endpoints[endpoint.id] = 'unknown';
  }
  const decision = configuredDecision(service);
  return {
    endpoints,
    pools,
    decision,
    lastGoodDecision: copyDecision(decision),
    failOpen: false,
    suspectRegions: [],
    staleRegions: [],
    held: {},
    activeOverrides: [],
    evaluatedAt: now,
  };
}

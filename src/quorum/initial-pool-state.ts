import type { Service } from '../config/types';
import type { PoolState } from './types';

/**
 * A pool the core has never evaluated: verdict unknown, eligible (the configured answer is
 * served until the quorum says otherwise), with the configured failbackAfter.
 */
export function initialPoolState(service: Service): PoolState {
  return { verdict: 'unknown', eligible: true, failbackAfter: service.safety.failbackAfter };
}

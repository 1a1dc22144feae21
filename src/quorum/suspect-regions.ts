import type { Service } from '../config/types';
import { opinionOf } from './opinion-of';
import type { OpinionMatrix } from './types';

/** One pool that made a region suspect: how many of its endpoints only that region sees down. */
export interface LonelyDownPool {
  pool: string;
  /** Endpoints the region says are down while every other live region with an opinion says up. */
  lonelyDown: number;
  endpoints: number;
}

export interface SuspectRegion {
  region: string;
  /** The pools in which the region disagrees on more than half of the endpoints, in config order. */
  pools: LonelyDownPool[];
}

/**
 * Finds the live probe regions that are sick themselves rather than seeing a real outage.
 *
 * A live region R is suspect when, counting the endpoints where R says down while every other
 * live region that has an opinion says up (and at least one does), those endpoints are more than
 * half of the endpoints in at least min(2, pool count) pools. One pool seen down by one region
 * alone is a plausible partial outage (a broken path to one data center); several pools is the
 * region's own network. Every region is judged against the raw opinions of the others in one
 * pass, so the result does not depend on the order of the regions.
 */
export function findSuspectRegions(
  service: Service,
  opinions: OpinionMatrix,
  liveRegions: readonly string[],
): SuspectRegion[] {
  const poolsNeeded = Math.min(2, service.pools.length);
  if (poolsNeeded === 0) return [];
  const suspects: SuspectRegion[] = [];
  for (const region of liveRegions) {
    const others = liveRegions.filter((other) => other !== region);
    const pools: LonelyDownPool[] = [];
    for (const pool of service.pools) {
      let lonelyDown = 0;
      for (const endpoint of pool.endpoints) {
        if (opinionOf(opinions, endpoint.id, region) !== 'down') continue;
        const otherOpinions = others
          .map((other) => opinionOf(opinions, endpoint.id, other))
          .filter((opinion) => opinion !== 'unknown');
        if (otherOpinions.length > 0 && otherOpinions.every((opinion) => opinion === 'up')) lonelyDown++;
      }
      if (lonelyDown * 2 > pool.endpoints.length) {
        pools.push({ pool: pool.name, lonelyDown, endpoints: pool.endpoints.length });
      }
    }
    if (pools.length >= poolsNeeded) suspects.push({ region, pools });
  }
  return suspects;
}

import type { Service } from '../config/types';
import { configuredRegions } from './configured-regions';
import type { HeartbeatAges } from './types';

export interface RegionLiveness {
  /** Configured regions whose heartbeat is at most `staleAfter` old, in config order. */
  live: string[];
  /** Configured regions without a heartbeat or with an older one, in config order. */
  stale: string[];
}

/**
 * Splits the configured regions into live and stale. Regions that report but are not configured
 * for the service are ignored: they are not part of its electorate. A non-finite age counts as
 * never seen. A negative age (the caller's clock arithmetic went backwards) counts as fresh.
 */
export function regionLiveness(service: Service, heartbeatAges: HeartbeatAges): RegionLiveness {
  const live: string[] = [];
  const stale: string[] = [];
  for (const region of configuredRegions(service)) {
    const age = heartbeatAge(heartbeatAges, region);
    if (age !== undefined && age <= service.staleAfter) live.push(region);
    else stale.push(region);
  }
  return { live, stale };
}

/** The heartbeat age of a region, or undefined when it never sent one (or sent garbage). */
export function heartbeatAge(heartbeatAges: HeartbeatAges, region: string): number | undefined {
  if (!Object.prototype.hasOwnProperty.call(heartbeatAges, region)) return undefined;
  const age = heartbeatAges[region];
  return typeof age === 'number' && Number.isFinite(age) ? age : undefined;
}

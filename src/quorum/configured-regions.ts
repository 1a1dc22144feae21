import type { Service } from '../config/types';

/** The service's probe regions in config order, without duplicates: the electorate of every quorum. */
export function configuredRegions(service: Service): string[] {
  return [...new Set(service.probeRegions)];
}

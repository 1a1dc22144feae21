import type { Service, Severity } from '../config/types';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The channels of `service.notify` that take an event of `severity` (at or above each route's minSeverity). */
export function routedChannels(service: Pick<Service, 'notify'>, severity: Severity): string[] {
  return service.notify
    .filter((route) => RANK[severity] >= RANK[route.minSeverity])
    .map((route) => route.channel);
}

import type { Service, Severity } from '../config/types';
import type { StoredEvent } from './service-record';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * The severity an event is ROUTED with. Events that clear a condition are routed like the condition they
 * clear: a pager channel that only takes `critical` got the fail-open message, so it must also get the
 * all-clear (PagerDuty resolves the incident on it), although the all-clear itself is only `info`.
 */
const CLEARS: Partial<Record<StoredEvent['kind'], Severity>> = {
  'fail-open-cleared': 'critical',
  'pool-restored': 'warning',
};

export function routingSeverity(event: Pick<StoredEvent, 'kind' | 'severity' | 'dns'>): Severity {
  // A failed apply may have been critical (permanent, or out of retries): its all-clear goes where it went.
  const cleared = event.kind === 'dns-applied' && event.dns?.recovered ? 'critical' : CLEARS[event.kind];
  return cleared !== undefined && RANK[cleared] > RANK[event.severity] ? cleared : event.severity;
}

/** The channels of `service.notify` that take an event of `severity` (at or above each route's minSeverity). */
export function routedChannels(service: Pick<Service, 'notify'>, severity: Severity): string[] {
  return service.notify
    .filter((route) => RANK[severity] >= RANK[route.minSeverity])
    .map((route) => route.channel);
}

/**
 * The built-in defaults, below `defaults:` in every file. Documented in docs/configuration.md;
 * change both together.
 */
import type { RawMinHealthy } from './config-schema';
import type { Quorum, RoutingPolicy } from './types';

/** Below defaults.check: every check has an interval and a timeout even when nobody wrote one. */
export const BUILTIN_CHECK = { interval: '10s', timeout: '3s' } as const;

export const BUILTIN_SERVICE = {
  ttl: 30,
  policy: 'failover' as RoutingPolicy,
  quorum: 'majority' as Quorum,
  failureThreshold: 3,
  successThreshold: 2,
  minHealthy: 1 as RawMinHealthy,
  failback: 'auto' as const,
  failbackAfter: 5 * 60_000,
  flapWindow: 30 * 60_000,
  maxFailbackAfter: 60 * 60_000,
  /** staleAfter = this x the service's shortest check interval. */
  staleAfterIntervals: 3,
};

/** A TTL above this slows every failover: resolvers keep the old answer that long. */
export const FAILOVER_TTL_WARNING_ABOVE = 60;

/** Fewer regions cannot both outvote a sick region and survive losing one. */
export const MIN_SAFE_PROBE_REGIONS = 3;

/** Options every provider type accepts (`providers.<name>`), when not written. */
export const BUILTIN_PROVIDER = {
  ownerRecords: true,
  syncTimeout: 2 * 60_000,
  maxDeletes: 10,
  /** Type `local` only. */
  syncDelay: 0,
};

/** A notify route (`services.<name>.notify[]`), when not written. */
export const BUILTIN_NOTIFY_ROUTE = { quietPeriod: 0, maxReminders: 3 };

/** A notification channel (`notifications.<name>`), when not written. */
export const BUILTIN_CHANNEL = { timeout: 10_000 };

/** A scheduled drill (`services.<name>.drills[]`), when not written. */
export const BUILTIN_DRILL = { timezone: 'UTC', mode: 'dry' as const, duration: 5 * 60_000 };

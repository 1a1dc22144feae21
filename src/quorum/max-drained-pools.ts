import type { Service } from '../config/types';

export interface DrainClamp {
  /** Candidates that are drained now, in order of preference. */
  drain: string[];
  /** Candidates the rule keeps serving, in order of preference. */
  hold: string[];
}

/**
 * The `maxDrainedPools` assertion rule: automatic drains may leave at most that many pools
 * drained. Pools already drained stay drained (the rule never restores a pool early); the free
 * slots go to the new candidates in order of preference — lowest `priority` first, then config
 * order — because the most preferred pool is the one carrying (or about to carry) the traffic,
 * so draining it is what moves users away from the outage. The rest are held.
 *
 * Operator force-out overrides are neither counted nor clamped: the rule bounds the automation,
 * not the operator.
 */
export function clampDrains(
  service: Service,
  candidates: readonly string[],
  alreadyDrained: number,
): DrainClamp {
  const preferenceOrder = preferenceOrderOf(service);
  const ordered = [...candidates].sort(
    (a, b) => (preferenceOrder.get(a) ?? Infinity) - (preferenceOrder.get(b) ?? Infinity),
  );
  const limit = service.safety.maxDrainedPools;
  const slots = limit === undefined ? ordered.length : Math.max(0, Math.floor(limit) - alreadyDrained);
  return { drain: ordered.slice(0, slots), hold: ordered.slice(slots) };
}

/** pool name -> rank: lowest priority first, ties in config order. */
export function preferenceOrderOf(service: Service): Map<string, number> {
  const ranked = service.pools
    .map((pool, index) => ({ name: pool.name, priority: pool.priority, index }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index);
  return new Map(ranked.map((pool, rank) => [pool.name, rank]));
}

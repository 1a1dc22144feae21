import type { Millis, Safety } from '../config/types';
import type { PoolState } from './types';

export interface FailbackOnDrain {
  /** The failbackAfter in force for the restore that follows this drain. */
  failbackAfter: Millis;
  /** True when flap damping fired (the pool was restored at most flapWindow ago). */
  damped: boolean;
}

/**
 * Flap damping, applied when a pool is drained: if its last restore was at most `flapWindow`
 * ago, its next failbackAfter doubles, capped at `maxFailbackAfter`; after a quiet flapWindow it
 * resets to the configured failbackAfter. A pool flapping forever therefore converges to one
 * drain/restore pair per maxFailbackAfter.
 */
export function failbackAfterOnDrain(safety: Safety, previous: PoolState, now: number): FailbackOnDrain {
  const restoredRecently =
    previous.restoredAt !== undefined && now - previous.restoredAt <= safety.flapWindow;
  if (!restoredRecently) return { failbackAfter: safety.failbackAfter, damped: false };
  const current = failbackAfterInForce(safety, previous.failbackAfter);
  return { failbackAfter: Math.min(current * 2, ceilingOf(safety)), damped: true };
}

/**
 * The stored failbackAfter, kept within [failbackAfter, maxFailbackAfter] of the current config,
 * so a config change takes effect on pools that are already waiting.
 */
export function failbackAfterInForce(safety: Safety, stored: Millis): Millis {
  const value = Number.isFinite(stored) ? stored : safety.failbackAfter;
  return Math.min(Math.max(value, safety.failbackAfter), ceilingOf(safety));
}

function ceilingOf(safety: Safety): Millis {
  return Math.max(safety.failbackAfter, safety.maxFailbackAfter);
}

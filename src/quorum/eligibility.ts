import type { Millis, Service } from '../config/types';
import { failbackAfterInForce, failbackAfterOnDrain } from './flap-damping';
import { initialPoolState } from './initial-pool-state';
import { clampDrains } from './max-drained-pools';
import type { PoolVerdict } from './pool-verdicts';
import type { PoolState } from './types';

export interface FlapDamped {
  pool: string;
  from: Millis;
  to: Millis;
  /** How long before this drain the pool had been restored. */
  restoredAgo: Millis;
}

export interface Restore {
  pool: string;
  /**
   * `failback-delay`: continuously up for failbackAfter; `override`: an operator's force-in while up;
   * `early-failback`: up, and no other pool could serve (see `early-failback.ts`).
   */
  by: 'failback-delay' | 'override' | 'early-failback';
}

export interface EligibilityUpdate {
  /** The new state of every pool, in config order. */
  pools: Record<string, PoolState>;
  /** Pools drained automatically at this evaluation, in order of preference. */
  drained: string[];
  restored: Restore[];
  damped: FlapDamped[];
  /** Pools the quorum says are down that maxDrainedPools keeps eligible. */
  clamped: string[];
}

/**
 * Drain fast, restore slow — the automatic eligibility of every pool.
 *
 * - An eligible pool whose verdict is down is drained at the first evaluation that sees it, never
 *   damped (only maxDrainedPools can hold it).
 * - A drained pool whose verdict is up is restored once `now - upSince >= failbackAfter` (the
 *   damped value), never automatically with `failback: manual`. An operator's force-in while the
 *   verdict is up counts as the failback (that is how a manual pool comes back, and it keeps an
 *   expiring force-in from draining a healthy pool again).
 * - `upSince` is the evaluation time the verdict became up, kept while it stays up (held
 *   evaluations included), cleared when it is not up.
 *
 * Force-pool overrides are recorded in `forced` but do not otherwise touch this bookkeeping: the
 * effective eligibility is decided in `decide.ts`. The one exception to restore slow (a pool up
 * and waiting is restored early when no other pool could serve) needs the routing policy, so it
 * is applied afterwards by `early-failback.ts`.
 */
export function updateEligibility(
  service: Service,
  verdicts: readonly PoolVerdict[],
  previous: Readonly<Record<string, PoolState>>,
  forced: Readonly<Record<string, 'in' | 'out'>>,
  now: number,
): EligibilityUpdate {
  const { safety } = service;
  const candidates: string[] = [];
  const restored: Restore[] = [];
  const stillDrained: string[] = [];
  const upSinceOf = new Map<string, number>();

  for (const { pool, verdict } of verdicts) {
    const before = previousPoolState(service, previous, pool);
    const wasUp = before.verdict === 'up' && before.upSince !== undefined;
    if (verdict === 'up') upSinceOf.set(pool, wasUp && before.upSince !== undefined ? before.upSince : now);
    const upSince = upSinceOf.get(pool);

    if (before.eligible) {
      if (verdict === 'down' && forced[pool] !== 'in') candidates.push(pool);
      continue;
    }
    if (verdict === 'up' && forced[pool] === 'in') {
      restored.push({ pool, by: 'override' });
    } else if (
      verdict === 'up' &&
      safety.failback === 'auto' &&
      upSince !== undefined &&
      now - upSince >= failbackAfterInForce(safety, before.failbackAfter)
    ) {
      restored.push({ pool, by: 'failback-delay' });
    } else if (forced[pool] !== 'in') {
      stillDrained.push(pool);
    }
  }

  const { drain, hold } = clampDrains(service, candidates, stillDrained.length);
  const drainSet = new Set(drain);
  const restoredSet = new Set(restored.map((restore) => restore.pool));
  const damped: FlapDamped[] = [];
  const pools: Record<string, PoolState> = {};

  for (const { pool, verdict } of verdicts) {
    const before = previousPoolState(service, previous, pool);
    let eligible = before.eligible;
    let failbackAfter = failbackAfterInForce(safety, before.failbackAfter);
    let drainedAt = before.drainedAt;
    let restoredAt = before.restoredAt;
    if (drainSet.has(pool)) {
      eligible = false;
      drainedAt = now;
      const next = failbackAfterOnDrain(safety, before, now);
      if (next.damped) {
        damped.push({
          pool,
          from: failbackAfter,
          to: next.failbackAfter,
          restoredAgo: now - (before.restoredAt ?? now),
        });
      }
      failbackAfter = next.failbackAfter;
    } else if (restoredSet.has(pool)) {
      eligible = true;
      restoredAt = now;
    }
    const state: PoolState = { verdict, eligible, failbackAfter };
    const direction = forced[pool];
    if (direction !== undefined) state.forced = direction;
    const upSince = upSinceOf.get(pool);
    if (upSince !== undefined) state.upSince = upSince;
    if (drainedAt !== undefined) state.drainedAt = drainedAt;
    if (restoredAt !== undefined) state.restoredAt = restoredAt;
    pools[pool] = state;
  }

  return { pools, drained: drain, restored, damped, clamped: hold };
}

function previousPoolState(
  service: Service,
  previous: Readonly<Record<string, PoolState>>,
  pool: string,
): PoolState {
  const before = Object.prototype.hasOwnProperty.call(previous, pool) ? previous[pool] : undefined;
  return before ?? initialPoolState(service);
}

/** Effective eligibility: a force-pool override, else the automatic bookkeeping. Unknown pools start eligible. */
export function effectivelyEligible(state: PoolState | undefined): boolean {
  if (state === undefined) return true;
  return state.forced !== undefined ? state.forced === 'in' : state.eligible;
}

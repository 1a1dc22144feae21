import type { Service } from '../config/types';
import { servesAnything } from './decision-shape';
import { effectivelyEligible, type EligibilityUpdate } from './eligibility';
import type { Decision, PoolState } from './types';

/** The routing policy run over a given effective eligibility (see `policy.ts`). */
export type PolicyOver = (eligible: (pool: string) => boolean) => Decision;

export interface EarlyFailbackResult {
  /** The eligibility update, with the early restores applied (unchanged when none happened). */
  eligibility: EligibilityUpdate;
  /** The policy's decision over the resulting effective eligibility. */
  decision: Decision;
}

/**
 * Early failback: restore slow exists to keep a recovering pool from taking traffic back while it
 * may still flap, but the alternative it protects is a healthy pool. When the policy over the
 * eligible pools would serve nothing, the alternative is fail-open: the last good answer, usually
 * a pool the quorum says is down. A pool the quorum says is up is the better bet, so:
 *
 * - candidates: drained pools whose verdict is `up` and that no override decides (a force-out is
 *   the operator's word and is never undone; a force-in already serves). `failback: manual`
 *   pools are candidates too: manual failback guards against a premature return, not against
 *   replacing a pool known to be down;
 * - the policy is re-run with the candidates eligible, and only the candidates that then carry
 *   traffic are restored (a failover standby or a weight-0 pool gains nothing from an early
 *   restore, so it keeps waiting for its failbackAfter);
 * - a restore sets `restoredAt = now` like any other, so flap damping sees it: a drain within
 *   flapWindow doubles the next failbackAfter.
 *
 * Early restores are listed in `restored` (by `early-failback`), in config order. When no
 * candidate would carry traffic, nothing changes and fail-open keeps the last good answer.
 */
export function applyEarlyFailback(
  service: Service,
  update: EligibilityUpdate,
  policyOver: PolicyOver,
  now: number,
): EarlyFailbackResult {
  const eligibleNow = (pool: string): boolean => effectivelyEligible(update.pools[pool]);
  const decision = policyOver(eligibleNow);
  if (servesAnything(decision)) return { eligibility: update, decision };

  const candidates = service.pools
    .map((pool) => pool.name)
    .filter((pool) => isWaitingForFailback(update.pools[pool]));
  if (candidates.length === 0) return { eligibility: update, decision };

  const tentative = new Set(candidates);
  const withCandidates = policyOver((pool) => tentative.has(pool) || eligibleNow(pool));
  const restoredEarly = candidates.filter((pool) => carriesTraffic(withCandidates, pool));
  if (restoredEarly.length === 0) return { eligibility: update, decision };

  const restoredSet = new Set(restoredEarly);
  const pools: Record<string, PoolState> = {};
  for (const [pool, state] of Object.entries(update.pools)) {
    pools[pool] = restoredSet.has(pool) ? { ...state, eligible: true, restoredAt: now } : state;
  }
  return {
    eligibility: {
      ...update,
      pools,
      restored: [
        ...update.restored,
        ...restoredEarly.map((pool) => ({ pool, by: 'early-failback' as const })),
      ],
    },
    decision: policyOver((pool) => restoredSet.has(pool) || eligibleNow(pool)),
  };
}

/** Drained by the automation, up again, and not decided by a force-pool override. */
function isWaitingForFailback(state: PoolState | undefined): boolean {
  return state !== undefined && !state.eligible && state.forced === undefined && state.verdict === 'up';
}

function carriesTraffic(decision: Decision, pool: string): boolean {
  return decision.pools.some(
    (answer) => answer.pool === pool && answer.weight > 0 && answer.endpoints.length > 0,
  );
}

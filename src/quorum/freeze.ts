import type { Service } from '../config/types';
import { fitDecisionToConfig, sameDecision, servesAnything } from './decision-shape';
import type { Decision } from './types';

export interface FreezeResult {
  /** What is published. */
  decision: Decision;
  /** The computed decision the freeze keeps from being published (absent when they agree or no freeze). */
  withheld?: Decision;
  /** True when `withheld` is a difference not reported at the previous evaluation (fire `freeze-held`). */
  newlyWithheld: boolean;
}

/**
 * Freeze: while an operator's freeze is in force the published decision stays exactly the
 * previous one, whatever the quorum computes (verdicts and pool bookkeeping still update
 * elsewhere, so the truth stays visible and is published the moment the freeze ends).
 */
export function applyFreeze(
  service: Service,
  computed: Decision,
  previousDecision: Decision,
  frozen: boolean,
  previousWithheld: Decision | undefined,
): FreezeResult {
  if (!frozen) return { decision: computed, newlyWithheld: false };
  const kept = fitDecisionToConfig(previousDecision, service);
  // The previous decision always serves something; the check only guards a corrupt stored state.
  const decision = servesAnything(kept) ? kept : computed;
  if (sameDecision(decision, computed)) return { decision, newlyWithheld: false };
  return {
    decision,
    withheld: computed,
    newlyWithheld: previousWithheld === undefined || !sameDecision(previousWithheld, computed),
  };
}

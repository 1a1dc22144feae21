import type { Service } from '../config/types';
import { configuredDecision } from './configured-decision';
import { fitDecisionToConfig, servesAnything } from './decision-shape';
import type { Decision } from './types';

export interface FailOpenResult {
  decision: Decision;
  /** True when the computed decision served nothing and the last good one replaced it. */
  failOpen: boolean;
}

/**
 * Fail-open: an answer with no endpoint takes a service off the internet, which is always worse
 * than serving a pool the quorum distrusts. When the computed decision serves nothing, the last
 * good decision is published instead (fitted to the current config; the configured all-eligible
 * decision if even that serves nothing).
 */
export function applyFailOpen(service: Service, computed: Decision, lastGood: Decision): FailOpenResult {
  if (servesAnything(computed)) return { decision: computed, failOpen: false };
  const fitted = fitDecisionToConfig(lastGood, service);
  return { decision: servesAnything(fitted) ? fitted : configuredDecision(service), failOpen: true };
}

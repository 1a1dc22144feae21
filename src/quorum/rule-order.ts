/**
 * The one order rules are listed in, wherever they are shown (the explanation, `quorumdns status`,
 * notifications), so an operator reads them alike everywhere: how the regions voted first, then the routing
 * policy, then the rules that bent its answer, in the order they apply.
 */
import type { RuleName } from './types';

export const RULE_ORDER: readonly RuleName[] = [
  'quorum',
  'stale-region',
  'suspect-region',
  'policy',
  'override',
  'failback-delay',
  'failback-manual',
  'early-failback',
  'flap-damping',
  'max-drained-pools',
  'fail-open',
  'freeze',
];

/** The rules in `fired`, in `RULE_ORDER` (anything that is not a rule name is left out). */
export function inRuleOrder(fired: ReadonlySet<string>): RuleName[] {
  return RULE_ORDER.filter((rule) => fired.has(rule));
}

/**
 * Verification after apply: a fresh read must show exactly the desired record sets (and none of the sets the
 * plan deleted). Defined as "a plan against the re-read is empty", so verification and planning can never
 * disagree about what in sync means.
 */
import { computePlan, type Plan } from './plan';
import { ProviderError } from './provider-errors';
import type { RecordChange, RecordSet } from './record-set';
import { describeRecordSet } from './record-set-equality';

/** What is still different after an apply; empty when the provider holds the desired sets. */
export function remainingDifferences(
  plan: Plan,
  reread: RecordSet[],
  managedNames: string[],
): RecordChange[] {
  return computePlan({
    service: plan.service,
    provider: plan.provider,
    zone: plan.zone,
    mode: plan.mode,
    current: reread,
    desired: plan.desired,
    managedNames,
  }).changes;
}

/** Throws a transient `VERIFY_FAILED` naming what the re-read shows differently (at most five, then a count). */
export function assertVerified(plan: Plan, reread: RecordSet[], managedNames: string[]): void {
  const remaining = remainingDifferences(plan, reread, managedNames);
  if (remaining.length === 0) return;
  const shown = remaining.slice(0, 5).map(describeDifference);
  const more = remaining.length > shown.length ? `; and ${remaining.length - shown.length} more` : '';
  throw new ProviderError(
    'VERIFY_FAILED',
    `provider "${plan.provider}" zone ${plan.zone}: after apply, a re-read does not show the planned record sets: ` +
      `${shown.join('; ')}${more}`,
    { provider: plan.provider },
  );
}

function describeDifference(change: RecordChange): string {
  switch (change.action) {
    case 'create':
      return `missing ${describeRecordSet(change.after)}`;
    case 'update':
      return `${describeRecordSet(change.before)} instead of ${describeRecordSet(change.after)}`;
    case 'delete':
      return `still present ${describeRecordSet(change.before)}`;
  }
}

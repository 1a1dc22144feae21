/**
 * How an apply is told in the audit log and in notifications: the `DnsChangeSummary` of `dns-applied` /
 * `dns-apply-failed` events and their one-sentence messages, e.g.
 * `api.example.com A at route53 aws-main/Z123: 192.0.2.10 -> 198.51.100.20 (change C123, in sync after 1.2 s)`.
 */
import type { DnsChangeSummary } from '../evaluator/service-record';
import { OWNER_RECORD_PREFIX } from './desired-records';
import type { Plan } from './plan';
import type { RecordChange, RecordSet } from './record-set';
import { formatRecordData, formatRecordSet } from './render-plan';
import { targetLabel } from './applied-target';

export interface AppliedTargetRef {
  provider: string;
  providerType: string;
  zone: string;
}

/** Before/after lines of the sets a plan changes (owner TXT records included: they are writes too). */
export function changeSummary(target: AppliedTargetRef, plan: Plan, changeIds: string[]): DnsChangeSummary {
  const before: string[] = [];
  const after: string[] = [];
  for (const change of plan.changes) {
    if (change.action !== 'create') before.push(formatRecordSet(change.before));
    if (change.action !== 'delete') after.push(formatRecordSet(change.after));
  }
  const summary: DnsChangeSummary = { target: targetLabel(target.provider, target.zone), before, after };
  if (changeIds.length > 0) summary.changeId = changeIds.join(',');
  return summary;
}

/** A failure's summary: what was meant to be published (when known) and the error. */
export function failureSummary(
  target: AppliedTargetRef,
  desired: RecordSet[] | undefined,
  error: { code: string; message: string },
): DnsChangeSummary {
  return {
    target: targetLabel(target.provider, target.zone),
    before: [],
    after: (desired ?? []).map((set) => formatRecordSet(set)),
    error,
  };
}

/** One clause of a change description: names that moved together from `before` to `after`. */
export interface ChangeClause {
  names: string[];
  type: string;
  before: string;
  after: string;
}

/**
 * The changes per (name, type), merged across names with the same before/after (a service's names move
 * together). Owner TXT records are left out: they are bookkeeping, not the answer.
 */
export function changeClauses(changes: readonly RecordChange[]): ChangeClause[] {
  const byIdentity = new Map<string, { name: string; type: string; before: string[]; after: string[] }>();
  for (const change of changes) {
    const set = change.action === 'delete' ? change.before : change.after;
    if (set.name.startsWith(OWNER_RECORD_PREFIX)) continue;
    const identity = `${set.name}\u0000${set.type}`;
    const entry = byIdentity.get(identity) ?? { name: set.name, type: set.type, before: [], after: [] };
    if (change.action !== 'create') entry.before.push(formatRecordData(change.before));
    if (change.action !== 'delete') entry.after.push(formatRecordData(change.after));
    byIdentity.set(identity, entry);
  }
  const groups = new Map<string, ChangeClause>();
  for (const entry of byIdentity.values()) {
    const before = entry.before.length === 0 ? '(none)' : entry.before.join('; ');
    const after = entry.after.length === 0 ? '(deleted)' : entry.after.join('; ');
    const key = `${entry.type}\u0000${before}\u0000${after}`;
    const group = groups.get(key) ?? { names: [], type: entry.type, before, after };
    group.names.push(entry.name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** `api.example.com A: 192.0.2.10 -> 198.51.100.20` per clause, without the target (it is said elsewhere). */
export function describeChangesBriefly(changes: readonly RecordChange[]): string {
  const clauses = changeClauses(changes);
  if (clauses.length === 0) return changes.length === 0 ? 'no change' : 'owner records written';
  return clauses.map((c) => `${c.names.join(', ')} ${c.type}: ${c.before} -> ${c.after}`).join('; ');
}

/** `change C1, in sync after 1.2 s`: what a sync's ids and timings say, empty when nothing was submitted. */
export function syncDetails(changeIds: readonly string[], inSyncAfterMs: number | undefined): string {
  const change =
    changeIds.length === 0 ? '' : `change${changeIds.length === 1 ? '' : 's'} ${changeIds.join(', ')}`;
  const sync = inSyncAfterMs === undefined ? '' : `in sync after ${formatSeconds(inSyncAfterMs)}`;
  return [change, sync].filter((part) => part !== '').join(', ');
}

/** `api.example.com A at route53 aws-main/Z123: 192.0.2.10 -> 198.51.100.20` (or one clause per change). */
export function describeChanges(target: AppliedTargetRef, changes: readonly RecordChange[]): string {
  const where = `${target.providerType} ${targetLabel(target.provider, target.zone)}`;
  const clauses = changeClauses(changes);
  const [only] = clauses;
  if (only === undefined) return `${where}: ${changes.length === 0 ? 'no change' : 'owner records written'}`;
  if (clauses.length === 1)
    return `${only.names.join(', ')} ${only.type} at ${where}: ${only.before} -> ${only.after}`;
  return `${where}: ${clauses.map((c) => `${c.names.join(', ')} ${c.type} ${c.before} -> ${c.after}`).join('; ')}`;
}

/** `1.2 s`, `850 ms`, `2 min 5 s`. */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

/** The message of a `dns-applied` event. */
export function appliedMessage(input: {
  target: AppliedTargetRef;
  plan: Plan;
  changeIds: string[];
  inSyncAfterMs?: number;
  dryRun: boolean;
}): string {
  const sentence = describeChanges(input.target, input.plan.changes);
  if (input.dryRun) return `dry run (drill): ${sentence} planned, nothing changed`;
  const details = syncDetails(input.changeIds, input.inSyncAfterMs);
  return details === '' ? sentence : `${sentence} (${details})`;
}

/**
 * The plan: what must change at one provider target so it holds the desired record sets (octoDNS's
 * provider/plan.py, external-dns's plan/). Pure and deterministic: the same inputs give the same changes in
 * the same order, so `quorumdns plan` output is stable in a pull request and a plan of desired vs desired is
 * empty.
 */
import type { SteeringMode } from '../config/types';
import { OWNER_RECORD_PREFIX } from './desired-records';
import { type ManagedRecordType, type RecordChange, type RecordSet, recordSetKey } from './record-set';
import { canonicalName, canonicalRecordSet, sameRecordSet } from './record-set-equality';

export interface Plan {
  service: string;
  provider: string;
  zone: string;
  mode: SteeringMode;
  /**
   * Sorted deterministically: by the name the change is about (an owner TXT `_quorumdns.<name>` sorts right
   * before `<name>`, so a name and its owner record travel in one batch), then name, type, setIdentifier
   * (plain sets first), action (delete, create, update).
   */
  changes: RecordChange[];
  /** Desired sets the provider already holds exactly. */
  unchanged: RecordSet[];
  /** What the provider holds at the managed names (every type), canonical. */
  current: RecordSet[];
  /** What the decision wants, canonical. */
  desired: RecordSet[];
}

export interface PlanInput {
  service: string;
  provider: string;
  zone: string;
  mode: SteeringMode;
  current: RecordSet[];
  desired: RecordSet[];
  managedNames: string[];
}

/**
 * Desired vs current at the managed names. A current set is deleted only when it sits at a managed name and
 * is in our way: the same name and type as a desired set but another identity (a pool removed from the
 * config, a switch between rewrite and weights), or an A/AAAA/CNAME that a desired CNAME (or a CNAME that a
 * desired A/AAAA) cannot coexist with. Anything else at a managed name (a TXT for site verification, the
 * AAAA set of a sibling service with the same names) is left alone; sets at other names are never touched.
 */
export function computePlan(input: PlanInput): Plan {
  const managed = new Set(input.managedNames.map(canonicalName));
  const current = input.current.map(canonicalRecordSet).filter((set) => managed.has(set.name));
  const desired = input.desired.map(canonicalRecordSet);
  for (const set of desired) {
    if (!managed.has(set.name)) {
      throw new Error(`computePlan: desired record set ${set.name} ${set.type} is not at a managed name`);
    }
  }

  const currentByKey = new Map(current.map((set) => [recordSetKey(set), set]));
  const desiredKeys = new Set(desired.map(recordSetKey));
  const changes: RecordChange[] = [];
  const unchanged: RecordSet[] = [];

  for (const after of desired) {
    const before = currentByKey.get(recordSetKey(after));
    if (before === undefined) changes.push({ action: 'create', after });
    else if (sameRecordSet(before, after)) unchanged.push(after);
    else changes.push({ action: 'update', before, after });
  }

  const desiredTypesAt = new Map<string, Set<ManagedRecordType>>();
  for (const set of desired) {
    const types = desiredTypesAt.get(set.name) ?? new Set<ManagedRecordType>();
    types.add(set.type);
    desiredTypesAt.set(set.name, types);
  }
  for (const before of current) {
    if (desiredKeys.has(recordSetKey(before))) continue;
    const types = desiredTypesAt.get(before.name);
    if (types !== undefined && inTheWay(before.type, types)) changes.push({ action: 'delete', before });
  }

  changes.sort(compareChanges);
  return {
    service: input.service,
    provider: input.provider,
    zone: input.zone,
    mode: input.mode,
    changes,
    unchanged,
    current,
    desired,
  };
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.changes.length === 0;
}

/** The record set a change is about (its identity). */
export function changedSet(change: RecordChange): RecordSet {
  return change.action === 'delete' ? change.before : change.after;
}

/** Counts by action, for summaries ("2 to change, 1 to create, 0 to delete"). */
export function countChanges(changes: readonly RecordChange[]): {
  create: number;
  update: number;
  delete: number;
} {
  const counts = { create: 0, update: 0, delete: 0 };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

const ADDRESS_TYPES: ReadonlySet<ManagedRecordType> = new Set(['A', 'AAAA', 'CNAME']);

function inTheWay(type: ManagedRecordType, desiredTypes: ReadonlySet<ManagedRecordType>): boolean {
  if (desiredTypes.has(type)) return true;
  if (!ADDRESS_TYPES.has(type)) return false;
  // A CNAME owns its name: it and an A/AAAA set exclude each other.
  if (type === 'CNAME') return desiredTypes.has('A') || desiredTypes.has('AAAA');
  return desiredTypes.has('CNAME');
}

const ACTION_ORDER: Record<RecordChange['action'], number> = { delete: 0, create: 1, update: 2 };

/** The name an owner TXT record guards, or the name itself. */
export function subjectName(name: string): string {
  return isOwnerName(name) ? name.slice(OWNER_RECORD_PREFIX.length) : name;
}

function isOwnerName(name: string): boolean {
  return name.startsWith(OWNER_RECORD_PREFIX);
}

export function compareChanges(a: RecordChange, b: RecordChange): number {
  const x = changedSet(a);
  const y = changedSet(b);
  return (
    compareText(subjectName(x.name), subjectName(y.name)) ||
    Number(!isOwnerName(x.name)) - Number(!isOwnerName(y.name)) ||
    compareText(x.type, y.type) ||
    compareText(x.setIdentifier ?? '', y.setIdentifier ?? '') ||
    ACTION_ORDER[a.action] - ACTION_ORDER[b.action]
  );
}

/** Code-unit order, never locale order: a plan must sort the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

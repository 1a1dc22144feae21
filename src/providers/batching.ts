/**
 * Splitting a plan's changes into requests a provider accepts: each batch within the per-request limits,
 * changes in plan order, none lost or repeated. Changes about one name (a name's sets and its owner TXT) stay
 * in one batch whenever they fit together, so a name moves atomically: no moment where a weighted name has
 * both pools at weight 0, and the owner record lands with the first write it guards.
 */
import type { BatchLimits, RecordChange, RecordSet } from './record-set';
import { subjectName, changedSet } from './plan';

/** One change is larger than a whole request may be: it can never be applied as configured. */
export class ChangeTooLargeError extends Error {
  readonly code = 'CHANGE_TOO_LARGE';
  constructor(
    message: string,
    readonly change: RecordChange,
  ) {
    super(message);
    this.name = 'ChangeTooLargeError';
  }
}

/** What one change costs against each limit. */
export interface ChangeCost {
  changes: number;
  recordValues: number;
  valueChars: number;
}

/**
 * The cost of one change. `updateCost` is how many times an update counts (Route 53 UPSERT: 2). An update's
 * values count as the larger of `updateCost` x the new values (Route 53 sends only the new set, counted twice)
 * and old + new values (Cloud DNS sends the old set's deletion and the new set's addition), so one rule is
 * safe for both. Route 53 alias targets are not ResourceRecord values: they cost a change, no values.
 */
export function changeCost(change: RecordChange, updateCost: number): ChangeCost {
  if (change.action === 'update') {
    const before = dataOf(change.before);
    const after = dataOf(change.after);
    return {
      changes: updateCost,
      recordValues: Math.max(updateCost * after.count, before.count + after.count),
      valueChars: Math.max(updateCost * after.chars, before.chars + after.chars),
    };
  }
  const data = dataOf(changedSet(change));
  return { changes: 1, recordValues: data.count, valueChars: data.chars };
}

function dataOf(set: RecordSet): { count: number; chars: number } {
  const values = set.wrr ? set.wrr.flatMap((item) => item.values) : (set.values ?? []);
  return { count: values.length, chars: values.reduce((sum, value) => sum + value.length, 0) };
}

/**
 * Batches within `limits`, preserving order and every change exactly once. Consecutive changes about the
 * same name form a unit that is only split when it cannot fit in one request on its own.
 * Throws `ChangeTooLargeError` when a single change exceeds the limits.
 */
export function batchChanges(
  changes: RecordChange[],
  limits: BatchLimits,
  updateCost: number,
): RecordChange[][] {
  assertLimits(limits);
  const batches: RecordChange[][] = [];
  let batch: RecordChange[] = [];
  let used: ChangeCost = zero();

  const flush = (): void => {
    if (batch.length > 0) batches.push(batch);
    batch = [];
    used = zero();
  };
  const place = (items: RecordChange[], cost: ChangeCost): void => {
    if (!fits(add(used, cost), limits)) flush();
    batch.push(...items);
    used = add(used, cost);
  };

  for (const unit of unitsByName(changes)) {
    const costs = unit.map((change) => changeCost(change, updateCost));
    costs.forEach((cost, index) => {
      if (!fits(cost, limits)) throw tooLarge(unit[index] as RecordChange, cost, limits);
    });
    const total = costs.reduce(add, zero());
    if (fits(total, limits)) place(unit, total);
    else unit.forEach((change, index) => place([change], costs[index] as ChangeCost));
  }
  flush();
  return batches;
}

/** The limits in force: the provider's documented ones, lowered (never raised) by the config. */
export function effectiveLimits(documented: BatchLimits, configured: Partial<BatchLimits>): BatchLimits {
  const lower = (key: keyof BatchLimits): number => Math.min(documented[key], configured[key] ?? Infinity);
  return {
    maxChanges: lower('maxChanges'),
    maxRecordValues: lower('maxRecordValues'),
    maxValueChars: lower('maxValueChars'),
  };
}

function unitsByName(changes: RecordChange[]): RecordChange[][] {
  const units: RecordChange[][] = [];
  let last: string | undefined;
  for (const change of changes) {
    const subject = subjectName(changedSet(change).name);
    if (subject === last) (units[units.length - 1] as RecordChange[]).push(change);
    else units.push([change]);
    last = subject;
  }
  return units;
}

function zero(): ChangeCost {
  return { changes: 0, recordValues: 0, valueChars: 0 };
}

function add(a: ChangeCost, b: ChangeCost): ChangeCost {
  return {
    changes: a.changes + b.changes,
    recordValues: a.recordValues + b.recordValues,
    valueChars: a.valueChars + b.valueChars,
  };
}

function fits(cost: ChangeCost, limits: BatchLimits): boolean {
  return (
    cost.changes <= limits.maxChanges &&
    cost.recordValues <= limits.maxRecordValues &&
    cost.valueChars <= limits.maxValueChars
  );
}

function assertLimits(limits: BatchLimits): void {
  for (const [key, value] of Object.entries(limits)) {
    if (!(typeof value === 'number' && value >= 1)) {
      throw new RangeError(`batch limit ${key} must be a number >= 1, got ${String(value)}`);
    }
  }
}

function tooLarge(change: RecordChange, cost: ChangeCost, limits: BatchLimits): ChangeTooLargeError {
  const set = changedSet(change);
  return new ChangeTooLargeError(
    `the ${change.action} of ${set.name} ${set.type}${set.setIdentifier ? ` (${set.setIdentifier})` : ''} alone ` +
      `exceeds the per-request limits: ${cost.changes} change(s) of ${limits.maxChanges}, ${cost.recordValues} ` +
      `value(s) of ${limits.maxRecordValues}, ${cost.valueChars} character(s) of ${limits.maxValueChars}`,
    change,
  );
}

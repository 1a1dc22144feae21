/**
 * What the `local` provider checks of a change batch before it touches the zone: everything that does not
 * depend on what the zone holds (names inside the zone, record data, weights, limits, one change per record
 * set). Every problem is reported at once, like Route 53's InvalidChangeBatch. The checks that need the
 * zone's state (exists / matches / CNAME beside other types) run inside the apply script, atomically.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DNS_NAME_PATTERN } from '../../config/names';
import { changeCost } from '../batching';
import type { BatchLimits, ManagedRecordType, RecordChange, RecordSet } from '../record-set';
import { canonicalName } from '../record-set-equality';
import { parseTxtValue, TxtSyntaxError } from './txt-presentation';

export const MANAGED_TYPES: readonly ManagedRecordType[] = ['A', 'AAAA', 'CNAME', 'TXT'];

/** Route 53's weight range (0..255): the local provider answers weighted sets like Route 53. */
export const MAX_WEIGHT = 255;

/** RFC 2181 8: a TTL is an unsigned 31-bit number. */
const MAX_TTL = 2 ** 31 - 1;

const DNS_NAME_RE = new RegExp(DNS_NAME_PATTERN);

/** `[name='www.lab.test.', type='A', set-identifier='east']`: how Route 53 names a record set in errors. */
export function recordSetLabel(set: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  const id = set.setIdentifier !== undefined ? `, set-identifier='${set.setIdentifier}'` : '';
  return `[name='${canonicalName(set.name)}.', type='${set.type}'${id}]`;
}

/** Whether `name` is the apex of `zone` or below it (both lower case, no trailing dot). */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Every state-independent problem of a batch, as messages naming the record set; empty when valid. */
export function batchProblems(
  zone: string,
  changes: readonly RecordChange[],
  limits: BatchLimits,
  updateCost: number,
): string[] {
  if (changes.length === 0) return ['a change batch needs at least one change'];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const change of changes) {
    const set = change.action === 'delete' ? change.before : change.after;
    const label = recordSetLabel(set);
    const identity = `${canonicalName(set.name)}\t${set.type}\t${set.setIdentifier ?? ''}`;
    if (seen.has(identity)) problems.push(`${label}: more than one change for this record set in one batch`);
    seen.add(identity);
    if (change.action === 'update') {
      const before = `${canonicalName(change.before.name)}\t${change.before.type}\t${change.before.setIdentifier ?? ''}`;
      if (before !== identity) {
        problems.push(`${label}: an update must keep the record set's name, type and set identifier`);
      }
    }
    problems.push(...setProblems(zone, set).map((problem) => `${label}: ${problem}`));
  }
  problems.push(...limitProblems(changes, limits, updateCost));
  return problems;
}

function setProblems(zone: string, set: RecordSet): string[] {
  const problems: string[] = [];
  const name = canonicalName(set.name);
  if (!DNS_NAME_RE.test(name) || name.includes('\t')) problems.push('the name is not a valid DNS name');
  else if (!isInZone(name, zone)) problems.push(`the name is not in zone ${zone}`);
  if (!MANAGED_TYPES.includes(set.type)) {
    problems.push(`type ${String(set.type)} is not supported (${MANAGED_TYPES.join(', ')})`);
  }
  if (set.type === 'CNAME' && name === zone) {
    problems.push('a CNAME cannot be at the zone apex (the apex holds the SOA and NS records)');
  }
  if (!Number.isInteger(set.ttl) || set.ttl < 0 || set.ttl > MAX_TTL) {
    problems.push(`TTL ${set.ttl} must be an integer from 0 to ${MAX_TTL}`);
  }
  if (set.alias !== undefined) problems.push('alias targets are Route 53 only; the local provider has none');
  if (set.wrr !== undefined) {
    problems.push('wrr items are Cloud DNS only; the local provider weights one record set per pool');
  }
  if (set.setIdentifier !== undefined) {
    if (set.setIdentifier === '' || set.setIdentifier.length > 128 || /[\t\n]/.test(set.setIdentifier)) {
      problems.push('the set identifier must be 1 to 128 characters without tabs or newlines');
    }
  }
  if ((set.setIdentifier === undefined) !== (set.weight === undefined)) {
    problems.push('a weighted record set needs both a set identifier and a weight');
  }
  if (
    set.weight !== undefined &&
    !(Number.isInteger(set.weight) && set.weight >= 0 && set.weight <= MAX_WEIGHT)
  ) {
    problems.push(`weight ${set.weight} must be an integer from 0 to ${MAX_WEIGHT}`);
  }
  if (set.alias === undefined && set.wrr === undefined) {
    if (set.values === undefined || set.values.length === 0) problems.push('a record set needs values');
    else problems.push(...valueProblems(set.type, set.values));
  }
  return problems;
}

function valueProblems(type: ManagedRecordType, values: readonly string[]): string[] {
  const problems: string[] = [];
  if (type === 'CNAME' && values.length > 1) problems.push('a CNAME record set holds exactly one value');
  for (const value of values) {
    if (type === 'A' && !isIPv4(value)) problems.push(`${JSON.stringify(value)} is not an IPv4 address`);
    if (type === 'AAAA' && !isIPv6(value)) problems.push(`${JSON.stringify(value)} is not an IPv6 address`);
    if (type === 'CNAME' && !DNS_NAME_RE.test(value)) {
      problems.push(`${JSON.stringify(value)} is not a DNS name`);
    }
    if (type === 'TXT') {
      try {
        parseTxtValue(value);
      } catch (error) {
        if (!(error instanceof TxtSyntaxError)) throw error;
        problems.push(`TXT value ${JSON.stringify(value)}: ${error.message}`);
      }
    }
  }
  return problems;
}

function limitProblems(changes: readonly RecordChange[], limits: BatchLimits, updateCost: number): string[] {
  let total = { changes: 0, recordValues: 0, valueChars: 0 };
  for (const change of changes) {
    const cost = changeCost(change, updateCost);
    total = {
      changes: total.changes + cost.changes,
      recordValues: total.recordValues + cost.recordValues,
      valueChars: total.valueChars + cost.valueChars,
    };
  }
  const problems: string[] = [];
  if (total.changes > limits.maxChanges) {
    problems.push(`the batch counts ${total.changes} changes; the limit is ${limits.maxChanges}`);
  }
  if (total.recordValues > limits.maxRecordValues) {
    problems.push(
      `the batch counts ${total.recordValues} record values; the limit is ${limits.maxRecordValues}`,
    );
  }
  if (total.valueChars > limits.maxValueChars) {
    problems.push(
      `the batch counts ${total.valueChars} value characters; the limit is ${limits.maxValueChars}`,
    );
  }
  return problems;
}

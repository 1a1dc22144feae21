/**
 * How one record set is stored in a `local` zone hash: field `<name>\t<type>\t<setIdentifier>` (the record
 * set's identity, so a hash field is a record set, like a Route 53 rrset) -> the canonical JSON of the set.
 * The JSON is canonical (record-set-equality.ts: sorted values, fixed key order), so "the stored set is exactly
 * `before`" is a string comparison the apply script can make.
 */
import { CodedError } from '../../errors/coded-error';
import { MANAGED_TYPES } from './local-change-validation';
import type { ManagedRecordType, RecordSet } from '../record-set';
import { canonicalRecordSet } from '../record-set-equality';

/** Separates name, type and set identifier in a zone hash field: none of them may contain a tab. */
export const ZONE_FIELD_SEPARATOR = '\t';

/** The zone hash field of a record set. */
export function zoneField(set: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return [set.name.toLowerCase().replace(/\.$/, ''), set.type, set.setIdentifier ?? ''].join(
    ZONE_FIELD_SEPARATOR,
  );
}

/** The stored value of a record set: its canonical JSON. */
export function storedJson(set: RecordSet): string {
  return JSON.stringify(canonicalRecordSet(set));
}

/** A zone hash entry is not a record set quorumdns wrote. Names the key and field so an operator can fix it. */
export class CorruptZoneRecordError extends CodedError {
  readonly code = 'ECORRUPTZONE';

  constructor(
    readonly key: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`corrupt record in Redis key ${key}, field ${JSON.stringify(field)}: ${problem}`);
  }
}

/** Parses and checks one stored entry; throws `CorruptZoneRecordError` naming what is wrong. */
export function parseStoredRecordSet(key: string, field: string, json: string): RecordSet {
  const fail = (problem: string): never => {
    throw new CorruptZoneRecordError(key, field, problem);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return fail(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a JSON object');
  const value = raw as Record<string, unknown>;
  if (typeof value.name !== 'string' || value.name === '') fail('"name" must be a non-empty string');
  if (!MANAGED_TYPES.includes(value.type as ManagedRecordType)) {
    fail(`"type" must be one of ${MANAGED_TYPES.join(', ')}, got ${JSON.stringify(value.type)}`);
  }
  if (typeof value.ttl !== 'number' || !Number.isInteger(value.ttl) || value.ttl < 0) {
    fail('"ttl" must be a non-negative integer');
  }
  if (
    !Array.isArray(value.values) ||
    value.values.length === 0 ||
    !value.values.every((v) => typeof v === 'string')
  ) {
    fail('"values" must be a non-empty array of strings (the local provider stores plain and weighted sets)');
  }
  if (value.setIdentifier !== undefined && typeof value.setIdentifier !== 'string') {
    fail('"setIdentifier" must be a string');
  }
  if (
    value.weight !== undefined &&
    (typeof value.weight !== 'number' || !Number.isInteger(value.weight) || value.weight < 0)
  ) {
    fail('"weight" must be a non-negative integer');
  }
  if ((value.setIdentifier === undefined) !== (value.weight === undefined)) {
    fail('"setIdentifier" and "weight" go together');
  }
  const set: RecordSet = {
    name: value.name as string,
    type: value.type as ManagedRecordType,
    ttl: value.ttl as number,
    values: value.values as string[],
    ...(value.setIdentifier !== undefined ? { setIdentifier: value.setIdentifier as string } : {}),
    ...(value.weight !== undefined ? { weight: value.weight as number } : {}),
  };
  if (zoneField(set) !== field) fail(`the record set inside is ${JSON.stringify(zoneField(set))}`);
  return canonicalRecordSet(set);
}

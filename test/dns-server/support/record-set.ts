import type { RecordSet } from '../../../src/providers/record-set';

/** A record set of the served zones in these tests: TTL 30 unless `extra` says otherwise. */
export function recordSet(
  name: string,
  type: RecordSet['type'],
  values: string[],
  extra: Partial<RecordSet> = {},
): RecordSet {
  return { name, type, ttl: 30, values, ...extra };
}

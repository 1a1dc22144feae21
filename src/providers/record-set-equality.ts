/**
 * When two record sets are "the same" to a provider: the comparison the plan, verification and the memory
 * adapter share, so a set the plan calls unchanged is exactly one a re-read shows as in sync.
 */
import type { AliasValue, RecordSet, WeightedItem } from './record-set';

/**
 * The canonical form of a record set: values sorted and de-duplicated (DNS has no order within an rrset and no
 * duplicate records), names lower case without the trailing dot, optional fields omitted when absent.
 * `wrr` items keep their order: they are one item per pool in config order, and Cloud DNS returns them as sent.
 */
export function canonicalRecordSet(set: RecordSet): RecordSet {
  const canonical: RecordSet = {
    name: canonicalName(set.name),
    type: set.type,
    ttl: set.alias ? 0 : set.ttl,
  };
  if (set.values !== undefined) canonical.values = canonicalValues(set.values);
  if (set.alias !== undefined) canonical.alias = canonicalAlias(set.alias);
  if (set.setIdentifier !== undefined) canonical.setIdentifier = set.setIdentifier;
  if (set.weight !== undefined) canonical.weight = set.weight;
  if (set.wrr !== undefined) canonical.wrr = set.wrr.map(canonicalItem);
  return canonical;
}

export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function canonicalValues(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function canonicalAlias(alias: AliasValue): AliasValue {
  return {
    hostedZoneId: alias.hostedZoneId,
    dnsName: canonicalName(alias.dnsName),
    evaluateTargetHealth: alias.evaluateTargetHealth,
  };
}

function canonicalItem(item: WeightedItem): WeightedItem {
  return { weight: item.weight, values: canonicalValues(item.values) };
}

/** True when a provider holding `a` holds exactly `b` (alias sets have no TTL on the wire: it is ignored). */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));
}

function comparable(set: RecordSet): unknown[] {
  const c = canonicalRecordSet(set);
  return [
    c.name,
    c.type,
    c.setIdentifier ?? null,
    c.ttl,
    c.weight ?? null,
    c.values ?? null,
    c.alias ? [c.alias.hostedZoneId, c.alias.dnsName, c.alias.evaluateTargetHealth] : null,
    c.wrr ? c.wrr.map((item) => [item.weight, item.values]) : null,
  ];
}

/** One line a person reads in a plan or an error: `api.example.com A 30 [192.0.2.1, 192.0.2.2]`. */
export function describeRecordSet(set: RecordSet): string {
  const id = set.setIdentifier !== undefined ? ` (${set.setIdentifier}, weight ${set.weight ?? '?'})` : '';
  return `${set.name} ${set.type}${id} ${set.alias ? 'alias' : set.ttl} ${describeData(set)}`;
}

export function describeData(set: RecordSet): string {
  if (set.alias) return `alias ${set.alias.dnsName} (${set.alias.hostedZoneId})`;
  if (set.wrr) return set.wrr.map((item) => `${item.weight}: [${item.values.join(', ')}]`).join('; ');
  return `[${(set.values ?? []).join(', ')}]`;
}

/**
 * The record set as the server stores it, and the identity, ordering and equality rules Route 53 applies to it.
 * Names are kept lower-case without the trailing dot (the form tests write); the wire adds the dot back.
 */

export interface R53AliasTarget {
  /** Zone id without the `/hostedzone/` prefix (the SDK strips it before sending). */
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

export interface R53RecordSet {
  name: string;
  type: string;
  ttl?: number;
  values?: string[];
  setIdentifier?: string;
  weight?: number;
  alias?: R53AliasTarget;
}

/** Record types Route 53 accepts in a ResourceRecordSet (the RRType enum of API version 2013-04-01). */
export const RECORD_TYPES = [
  'SOA',
  'A',
  'TXT',
  'NS',
  'CNAME',
  'MX',
  'NAPTR',
  'PTR',
  'SRV',
  'SPF',
  'AAAA',
  'CAA',
  'DS',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
] as const;

/** Lower-case, no trailing dot: Route 53 names are case-insensitive and the dot is optional on input. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** The fully qualified form with the trailing dot, as Route 53 answers and quotes names in its messages. */
export function fqdn(name: string): string {
  return `${normalizeName(name)}.`;
}

/**
 * The identity of a record set inside a zone: name, type and (for weighted sets) the set identifier.
 * Exported so tests and the bench read `stats().appliedChanges` without spelling the key themselves.
 */
export function recordSetKey(name: string, type: string, setIdentifier?: string): string {
  const base = `${normalizeName(name)} ${type.toUpperCase()}`;
  return setIdentifier === undefined ? base : `${base} ${setIdentifier}`;
}

export function keyOf(set: R53RecordSet): string {
  return recordSetKey(set.name, set.type, set.setIdentifier);
}

/** `[name='api.example.com.', type='A', set-identifier='blue']`: how Route 53 quotes a set in its messages. */
export function describeRecordSet(set: R53RecordSet): string {
  const identifier = set.setIdentifier === undefined ? '' : `, set-identifier='${set.setIdentifier}'`;
  return `[name='${fqdn(set.name)}', type='${set.type}'${identifier}]`;
}

/** `www.example.com` -> `com.example.www.`: ListResourceRecordSets orders by this string, in ASCII order. */
export function reversedName(name: string): string {
  const labels = normalizeName(name)
    .split('.')
    .filter((label) => label !== '');
  return `${labels.reverse().join('.')}.`;
}

function compareAscii(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export interface ListPosition {
  name: string;
  type?: string;
  setIdentifier?: string;
}

/** Orders by reversed name, then type, then set identifier (an absent identifier sorts first). */
export function comparePositions(a: ListPosition, b: ListPosition): number {
  return (
    compareAscii(reversedName(a.name), reversedName(b.name)) ||
    compareAscii(a.type ?? '', b.type ?? '') ||
    compareAscii(a.setIdentifier ?? '', b.setIdentifier ?? '')
  );
}

/** Sorts in listing order, computing each reversed name once (bench zones hold thousands of sets). */
export function sortForListing(sets: readonly R53RecordSet[]): R53RecordSet[] {
  return sets
    .map((set) => ({ set, reversed: reversedName(set.name) }))
    .sort(
      (a, b) =>
        compareAscii(a.reversed, b.reversed) ||
        compareAscii(a.set.type, b.set.type) ||
        compareAscii(a.set.setIdentifier ?? '', b.set.setIdentifier ?? ''),
    )
    .map(({ set }) => set);
}

/** True when `name` is the zone apex or below it. */
export function isWithinZone(name: string, zoneName: string): boolean {
  const bare = normalizeName(name);
  const zone = normalizeName(zoneName);
  return bare === zone || bare.endsWith(`.${zone}`);
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...(b ?? [])].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function sameAlias(a: R53AliasTarget | undefined, b: R53AliasTarget | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.hostedZoneId === b.hostedZoneId &&
    normalizeName(a.dnsName) === normalizeName(b.dnsName) &&
    a.evaluateTargetHealth === b.evaluateTargetHealth
  );
}

/**
 * DELETE must name a set exactly as it is stored: TTL, every value (in any order), weight and alias target.
 * Route 53 answers anything else with "the values provided do not match the current values".
 */
export function sameRecordSetContent(a: R53RecordSet, b: R53RecordSet): boolean {
  return (
    a.ttl === b.ttl && a.weight === b.weight && sameValues(a.values, b.values) && sameAlias(a.alias, b.alias)
  );
}

/** A deep copy in the stored form (normalised names, values copied), so callers never alias server state. */
export function cloneRecordSet(set: R53RecordSet): R53RecordSet {
  const copy: R53RecordSet = { name: normalizeName(set.name), type: set.type.toUpperCase() };
  if (set.ttl !== undefined) copy.ttl = set.ttl;
  if (set.values !== undefined) copy.values = [...set.values];
  if (set.setIdentifier !== undefined) copy.setIdentifier = set.setIdentifier;
  if (set.weight !== undefined) copy.weight = set.weight;
  if (set.alias !== undefined) {
    copy.alias = {
      hostedZoneId: set.alias.hostedZoneId.replace(/^\/hostedzone\//, ''),
      dnsName: normalizeName(set.alias.dnsName),
      evaluateTargetHealth: set.alias.evaluateTargetHealth,
    };
  }
  return copy;
}

/**
 * Provider-neutral record sets <-> Route 53's wire shapes (`ResourceRecordSet`, `Change`), and the wire forms of
 * names and ids. Pure: no client, no I/O, so every rule here is tested without a server.
 *
 * Route 53's conventions this module absorbs (API reference, "DNS domain name format"):
 * - names are answered fully qualified (trailing dot), lower case, with every character other than a-z, 0-9,
 *   `-` and `_` written as a three-digit octal escape: a wildcard `*.example.com` comes back as
 *   `\052.example.com.`. On input Route 53 takes `*` as it is, so we send the wildcard raw and escape the rest;
 * - alias targets carry no TTL and no values, their DNSName is fully qualified, their HostedZoneId may carry a
 *   `/hostedzone/` prefix;
 * - TXT values are quoted character-strings on the wire, exactly the presentation form record-set.ts keeps;
 * - routing policies other than weighted (failover, latency, geolocation, multivalue, CIDR, geoproximity),
 *   health checks and traffic policies cannot be expressed as a `RecordSet`: such sets are refused by name,
 *   because rewriting them through our model would silently drop the policy.
 */
import type { Change, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { HOSTED_ZONE_ID_PATTERN } from '../../config/names';
import type { AliasValue, ManagedRecordType, RecordChange, RecordSet } from '../record-set';
import { canonicalValues } from '../record-set-equality';
import { WireCodecError } from '../wire-codec-error';

export type Route53CodecErrorCode =
  /** A set at a managed name uses a Route 53 feature a `RecordSet` cannot carry. */
  | 'UNSUPPORTED_RECORD_SET'
  /** A `RecordSet` Route 53 cannot hold (Cloud DNS `wrr` items, no data, half a weighted set). */
  | 'UNREPRESENTABLE'
  /** Not a hosted zone id (`Z123...` or `/hostedzone/Z123...`). */
  | 'INVALID_ZONE_ID';

export class Route53CodecError extends WireCodecError<Route53CodecErrorCode> {}

const MANAGED_TYPES: ReadonlySet<string> = new Set<ManagedRecordType>(['A', 'AAAA', 'CNAME', 'TXT']);

/** Characters Route 53 keeps as they are in names; everything else is an octal escape (`*` excepted on input). */
const PLAIN_NAME_CHAR = /[a-z0-9_.-]/;

/** Canonical name (lower case, no trailing dot) -> the fully qualified wire form Route 53 accepts. */
export function encodeName(name: string): string {
  let wire = '';
  for (const char of name.toLowerCase().replace(/\.$/, '')) {
    if (PLAIN_NAME_CHAR.test(char) || char === '*') wire += char;
    else {
      // Octal escapes name bytes: a non-ASCII character is its UTF-8 bytes, each escaped.
      for (const byte of Buffer.from(char, 'utf8')) wire += `\\${byte.toString(8).padStart(3, '0')}`;
    }
  }
  return `${wire}.`;
}

/** A wire name (escaped, maybe with a trailing dot, any case) -> the canonical form. */
export function decodeName(wire: string): string {
  const bytes: number[] = [];
  const text = wire.replace(/\.$/, '');
  for (let i = 0; i < text.length; i += 1) {
    const escape = /^\\([0-7]{3})/.exec(text.slice(i, i + 4));
    if (escape?.[1] !== undefined) {
      bytes.push(parseInt(escape[1], 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(text[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8').toLowerCase();
}

const HOSTED_ZONE_ID = new RegExp(HOSTED_ZONE_ID_PATTERN);

/** `Z123` or `/hostedzone/Z123` -> `Z123`; anything else is an INVALID_ZONE_ID error naming what was given. */
export function normalizeHostedZoneId(zone: string): string {
  const id = zone.trim().replace(/^\/?hostedzone\//, '');
  if (!HOSTED_ZONE_ID.test(id)) {
    throw new Route53CodecError(
      'INVALID_ZONE_ID',
      `${JSON.stringify(zone)} is not a Route 53 hosted zone id (expected Z0123456789ABC or /hostedzone/Z0123456789ABC)`,
    );
  }
  return id;
}

/** `/change/C123` or `C123` -> `C123`: the form quorumdns stores and shows. */
export function normalizeChangeId(changeId: string): string {
  return changeId.trim().replace(/^\/?change\//, '');
}

function encodeValue(type: ManagedRecordType, value: string): string {
  // A CNAME target is a name: written fully qualified, as Route 53 answers it.
  return type === 'CNAME' ? `${value.replace(/\.$/, '')}.` : value;
}

function decodeValue(type: ManagedRecordType, value: string): string {
  if (type === 'CNAME') return value.toLowerCase().replace(/\.$/, '');
  // IPv6 hex digits are case-insensitive; the plan compares strings.
  if (type === 'AAAA') return value.toLowerCase();
  return value;
}

/** One record set -> the `ResourceRecordSet` Route 53 stores for it. */
export function encodeRecordSet(set: RecordSet): ResourceRecordSet {
  const label = `${set.name} ${set.type}${set.setIdentifier !== undefined ? ` (${set.setIdentifier})` : ''}`;
  if (set.wrr !== undefined) {
    throw new Route53CodecError(
      'UNREPRESENTABLE',
      `${label}: weighted round robin items (wrr) are Cloud DNS's; Route 53 weights are one set per pool`,
    );
  }
  if ((set.setIdentifier === undefined) !== (set.weight === undefined)) {
    throw new Route53CodecError(
      'UNREPRESENTABLE',
      `${label}: a weighted set needs both a set identifier and a weight`,
    );
  }
  const wire: ResourceRecordSet = { Name: encodeName(set.name), Type: set.type as RRType };
  if (set.setIdentifier !== undefined) wire.SetIdentifier = set.setIdentifier;
  if (set.weight !== undefined) wire.Weight = set.weight;
  if (set.alias !== undefined) {
    wire.AliasTarget = {
      HostedZoneId: set.alias.hostedZoneId.replace(/^\/?hostedzone\//, ''),
      DNSName: encodeName(set.alias.dnsName),
      EvaluateTargetHealth: set.alias.evaluateTargetHealth,
    };
    return wire;
  }
  if (set.values === undefined || set.values.length === 0) {
    throw new Route53CodecError('UNREPRESENTABLE', `${label}: a record set needs values or an alias target`);
  }
  wire.TTL = set.ttl;
  wire.ResourceRecords = set.values.map((value) => ({ Value: encodeValue(set.type, value) }));
  return wire;
}

/** Routing features a `RecordSet` has no field for, by the wire field that reveals them. */
const UNSUPPORTED_FIELDS = [
  ['Failover', 'failover routing'],
  ['Region', 'latency routing'],
  ['GeoLocation', 'geolocation routing'],
  ['GeoProximityLocation', 'geoproximity routing'],
  ['CidrRoutingConfig', 'IP-based (CIDR) routing'],
  ['MultiValueAnswer', 'multivalue answer routing'],
  ['HealthCheckId', 'a health check'],
  ['TrafficPolicyInstanceId', 'a traffic policy'],
] as const satisfies ReadonlyArray<readonly [keyof ResourceRecordSet, string]>;

/**
 * A wire set -> a canonical `RecordSet`, or `undefined` for a type quorumdns never manages (MX, NS, SOA, HTTPS,
 * ...): the plan leaves other types alone, so they need no representation. Throws UNSUPPORTED_RECORD_SET for
 * a managed type using a routing feature we cannot carry, naming the set and the feature.
 */
export function decodeRecordSet(wire: ResourceRecordSet): RecordSet | undefined {
  const type = wire.Type ?? '';
  if (!MANAGED_TYPES.has(type)) return undefined;
  const name = decodeName(wire.Name ?? '');
  const label = `${name} ${type}${wire.SetIdentifier !== undefined ? ` (set identifier ${wire.SetIdentifier})` : ''}`;
  for (const [field, feature] of UNSUPPORTED_FIELDS) {
    if (wire[field] !== undefined) {
      throw new Route53CodecError(
        'UNSUPPORTED_RECORD_SET',
        `record set ${label} uses ${feature}, which quorumdns cannot manage without losing it; remove that set or steer another name`,
      );
    }
  }
  if (wire.SetIdentifier !== undefined && wire.Weight === undefined) {
    throw new Route53CodecError(
      'UNSUPPORTED_RECORD_SET',
      `record set ${label} has a set identifier but no weight (a routing policy quorumdns does not know)`,
    );
  }
  const set: RecordSet = { name, type: type as ManagedRecordType, ttl: wire.TTL ?? 0 };
  if (wire.SetIdentifier !== undefined) set.setIdentifier = wire.SetIdentifier;
  if (wire.Weight !== undefined) set.weight = wire.Weight;
  if (wire.AliasTarget !== undefined) {
    const alias: AliasValue = {
      hostedZoneId: (wire.AliasTarget.HostedZoneId ?? '').replace(/^\/?hostedzone\//, ''),
      dnsName: decodeName(wire.AliasTarget.DNSName ?? ''),
      evaluateTargetHealth: wire.AliasTarget.EvaluateTargetHealth ?? false,
    };
    set.ttl = 0;
    set.alias = alias;
    return set;
  }
  const values = (wire.ResourceRecords ?? []).map((record) => record.Value ?? '');
  if (values.length === 0) {
    throw new Route53CodecError(
      'UNSUPPORTED_RECORD_SET',
      `record set ${label} has neither values nor an alias target`,
    );
  }
  set.values = canonicalValues(values.map((value) => decodeValue(set.type, value)));
  return set;
}

/**
 * One planned change -> one Route 53 change: create -> CREATE (refused if the set appeared meanwhile: a
 * conflict the shared layer re-plans), update -> UPSERT of the new set (UPSERT needs no old values), delete ->
 * DELETE, which Route 53 accepts only with the set's exact current contents: `exactCurrent`, the set as it was
 * read from the wire, is sent when given so values written by other tools in another spelling still match.
 */
export function encodeChange(change: RecordChange, exactCurrent?: ResourceRecordSet): Change {
  switch (change.action) {
    case 'create':
      return { Action: 'CREATE', ResourceRecordSet: encodeRecordSet(change.after) };
    case 'update':
      return { Action: 'UPSERT', ResourceRecordSet: encodeRecordSet(change.after) };
    case 'delete':
      return { Action: 'DELETE', ResourceRecordSet: exactCurrent ?? encodeRecordSet(change.before) };
  }
}

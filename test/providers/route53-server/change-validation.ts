/**
 * Validates a change batch against a zone the way Route 53 does and computes the zone's next contents, without
 * touching the zone: the caller swaps the result in only when there is no message, which is what makes a batch
 * all-or-nothing.
 *
 * Two passes, because Route 53 checks two kinds of things:
 * - per change, in order, against the zone as the earlier changes of the batch left it: CREATE of an existing
 *   set, DELETE of a missing or different set, the same set touched twice (DELETE then CREATE is the one
 *   allowed pair: it is how sets were modified before UPSERT existed), invalid values;
 * - against the final state, for rules about several sets at once (CNAME exclusivity, weighted and plain sets
 *   never sharing a name and type, one TTL per weighted group, alias targets that must exist), so a batch that
 *   moves a whole weighted group to a new TTL is accepted.
 * Every problem is reported, each with the real service's wording (where the wording could be checked against
 * published error output; the CNAME multiple-value message is ours).
 */
import net from 'node:net';
import type { ChangeAction, ParsedChange } from './change-batch-xml';
import {
  cloneRecordSet,
  describeRecordSet,
  fqdn,
  isWithinZone,
  keyOf,
  normalizeName,
  sameRecordSetContent,
  type R53RecordSet,
} from './record-set';

export interface ZoneView {
  id: string;
  /** Lower-case, no trailing dot. */
  name: string;
  sets: ReadonlyMap<string, R53RecordSet>;
}

export type ChangeBatchOutcome =
  { ok: true; sets: Map<string, R53RecordSet>; appliedKeys: string[] } | { ok: false; messages: string[] };

/** Finds another zone served by this server (alias targets may live there); undefined for foreign zones. */
export type ZoneLookup = (zoneId: string) => ZoneView | undefined;

function invalidRecord(problem: string, explanation: string, value: string): string {
  return `Invalid Resource Record: 'FATAL problem: ${problem} (${explanation}) encountered with '${value}''`;
}

/** TXT and SPF values are one or more quoted character-strings, e.g. `"v=spf1 -all"` or `"a" "b"`. */
const QUOTED_STRINGS = /^\s*"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*\s*$/;

function valueProblems(set: R53RecordSet): string[] {
  const values = set.values ?? [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) problems.push(`Duplicate Resource Record: '${value}'`);
    seen.add(value);
    if (set.type === 'A' && !net.isIPv4(value)) {
      problems.push(invalidRecord('ARRDATAIllegalIPv4Address', 'Value is not a valid IPv4 address', value));
    } else if (set.type === 'AAAA' && !net.isIPv6(value)) {
      problems.push(
        invalidRecord('AAAARRDATAIllegalIPv6Address', 'Value is not a valid IPv6 address', value),
      );
    } else if ((set.type === 'TXT' || set.type === 'SPF') && !QUOTED_STRINGS.test(value)) {
      problems.push(
        invalidRecord('InvalidCharacterString', 'Value should be enclosed in quotation marks', value),
      );
    }
  }
  if (set.type === 'CNAME' && values.length > 1) {
    problems.push(`RRSet of type CNAME with DNS name ${fqdn(set.name)} cannot have more than one value`);
  }
  return problems;
}

function isApexRecordTheZoneNeeds(set: R53RecordSet, zone: ZoneView): boolean {
  return (
    set.name === zone.name && (set.type === 'SOA' || set.type === 'NS') && set.setIdentifier === undefined
  );
}

/** One change against the working copy; returns its messages (empty when it applied). */
function applySequentially(
  change: ParsedChange,
  set: R53RecordSet,
  working: Map<string, R53RecordSet>,
  zone: ZoneView,
): string[] {
  const key = keyOf(set);
  const existing = working.get(key);
  const described = describeRecordSet(set);
  switch (change.action) {
    case 'CREATE':
      if (existing !== undefined)
        return [`Tried to create resource record set ${described} but it already exists`];
      working.set(key, set);
      return [];
    case 'UPSERT':
      working.set(key, set);
      return [];
    case 'DELETE':
      if (existing === undefined)
        return [`Tried to delete resource record set ${described} but it was not found`];
      if (!sameRecordSetContent(existing, set)) {
        return [
          `Tried to delete resource record set ${described} but the values provided do not match the current values`,
        ];
      }
      if (isApexRecordTheZoneNeeds(set, zone)) {
        return [`A HostedZone must contain at least one ${set.type} record for the zone itself.`];
      }
      working.delete(key);
      return [];
  }
}

/** The final state grouped by name: the multi-set rules look at one name at a time. */
function indexByName(sets: ReadonlyMap<string, R53RecordSet>): Map<string, R53RecordSet[]> {
  const byName = new Map<string, R53RecordSet[]>();
  for (const set of sets.values()) {
    const group = byName.get(set.name);
    if (group === undefined) byName.set(set.name, [set]);
    else group.push(set);
  }
  return byName;
}

/** Rules about several sets at once, checked for each set the batch wrote, on the batch's final state. */
function finalStateProblems(
  written: R53RecordSet,
  finalByName: ReadonlyMap<string, R53RecordSet[]>,
  writtenKeys: ReadonlySet<string>,
  zone: ZoneView,
  lookupZone: ZoneLookup,
): string[] {
  const problems: string[] = [];
  const name = fqdn(written.name);
  const zoneName = fqdn(zone.name);
  const sameName = finalByName.get(written.name) ?? [];

  if (written.type === 'CNAME' && written.name === zone.name) {
    problems.push(`RRSet of type CNAME with DNS name ${name} is not permitted at apex in zone ${zoneName}`);
  } else if (written.type === 'CNAME' && sameName.some((other) => other.type !== 'CNAME')) {
    problems.push(
      `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`,
    );
  } else if (written.type !== 'CNAME' && sameName.some((other) => other.type === 'CNAME')) {
    problems.push(
      `RRSet of type ${written.type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`,
    );
  }

  const group = sameName.filter((other) => other.type === written.type);
  if (written.setIdentifier !== undefined) {
    if (group.some((other) => other.setIdentifier === undefined)) {
      problems.push(
        `RRSet with DNS name ${name}, type ${written.type}, SetIdentifier ${written.setIdentifier} cannot be created as a non-weighted set exists with the same name and type.`,
      );
    }
    // The TTL the group already has wins; when the batch rewrote the whole group, its first set sets the tone.
    const weightedWithTtl = group.filter(
      (other) => other.setIdentifier !== undefined && other.ttl !== undefined,
    );
    const untouched = weightedWithTtl.filter((other) => !writtenKeys.has(keyOf(other)));
    const reference = (untouched[0] ?? weightedWithTtl[0])?.ttl;
    if (written.ttl !== undefined && reference !== undefined && written.ttl !== reference) {
      problems.push(
        `RRSet with DNS name ${name} and type ${written.type}, SetIdentifier ${written.setIdentifier} cannot be created as weighted sets must contain the same TTL.`,
      );
    }
  } else if (group.some((other) => other.setIdentifier !== undefined)) {
    problems.push(
      `RRSet with DNS name ${name}, type ${written.type} cannot be created as other RRSets exist with the same name and type.`,
    );
  }

  if (written.alias !== undefined) {
    const targetZone = written.alias.hostedZoneId === zone.id ? zone : lookupZone(written.alias.hostedZoneId);
    // Targets in zones this server does not hold (load balancers, CloudFront) cannot be checked: accepted.
    if (targetZone !== undefined) {
      const target = normalizeName(written.alias.dnsName);
      const prefix = `Tried to create an alias that targets ${fqdn(target)}, type ${written.type} in zone ${targetZone.id}`;
      const targetSets =
        targetZone.id === zone.id ? (finalByName.get(target) ?? []) : [...targetZone.sets.values()];
      if (!isWithinZone(target, targetZone.name)) {
        problems.push(`${prefix}, but the alias target name does not lie within the target zone`);
      } else if (!targetSets.some((other) => other.name === target && other.type === written.type)) {
        problems.push(`${prefix}, but that target was not found`);
      }
    }
  }
  return problems;
}

/** Validates `changes` against `zone`; on success returns the zone's next record sets, never mutating `zone`. */
export function validateChangeBatch(
  zone: ZoneView,
  changes: readonly ParsedChange[],
  lookupZone: ZoneLookup,
): ChangeBatchOutcome {
  const working = new Map(zone.sets);
  const actionsByKey = new Map<string, ChangeAction[]>();
  const messages: string[] = [];
  const written: R53RecordSet[] = [];
  const appliedKeys: string[] = [];

  for (const change of changes) {
    const set = cloneRecordSet(change.recordSet);
    if (!isWithinZone(set.name, zone.name)) {
      messages.push(`RRSet with DNS name ${fqdn(set.name)} is not permitted in zone ${fqdn(zone.name)}`);
      continue;
    }
    const key = keyOf(set);
    const earlier = actionsByKey.get(key) ?? [];
    const deleteThenCreate = earlier.length === 1 && earlier[0] === 'DELETE' && change.action === 'CREATE';
    if (earlier.length > 0 && !deleteThenCreate) {
      messages.push(
        `The request contains an invalid set of changes for a resource record set '${set.type} ${fqdn(set.name)}'`,
      );
      continue;
    }
    actionsByKey.set(key, [...earlier, change.action]);
    if (change.action !== 'DELETE') {
      const problems = valueProblems(set);
      if (problems.length > 0) {
        messages.push(...problems);
        continue;
      }
    }
    const problems = applySequentially(change, set, working, zone);
    messages.push(...problems);
    if (problems.length === 0) {
      appliedKeys.push(key);
      if (change.action !== 'DELETE') written.push(set);
    }
  }

  const writtenKeys = new Set(written.map(keyOf));
  const finalByName = indexByName(working);
  for (const set of written) {
    messages.push(...finalStateProblems(set, finalByName, writtenKeys, zone, lookupZone));
  }

  if (messages.length > 0) return { ok: false, messages: [...new Set(messages)] };
  return { ok: true, sets: working, appliedKeys };
}

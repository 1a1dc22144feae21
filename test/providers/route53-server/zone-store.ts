/**
 * The server's state: hosted zones with their record sets, and the changes accepted so far (for GetChange).
 * A zone's record sets are replaced wholesale by a validated batch, so a rejected batch leaves no trace.
 */
import { randomBytes } from 'node:crypto';
import { invalidChangeBatch, noSuchChange, noSuchHostedZone, Route53TestServerError } from './api-error';
import type { ParsedChangeBatch } from './change-batch-xml';
import { validateChangeBatch, type ZoneView } from './change-validation';
import {
  cloneRecordSet,
  comparePositions,
  isWithinZone,
  keyOf,
  normalizeName,
  RECORD_TYPES,
  sortForListing,
  type ListPosition,
  type R53RecordSet,
} from './record-set';
import { limitViolations, type ChangeBatchLimits } from './request-limits';

export interface HostedZone extends ZoneView {
  callerReference: string;
  nameServers: string[];
  sets: Map<string, R53RecordSet>;
}

export interface StoredChange {
  /** Without the `/change/` prefix. */
  id: string;
  zoneId: string;
  submittedAt: Date;
  comment?: string;
}

export interface RecordSetPage {
  sets: R53RecordSet[];
  /** Where the next page starts; undefined when this page is the last. */
  next?: ListPosition;
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Route 53 ids are an upper-case letter prefix plus upper-case alphanumerics (Z0123..., C0123...). */
function randomId(prefix: string, length = 20): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

const ZONE_NAME =
  /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** A record set handed to seed(): checked for shape only, so tests can arrange any state they need. */
function seededRecordSet(zone: HostedZone, input: R53RecordSet): R53RecordSet {
  const set = cloneRecordSet(input);
  const label = `seeded record set ${JSON.stringify(input)}`;
  const fail = (problem: string): never => {
    throw new Route53TestServerError('INVALID_RECORD_SET', `${label}: ${problem}`);
  };
  if (!isWithinZone(set.name, zone.name)) fail(`name is not in zone ${zone.name}`);
  if (!(RECORD_TYPES as readonly string[]).includes(set.type))
    fail(`type must be one of ${RECORD_TYPES.join(', ')}`);
  const plain = set.ttl !== undefined && set.values !== undefined && set.values.length > 0;
  if (set.alias !== undefined ? set.ttl !== undefined || set.values !== undefined : !plain) {
    fail('needs either alias, or ttl and at least one value');
  }
  if ((set.weight === undefined) !== (set.setIdentifier === undefined)) {
    fail('weight and setIdentifier go together (weighted sets need both)');
  }
  return set;
}

export class ZoneStore {
  private readonly zones = new Map<string, HostedZone>();
  private readonly changes = new Map<string, StoredChange>();

  createZone(name: string): HostedZone {
    const bare = normalizeName(name);
    if (!ZONE_NAME.test(bare)) {
      throw new Route53TestServerError(
        'INVALID_ZONE_NAME',
        `not a valid DNS name for a hosted zone: ${name}`,
      );
    }
    const id = randomId('Z');
    // Fake delegation like AWS's four name servers in four TLDs; nothing ever resolves or contacts them.
    const slot = this.zones.size % 64;
    const nameServers = [
      `ns-${slot * 4}.awsdns-${String(slot).padStart(2, '0')}.com.`,
      `ns-${512 + slot * 4}.awsdns-${String(slot).padStart(2, '0')}.net.`,
      `ns-${1024 + slot * 4}.awsdns-${String(slot).padStart(2, '0')}.org.`,
      `ns-${1536 + slot * 4}.awsdns-${String(slot).padStart(2, '0')}.co.uk.`,
    ];
    const zone: HostedZone = {
      id,
      name: bare,
      callerReference: randomId('ref-', 12),
      nameServers,
      sets: new Map(),
    };
    // Every new zone has its SOA and NS sets, with the TTLs Route 53 gives them.
    const soa: R53RecordSet = {
      name: bare,
      type: 'SOA',
      ttl: 900,
      values: [`${nameServers[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    };
    const ns: R53RecordSet = { name: bare, type: 'NS', ttl: 172800, values: [...nameServers] };
    zone.sets.set(keyOf(soa), soa);
    zone.sets.set(keyOf(ns), ns);
    this.zones.set(id, zone);
    return zone;
  }

  /** Throws NoSuchHostedZone (the wire error) for an unknown id. */
  zone(zoneId: string): HostedZone {
    const zone = this.zones.get(zoneId);
    if (zone === undefined) throw noSuchHostedZone(zoneId);
    return zone;
  }

  /** For the public API: unknown ids are a test bug, not a wire error. */
  zoneForTest(zoneId: string): HostedZone {
    const zone = this.zones.get(zoneId.replace(/^\/hostedzone\//, ''));
    if (zone === undefined) {
      throw new Route53TestServerError(
        'UNKNOWN_ZONE',
        `no hosted zone ${zoneId} (createHostedZone returns the id)`,
      );
    }
    return zone;
  }

  sortedSets(zone: HostedZone): R53RecordSet[] {
    return sortForListing([...zone.sets.values()]);
  }

  seed(zoneId: string, sets: readonly R53RecordSet[]): void {
    const zone = this.zoneForTest(zoneId);
    const prepared = sets.map((set) => seededRecordSet(zone, set));
    for (const set of prepared) zone.sets.set(keyOf(set), set);
  }

  /** One page of ListResourceRecordSets, starting at the first set at or after `start`. */
  list(zone: HostedZone, start: ListPosition | undefined, pageSize: number): RecordSetPage {
    const sorted = this.sortedSets(zone);
    const first = start === undefined ? 0 : sorted.findIndex((set) => comparePositions(set, start) >= 0);
    const from = first === -1 ? sorted.length : first;
    const sets = sorted.slice(from, from + pageSize);
    const following = sorted[from + pageSize];
    if (following === undefined) return { sets };
    const next: ListPosition = { name: following.name, type: following.type };
    if (following.setIdentifier !== undefined) next.setIdentifier = following.setIdentifier;
    return { sets, next };
  }

  /**
   * Validates the whole batch (limits first, then every change) and applies it only if nothing is wrong.
   * Throws InvalidChangeBatch with every message otherwise. Returns the change and the keys it applied.
   */
  applyBatch(
    zone: HostedZone,
    batch: ParsedChangeBatch,
    limits: ChangeBatchLimits,
    submittedAt: Date,
  ): { change: StoredChange; appliedKeys: string[] } {
    const overLimit = limitViolations(batch, limits);
    if (overLimit.length > 0) throw invalidChangeBatch(overLimit);
    const outcome = validateChangeBatch(zone, batch.changes, (id) => this.zones.get(id));
    if (!outcome.ok) throw invalidChangeBatch(outcome.messages);
    zone.sets = outcome.sets;
    const change: StoredChange = { id: randomId('C'), zoneId: zone.id, submittedAt };
    if (batch.comment !== undefined) change.comment = batch.comment;
    this.changes.set(change.id, change);
    return { change, appliedKeys: outcome.appliedKeys };
  }

  change(changeId: string): StoredChange {
    const change = this.changes.get(changeId);
    if (change === undefined) throw noSuchChange(changeId);
    return change;
  }
}

/**
 * The server's state: managed zones per project, each with its record sets and its log of changes. A zone
 * is born the way Cloud DNS creates one — with an SOA and an NS record set at the apex and change "0" that
 * added them — and afterwards moves only by whole changes (`applyChange`) or by a test's `seed`.
 */
import { CloudDnsApiError, CloudDnsTestServerUsageError, zoneNotFound } from './cloud-dns-api-error';
import { applyChangeToRrsets } from './change-validation';
import { cloneRrset, compareRrsets, rrsetKey } from './rrset';
import { isFqdn, parseRrset } from './rrset-validation';
import type { GoogleErrorDetail } from './cloud-dns-api-error';
import type { CloudDnsRrset } from './types';

/** One accepted change. Its status is derived from its age (see wire-format.ts), never stored. */
export interface StoredChange {
  /** Sequential per zone, as in Cloud DNS: "0" created the zone's SOA and NS. */
  id: string;
  startedAtMs: number;
  additions: CloudDnsRrset[];
  deletions: CloudDnsRrset[];
}

export interface ManagedZone {
  project: string;
  name: string;
  /** Numeric string; the API accepts it wherever it accepts the zone's name. */
  id: string;
  dnsName: string;
  creationTime: string;
  nameServers: string[];
  rrsets: Map<string, CloudDnsRrset>;
  changes: StoredChange[];
}

/** Zone names: lower-case letters, digits and dashes, starting with a letter (the API's rule). */
const ZONE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Defaults Cloud DNS gives a new public zone. */
const APEX_TTL = 21600;

export class ZoneStore {
  private readonly zones = new Map<string, ManagedZone>();
  private nextZoneId = 4_000_000_000_000_000_001n;

  private static key(project: string, zone: string): string {
    return `${project}\u0000${zone}`;
  }

  createZone(project: string, name: string, dnsName: string, nowMs: number): ManagedZone {
    if (project === '')
      throw new CloudDnsTestServerUsageError('createManagedZone: the project may not be empty');
    if (!ZONE_NAME.test(name)) {
      throw new CloudDnsTestServerUsageError(
        `createManagedZone: zone name '${name}' must be lower-case letters, digits and dashes, starting with a letter`,
      );
    }
    if (!isFqdn(dnsName) || dnsName === '.') {
      throw new CloudDnsTestServerUsageError(
        `createManagedZone: dnsName '${dnsName}' must be a fully qualified name with its trailing dot, like the API`,
      );
    }
    if (this.zones.has(ZoneStore.key(project, name))) {
      throw new CloudDnsTestServerUsageError(
        `createManagedZone: zone '${name}' already exists in project '${project}'`,
      );
    }
    const apex = dnsName.toLowerCase();
    const letter = 'abcde'[this.zones.size % 5] ?? 'a';
    const nameServers = [1, 2, 3, 4].map((n) => `ns-cloud-${letter}${n}.googledomains.com.`);
    const soa: CloudDnsRrset = {
      name: apex,
      type: 'SOA',
      ttl: APEX_TTL,
      rrdatas: [`${nameServers[0]} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300`],
    };
    const ns: CloudDnsRrset = { name: apex, type: 'NS', ttl: APEX_TTL, rrdatas: nameServers };
    const zone: ManagedZone = {
      project,
      name,
      id: String(this.nextZoneId++),
      dnsName: apex,
      creationTime: new Date(nowMs).toISOString(),
      nameServers,
      rrsets: new Map([
        [rrsetKey(apex, 'NS'), ns],
        [rrsetKey(apex, 'SOA'), soa],
      ]),
      changes: [{ id: '0', startedAtMs: nowMs, additions: [cloneRrset(ns), cloneRrset(soa)], deletions: [] }],
    };
    this.zones.set(ZoneStore.key(project, name), zone);
    return zone;
  }

  /** By name or by numeric id, as the API's `managedZone` path parameter allows. */
  findZone(project: string, nameOrId: string): ManagedZone | undefined {
    const byName = this.zones.get(ZoneStore.key(project, nameOrId));
    if (byName !== undefined) return byName;
    return this.listZones(project).find((zone) => zone.id === nameOrId);
  }

  /** For request handlers: the zone, or the 404 the API answers for an unknown zone. */
  requireZone(project: string, nameOrId: string): ManagedZone {
    const zone = this.findZone(project, nameOrId);
    if (zone === undefined) throw zoneNotFound(nameOrId);
    return zone;
  }

  /** For the test-facing API: the zone, or an error telling the test what it got wrong. */
  zoneForTest(project: string, name: string, operation: string): ManagedZone {
    const zone = this.zones.get(ZoneStore.key(project, name));
    if (zone === undefined) {
      throw new CloudDnsTestServerUsageError(
        `${operation}: no zone '${name}' in project '${project}' (call createManagedZone first)`,
      );
    }
    return zone;
  }

  listZones(project: string): ManagedZone[] {
    return [...this.zones.values()]
      .filter((zone) => zone.project === project)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Sorted by name, then type (the order lists and page tokens rely on). */
  sortedRrsets(zone: ManagedZone): CloudDnsRrset[] {
    return [...zone.rrsets.values()].sort(compareRrsets);
  }

  /** Applies one change atomically, or throws the API's error and leaves the zone as it was. */
  applyChange(
    zone: ManagedZone,
    additions: CloudDnsRrset[],
    deletions: CloudDnsRrset[],
    nowMs: number,
  ): StoredChange {
    zone.rrsets = applyChangeToRrsets(zone.dnsName, zone.rrsets, additions, deletions);
    const change: StoredChange = {
      id: String(zone.changes.length),
      startedAtMs: nowMs,
      additions: additions.map(cloneRrset),
      deletions: deletions.map(cloneRrset),
    };
    zone.changes.push(change);
    return change;
  }

  /**
   * Puts record sets in place without recording a change (state a test starts from). They are validated
   * like additions, and replace any record set with the same name and type.
   */
  seed(zone: ManagedZone, raw: readonly CloudDnsRrset[]): void {
    if (raw.length === 0) return;
    const found: GoogleErrorDetail[] = [];
    const parsed = raw.map((rrset, index) => parseRrset(rrset, `seed[${index}]`, found));
    const additions = parsed.filter((rrset): rrset is CloudDnsRrset => rrset !== undefined);
    if (found.length > 0 || additions.length !== raw.length) {
      throw new CloudDnsTestServerUsageError(`seed: ${found.map((problem) => problem.message).join('; ')}`);
    }
    const deletions = additions
      .map((rrset) => zone.rrsets.get(rrsetKey(rrset.name, rrset.type)))
      .filter((rrset): rrset is CloudDnsRrset => rrset !== undefined);
    try {
      zone.rrsets = applyChangeToRrsets(zone.dnsName, zone.rrsets, additions, deletions);
    } catch (error) {
      if (!(error instanceof CloudDnsApiError)) throw error;
      const messages = error.details.map((detail) => detail.message).join('; ');
      throw new CloudDnsTestServerUsageError(`seed: ${messages}`);
    }
  }
}

/**
 * One zone as the DNS server answers from it: the record sets of a zone snapshot indexed by owner name and
 * type, plus every name that exists in the DNS sense (owners and their ancestors up to the apex: an empty
 * non-terminal such as `www` above `_quorumdns.www` answers NODATA, never NXDOMAIN, RFC 8020).
 * Immutable: a reload builds a new one and swaps it in, so a query never sees half a zone.
 */
import type { ZoneSnapshot } from '../providers/local/local-zone-store';
import type { ManagedRecordType, RecordSet } from '../providers/record-set';

/** The synthesised name server of every zone: `ns1.<zone>`. */
export const NAME_SERVER_LABEL = 'ns1';

export interface ServedZone {
  /** Apex, lower case, no trailing dot. */
  readonly apex: string;
  /** SOA serial. */
  readonly serial: number;
  /** owner name -> type -> record sets (several when weighted: one per set identifier). */
  readonly nodes: ReadonlyMap<string, ReadonlyMap<ManagedRecordType, readonly RecordSet[]>>;
  /** Owner names and their ancestors within the zone, apex included. */
  readonly existing: ReadonlySet<string>;
  /** `ns1.<zone>` */
  readonly nameServer: string;
}

export function buildServedZone(snapshot: Pick<ZoneSnapshot, 'zone' | 'serial' | 'sets'>): ServedZone {
  const apex = snapshot.zone;
  const nodes = new Map<string, Map<ManagedRecordType, RecordSet[]>>();
  const existing = new Set<string>([apex]);
  for (const set of snapshot.sets) {
    if (set.name !== apex && !set.name.endsWith(`.${apex}`)) continue;
    let node = nodes.get(set.name);
    if (node === undefined) {
      node = new Map();
      nodes.set(set.name, node);
    }
    node.set(set.type, [...(node.get(set.type) ?? []), set]);
    for (let name = set.name; name !== apex && !existing.has(name); name = parentOf(name)) existing.add(name);
  }
  return { apex, serial: snapshot.serial, nodes, existing, nameServer: `${NAME_SERVER_LABEL}.${apex}` };
}

/** `a.b.c` -> `b.c`. */
export function parentOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Whether `name` is the apex of the zone or below it. */
export function inZone(zone: ServedZone, name: string): boolean {
  return name === zone.apex || name.endsWith(`.${zone.apex}`);
}

/** The zone of `name` among several: the longest apex that contains it (a delegated child zone wins). */
export function findZone(zones: Iterable<ServedZone>, name: string): ServedZone | undefined {
  let best: ServedZone | undefined;
  for (const zone of zones) {
    if (inZone(zone, name) && (best === undefined || zone.apex.length > best.apex.length)) best = zone;
  }
  return best;
}

/**
 * What the server needs to know about a record set besides its shape: its identity in a zone, when a
 * deletion "matches exactly", how much it weighs against the per-change limits, and copies that a caller
 * cannot use to reach into the store.
 */
import type { CloudDnsRrset } from './types';

/**
 * A zone holds at most one record set per (name, type); names compare case-insensitively, as in DNS.
 * The key doubles as the sort key of lists (name, then type): NUL sorts below every character a name may
 * hold, so comparing keys as plain strings orders by name first, and page tokens that resume "after this
 * key" agree with the sort.
 */
export function rrsetKey(name: string, type: string): string {
  return `${name.toLowerCase()}\u0000${type}`;
}

/** Every value the record set serves (for a weighted set, the values of all its items). */
export function allRrdatas(rrset: CloudDnsRrset): string[] {
  if (rrset.routingPolicy !== undefined) return rrset.routingPolicy.wrr.items.flatMap((item) => item.rrdatas);
  return rrset.rrdatas ?? [];
}

/** Bytes counted against "resource record data size per change". */
export function rrdataBytes(rrset: CloudDnsRrset): number {
  return allRrdatas(rrset).reduce((sum, value) => sum + Buffer.byteLength(value, 'utf8'), 0);
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  // A record set is a set: the API does not promise to keep the order values were sent in.
  if (a.length !== b.length) return false;
  const left = [...a].sort();
  const right = [...b].sort();
  return left.every((value, index) => value === right[index]);
}

function wrrItemKey(item: { weight: number; rrdatas: string[] }): string {
  return JSON.stringify([item.weight, [...item.rrdatas].sort()]);
}

/**
 * Whether a deletion matches the current record set exactly: same ttl, same values, same routing policy.
 * Value order and the output-only `kind` fields do not count; anything else that differs is a 412.
 */
export function rrsetsMatch(current: CloudDnsRrset, deletion: CloudDnsRrset): boolean {
  if (current.ttl !== deletion.ttl) return false;
  const currentWrr = current.routingPolicy?.wrr.items;
  const deletionWrr = deletion.routingPolicy?.wrr.items;
  if (currentWrr === undefined || deletionWrr === undefined) {
    return currentWrr === deletionWrr && sameValues(current.rrdatas ?? [], deletion.rrdatas ?? []);
  }
  return sameValues(currentWrr.map(wrrItemKey), deletionWrr.map(wrrItemKey));
}

/** A deep copy in the test-facing shape (no `kind` fields). */
export function cloneRrset(rrset: CloudDnsRrset): CloudDnsRrset {
  const copy: CloudDnsRrset = { name: rrset.name, type: rrset.type, ttl: rrset.ttl };
  if (rrset.rrdatas !== undefined) copy.rrdatas = [...rrset.rrdatas];
  if (rrset.routingPolicy !== undefined) {
    copy.routingPolicy = {
      wrr: {
        items: rrset.routingPolicy.wrr.items.map((item) => ({
          weight: item.weight,
          rrdatas: [...item.rrdatas],
        })),
      },
    };
  }
  return copy;
}

export function compareRrsets(a: CloudDnsRrset, b: CloudDnsRrset): number {
  const left = rrsetKey(a.name, a.type);
  const right = rrsetKey(b.name, b.type);
  return left < right ? -1 : left > right ? 1 : 0;
}

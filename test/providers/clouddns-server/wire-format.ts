/**
 * How resources look on the wire. Cloud DNS decorates every object with an output-only `kind`
 * (`dns#resourceRecordSet`, `dns#change`, ...); the server sends them too, so an adapter that echoes a read
 * record set back as a deletion, or compares what it read with what it wants, meets them as it would in
 * production. (The test-facing `rrsets()` returns the plain shape.)
 */
import type { ManagedZone, StoredChange } from './zone-store';
import type { CloudDnsRrset } from './types';

export type ChangeStatus = 'pending' | 'done';

/** A change is `pending` until `syncDelayMs` after it started, then `done` (Cloud DNS: servers updated). */
export function changeStatus(change: StoredChange, nowMs: number, syncDelayMs: number): ChangeStatus {
  return nowMs - change.startedAtMs >= syncDelayMs ? 'done' : 'pending';
}

export function toWireRrset(rrset: CloudDnsRrset): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    kind: 'dns#resourceRecordSet',
    name: rrset.name,
    type: rrset.type,
    ttl: rrset.ttl,
  };
  if (rrset.rrdatas !== undefined) wire.rrdatas = [...rrset.rrdatas];
  if (rrset.routingPolicy !== undefined) {
    wire.routingPolicy = {
      kind: 'dns#rRSetRoutingPolicy',
      wrr: {
        kind: 'dns#rRSetRoutingPolicyWrrPolicy',
        items: rrset.routingPolicy.wrr.items.map((item) => ({
          kind: 'dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem',
          weight: item.weight,
          rrdatas: [...item.rrdatas],
        })),
      },
    };
  }
  return wire;
}

export function toWireChange(change: StoredChange, status: ChangeStatus): Record<string, unknown> {
  return {
    kind: 'dns#change',
    additions: change.additions.map(toWireRrset),
    deletions: change.deletions.map(toWireRrset),
    startTime: new Date(change.startedAtMs).toISOString(),
    id: change.id,
    status,
    isServing: true,
  };
}

export function toWireZone(zone: ManagedZone): Record<string, unknown> {
  return {
    kind: 'dns#managedZone',
    name: zone.name,
    dnsName: zone.dnsName,
    description: '',
    id: zone.id,
    nameServers: [...zone.nameServers],
    creationTime: zone.creationTime,
    visibility: 'public',
  };
}

/**
 * Provider-neutral record sets <-> Cloud DNS's `ResourceRecordSet`, planned changes -> one `Change` body, and
 * the change ids quorumdns stores. Pure: no client, no I/O, so every rule here is tested without a server.
 *
 * Cloud DNS's conventions this module absorbs (API reference, `ResourceRecordSet`, `RRSetRoutingPolicy`):
 * - names are fully qualified with the trailing dot on the wire; record-set.ts keeps them without it;
 * - CNAME targets are names too: sent with the trailing dot, read back without it, lower case;
 * - TXT values are presentation-form character-strings, quoted (`"v=spf1 -all"`), as record-set.ts keeps them;
 *   a value written unquoted by another tool (`hello world`) reads as the strings it means (`"hello" "world"`);
 * - an rrset carries either `rrdatas` or a `routingPolicy`, never both. `routingPolicy.wrr.items[]` of
 *   `{weight, rrdatas}` is quorumdns's weighted style (`wrr` items, in the order sent: Cloud DNS keeps it);
 * - other routing policies (`geo`, `primaryBackup`, health-checked items pointing at load balancers) cannot be
 *   expressed as a `RecordSet`: such sets are refused by name, because rewriting them through our model would
 *   silently drop the policy.
 */
import type { ManagedRecordType, RecordChange, RecordSet, WeightedItem } from '../record-set';
import { canonicalName, canonicalValues } from '../record-set-equality';
import { WireCodecError } from '../wire-codec-error';
import type { WireChangeRequest, WireRrset, WireWrrItem } from './clouddns-wire';

export type CloudDnsCodecErrorCode =
  /** A set at a managed name uses a Cloud DNS feature a `RecordSet` cannot carry. */
  | 'UNSUPPORTED_RECORD_SET'
  /** A `RecordSet` Cloud DNS cannot hold (Route 53 alias or set identifiers, no data). */
  | 'UNREPRESENTABLE'
  /** Not a change id this adapter handed out (`<managed zone>/<change id>`). */
  | 'INVALID_CHANGE_ID';

export class CloudDnsCodecError extends WireCodecError<CloudDnsCodecErrorCode> {}

const MANAGED_TYPES: ReadonlySet<string> = new Set<ManagedRecordType>(['A', 'AAAA', 'CNAME', 'TXT']);

/** Canonical name (lower case, no trailing dot) -> the fully qualified form the API takes. */
export function encodeName(name: string): string {
  return `${canonicalName(name)}.`;
}

/** A wire name (maybe upper case, with the trailing dot) -> the canonical form. */
export function decodeName(wire: string): string {
  return canonicalName(wire);
}

function encodeValue(type: ManagedRecordType, value: string): string {
  return type === 'CNAME' ? encodeName(value) : value;
}

/** Every value as the plan compares it: lower-case names and IPv6 hex, TXT as quoted strings. */
export function decodeValue(type: ManagedRecordType, value: string): string {
  if (type === 'CNAME') return decodeName(value);
  if (type === 'AAAA') return value.toLowerCase();
  if (type === 'TXT') return quoteBareTxt(value);
  return value;
}

/**
 * A TXT value without any quote is a list of bare words (RFC 1035 5.1 presentation form): each word is one
 * character-string. Writing them quoted makes it compare equal to what quorumdns itself writes.
 */
function quoteBareTxt(value: string): string {
  if (value.includes('"')) return value;
  const words = value.split(/[ \t]+/).filter((word) => word !== '');
  return words.length === 0 ? '""' : words.map((word) => `"${word}"`).join(' ');
}

function label(set: Pick<RecordSet, 'name' | 'type'>): string {
  return `${set.name} ${set.type}`;
}

/**
 * One rrset as read -> a record set, or `undefined` for types quorumdns never manages (SOA, NS, MX, ... at a
 * managed name are left alone). Throws UNSUPPORTED_RECORD_SET for routing policies other than plain wrr items.
 */
export function decodeRrset(wire: WireRrset): RecordSet | undefined {
  const type = wire.type.toUpperCase();
  if (!MANAGED_TYPES.has(type)) return undefined;
  const set: RecordSet = { name: decodeName(wire.name), type: type as ManagedRecordType, ttl: wire.ttl ?? 0 };
  const managed = set.type;
  const policy = wire.routingPolicy;
  if (policy === undefined) {
    set.values = canonicalValues((wire.rrdatas ?? []).map((value) => decodeValue(managed, value)));
    if (set.values.length === 0) {
      throw new CloudDnsCodecError(
        'UNSUPPORTED_RECORD_SET',
        `${label(set)} has neither rrdatas nor a routing policy`,
      );
    }
    return set;
  }
  const others = Object.keys(policy).filter((key) => key !== 'wrr' && key !== 'kind');
  if (policy.wrr === undefined || others.length > 0) {
    const kinds = [...(policy.wrr !== undefined ? ['wrr'] : []), ...others].join(', ');
    throw new CloudDnsCodecError(
      'UNSUPPORTED_RECORD_SET',
      `${label(set)} uses a routing policy quorumdns does not manage (${kinds || 'empty'}); only weighted round ` +
        `robin (wrr) items with rrdatas can be steered, and rewriting this set would drop its policy`,
    );
  }
  set.wrr = policy.wrr.items.map((item, index) => decodeItem(item, index, set));
  return set;
}

function decodeItem(item: WireWrrItem, index: number, set: RecordSet): WeightedItem {
  const extra = Object.keys(item).filter((key) => !['weight', 'rrdatas', 'kind'].includes(key));
  if (item.rrdatas === undefined || item.rrdatas.length === 0 || extra.length > 0) {
    throw new CloudDnsCodecError(
      'UNSUPPORTED_RECORD_SET',
      `${label(set)}: wrr item ${index} has ${extra.length > 0 ? extra.join(', ') : 'no rrdatas'} ` +
        `(health-checked targets cannot be steered by quorumdns)`,
    );
  }
  return { weight: item.weight, values: canonicalValues(item.rrdatas.map((v) => decodeValue(set.type, v))) };
}

/** One record set -> the rrset Cloud DNS stores for it (only the fields the API takes as input). */
export function encodeRrset(set: RecordSet): WireRrset {
  const where = label(set);
  if (set.alias !== undefined) {
    throw new CloudDnsCodecError(
      'UNREPRESENTABLE',
      `${where}: Route 53 alias targets do not exist in Cloud DNS`,
    );
  }
  if (set.setIdentifier !== undefined || set.weight !== undefined) {
    throw new CloudDnsCodecError(
      'UNREPRESENTABLE',
      `${where}: weighted sets with a set identifier are Route 53's; Cloud DNS weights are wrr items of one set`,
    );
  }
  const wire: WireRrset = { name: encodeName(set.name), type: set.type, ttl: set.ttl };
  if (set.wrr !== undefined) {
    if (set.values !== undefined || set.wrr.length === 0) {
      throw new CloudDnsCodecError(
        'UNREPRESENTABLE',
        `${where}: a weighted set holds wrr items only, at least one (an rrset has rrdatas or a routing policy)`,
      );
    }
    wire.routingPolicy = {
      wrr: {
        items: set.wrr.map((item) => ({
          weight: item.weight,
          rrdatas: item.values.map((value) => encodeValue(set.type, value)),
        })),
      },
    };
    return wire;
  }
  if (set.values === undefined || set.values.length === 0) {
    throw new CloudDnsCodecError('UNREPRESENTABLE', `${where}: a record set needs at least one value`);
  }
  wire.rrdatas = set.values.map((value) => encodeValue(set.type, value));
  return wire;
}

/**
 * An rrset as read, reduced to what a deletion sends: name, type, ttl and the data exactly as Cloud DNS spelt
 * them (so values written by other tools still match), without output-only fields (`kind`,
 * `signatureRrdatas`).
 */
export function deletionOf(read: WireRrset): WireRrset {
  const wire: WireRrset = { name: read.name, type: read.type };
  if (read.ttl !== undefined) wire.ttl = read.ttl;
  if (read.rrdatas !== undefined) wire.rrdatas = [...read.rrdatas];
  if (read.routingPolicy?.wrr !== undefined) {
    wire.routingPolicy = {
      wrr: {
        items: read.routingPolicy.wrr.items.map((item) => ({
          weight: item.weight,
          ...(item.rrdatas !== undefined ? { rrdatas: [...item.rrdatas] } : {}),
        })),
      },
    };
  }
  return wire;
}

/**
 * A batch of planned changes -> one atomic `Change`: create -> addition; delete -> exact deletion; update ->
 * exact deletion of `before` plus addition of `after` (Cloud DNS has no upsert: a stale `before` is refused
 * with 412 conditionNotMet, which the shared layer answers by re-reading). `exactCurrent` returns the rrset as
 * it was read when it still describes `before`, so the deletion repeats Cloud DNS's own spelling.
 */
export function encodeChange(
  changes: readonly RecordChange[],
  exactCurrent: (before: RecordSet) => WireRrset | undefined = () => undefined,
): WireChangeRequest {
  const additions: WireRrset[] = [];
  const deletions: WireRrset[] = [];
  const deletionFor = (before: RecordSet): WireRrset => {
    const read = exactCurrent(before);
    return read !== undefined ? deletionOf(read) : encodeRrset(before);
  };
  for (const change of changes) {
    switch (change.action) {
      case 'create':
        additions.push(encodeRrset(change.after));
        break;
      case 'update':
        deletions.push(deletionFor(change.before));
        additions.push(encodeRrset(change.after));
        break;
      case 'delete':
        deletions.push(deletionFor(change.before));
        break;
    }
  }
  return { additions, deletions };
}

/**
 * Cloud DNS numbers changes per managed zone ("0" created the zone), so an id alone is ambiguous: quorumdns
 * stores `<managed zone>/<change id>`, which `changeStatus` can poll without remembering anything.
 */
export function encodeChangeId(zone: string, id: string): string {
  return `${zone}/${id}`;
}

export function decodeChangeId(changeId: string): { zone: string; id: string } {
  const slash = changeId.indexOf('/');
  const zone = changeId.slice(0, slash);
  const id = changeId.slice(slash + 1);
  if (slash <= 0 || id === '' || id.includes('/')) {
    throw new CloudDnsCodecError(
      'INVALID_CHANGE_ID',
      `${JSON.stringify(changeId)} is not a Cloud DNS change id of quorumdns (expected <managed zone>/<change id>)`,
    );
  }
  return { zone, id };
}

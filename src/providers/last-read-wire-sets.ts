/**
 * The wire form of each record set an adapter last read, per zone and set identity. A deletion must name the
 * set exactly as the provider holds it (Route 53 DELETE, Cloud DNS deletions), and sets written by other
 * tools may spell values differently from our canonical form (upper case, a CNAME target without its trailing
 * dot, unquoted TXT): such a set is deleted as it was read, not as we would encode it.
 */
import { type RecordChange, type RecordSet, recordSetKey } from './record-set';
import { canonicalRecordSet, sameRecordSet } from './record-set-equality';

export class LastReadWireSets<Wire> {
  /** zone -> canonical name -> set identity -> the set as read. */
  private readonly zones = new Map<string, Map<string, Map<string, Wire>>>();

  /** `decode`: the adapter's codec (undefined for a set it does not manage, e.g. SOA). */
  constructor(private readonly decode: (raw: Wire) => RecordSet | undefined) {}

  /**
   * What a fresh read of `names` (canonical) found replaces what was remembered at those names, so a set
   * deleted since is forgotten. Returns the decoded sets in the order read, skipping sets we do not manage.
   */
  replaceAt(zone: string, names: readonly string[], raws: readonly Wire[]): RecordSet[] {
    let byName = this.zones.get(zone);
    if (byName === undefined) {
      byName = new Map();
      this.zones.set(zone, byName);
    }
    for (const name of names) byName.delete(name);
    const sets: RecordSet[] = [];
    for (const raw of raws) {
      const set = this.decode(raw);
      if (set === undefined) continue;
      let atName = byName.get(set.name);
      if (atName === undefined) {
        atName = new Map();
        byName.set(set.name, atName);
      }
      atName.set(recordSetKey(set), raw);
      sets.push(set);
    }
    return sets;
  }

  /** The set as read, when `before` names exactly what was read (else undefined: encode it from `before`). */
  exact(zone: string, before: RecordSet): Wire | undefined {
    const wanted = canonicalRecordSet(before);
    const raw = this.zones.get(zone)?.get(wanted.name)?.get(recordSetKey(wanted));
    if (raw === undefined) return undefined;
    const read = this.decode(raw);
    return read !== undefined && sameRecordSet(read, before) ? raw : undefined;
  }

  /** The sets a submitted change touched: what was read of them no longer describes the provider's state. */
  forgetChanged(zone: string, changes: readonly RecordChange[]): void {
    const byName = this.zones.get(zone);
    if (byName === undefined) return;
    for (const change of changes) {
      const set = change.action === 'delete' ? change.before : change.after;
      byName.get(set.name)?.delete(recordSetKey(set));
    }
  }
}

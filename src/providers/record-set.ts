/**
 * Provider-neutral record sets and changes: what the shared layer (plan, batching, ownership, verification)
 * works on, and what each adapter translates to and from its provider's wire shapes.
 *
 * Names are fully qualified, lower case, WITHOUT the trailing dot (the config's form); adapters add and strip
 * dots at their edge. Values are kept in the provider's presentation form (an IPv4/IPv6 address, a CNAME
 * target without the trailing dot, TXT as the quoted character-string(s) `"..."`), sorted, so two record sets
 * compare equal exactly when the provider would consider them equal.
 */
import type { BatchLimits } from '../config/types';

export type ManagedRecordType = 'A' | 'AAAA' | 'CNAME' | 'TXT';

/** A Route 53 alias target (Route 53 only). */
export interface AliasValue {
  hostedZoneId: string;
  /** Without the trailing dot, lower case. */
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** One item of a Cloud DNS weighted round robin routing policy (`routingPolicy.wrr.items[]`). */
export interface WeightedItem {
  weight: number;
  values: string[];
}

/**
 * One record set as a provider holds it. Exactly one of `values`, `alias` or `wrr` carries the data:
 * - plain: `values` (A/AAAA/CNAME/TXT);
 * - Route 53 alias: `alias` (no ttl on the wire; `ttl` is 0 here);
 * - Route 53 weighted: `setIdentifier` + `weight` with `values` or `alias`;
 * - Cloud DNS weighted: `wrr` items.
 */
export interface RecordSet {
  name: string;
  type: ManagedRecordType;
  ttl: number;
  values?: string[];
  alias?: AliasValue;
  setIdentifier?: string;
  weight?: number;
  wrr?: WeightedItem[];
}

/** Identity of a record set within a zone: (name, type, setIdentifier). */
export function recordSetKey(set: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${set.name}\u0000${set.type}\u0000${set.setIdentifier ?? ''}`;
}

/** What the shared layer asks an adapter to do with one record set. */
export type RecordChange =
  /** The set does not exist yet. Route 53: CREATE; Cloud DNS: addition. */
  | { action: 'create'; after: RecordSet }
  /**
   * The set exists as `before` and must become `after` (same identity). Route 53: UPSERT of `after`;
   * Cloud DNS: exact deletion of `before` plus addition of `after` in the same change (412 if `before` is stale).
   */
  | { action: 'update'; before: RecordSet; after: RecordSet }
  /** Route 53: DELETE with the exact current values; Cloud DNS: exact deletion. */
  | { action: 'delete'; before: RecordSet };

/** What the shared layer can query: the managed names of one zone. */
export interface ReadRequest {
  zone: string;
  /** Names whose record sets (every type and set identifier) are wanted; owner TXT names included. */
  names: string[];
}

/** A provider's answer to `apply`: the id to poll for sync. */
export interface SubmittedChange {
  changeId: string;
  /** When the provider accepted the change (its clock when it says, else ours), epoch ms. */
  submittedAt: number;
}

export type ChangeStatus = 'pending' | 'in-sync';

export type { BatchLimits };

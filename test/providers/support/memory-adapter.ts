/**
 * An in-memory DnsProviderAdapter with Route-53-like transactional validation, for testing the shared layer
 * (plan, batching, retry, ownership, verification, sync) and the apply processor without a network.
 *
 * It is a small provider, not a mock: it holds zones, validates every batch as a whole (CREATE of an existing
 * set or DELETE of a missing / different one is a conflict, a CNAME shares its name with nothing, a name's
 * sets are all plain or all weighted, limits per request), applies all or nothing, keeps changes pending
 * for `syncDelayMs`, pages its reads, and fails on demand (throttling, outages, ambiguous failures where the
 * write lands but the caller sees an error). `weightedStyle` switches between Route 53 weighted sets and
 * Cloud DNS `wrr` items; `exactUpdates` makes an update check its `before` like a Cloud DNS deletion.
 */
import type { Clock } from '../../../src/providers/clock';
import { systemClock } from '../../../src/providers/clock';
import { changeCost } from '../../../src/providers/batching';
import type {
  DnsProviderAdapter,
  ProviderCapabilities,
  WeightedStyle,
} from '../../../src/providers/provider-adapter';
import { ProviderError, type ProviderErrorCode } from '../../../src/providers/provider-errors';
import {
  type BatchLimits,
  type ChangeStatus,
  type ReadRequest,
  type RecordChange,
  type RecordSet,
  recordSetKey,
  type SubmittedChange,
} from '../../../src/providers/record-set';
import {
  canonicalName,
  canonicalRecordSet,
  describeRecordSet,
  sameRecordSet,
} from '../../../src/providers/record-set-equality';

export interface MemoryAdapterOptions {
  /** Provider name in the config. @default 'memory' */
  name?: string;
  /** @default 'set-per-pool' */
  weightedStyle?: WeightedStyle;
  /** @default { maxChanges: 1000, maxRecordValues: 1000, maxValueChars: 32000 } */
  limits?: BatchLimits;
  /** @default 2 (Route 53 UPSERT) */
  updateCost?: number;
  /** Declared rate limit. @default 1000 */
  requestsPerSecond?: number;
  /** @default true for set-per-pool, false for items-in-set */
  alias?: boolean;
  /** Changes stay pending this long. @default 0 */
  syncDelayMs?: number;
  /** Record sets per read page (each page is one request). @default 100 */
  pageSize?: number;
  /** An update must match its `before` exactly (Cloud DNS deletion semantics). @default false (UPSERT) */
  exactUpdates?: boolean;
  /** @default systemClock */
  clock?: Clock;
}

export type MemoryOperation = 'read' | 'apply' | 'changeStatus';

export interface MemoryFault {
  /** Which requests fail. @default any */
  operation?: MemoryOperation;
  code: Extract<ProviderErrorCode, 'THROTTLED' | 'UNAVAILABLE' | 'FORBIDDEN' | 'CONFLICT'>;
  /** How many matching requests fail. @default 1 */
  count?: number;
  retryAfterMs?: number;
  /**
   * Apply only: the batch is applied, THEN the error is returned (a 5xx after the commit, a lost response):
   * the caller cannot know whether it landed.
   */
  afterCommit?: boolean;
}

export interface MemoryRequest {
  operation: MemoryOperation;
  at: number;
  outcome: 'ok' | ProviderErrorCode;
  changes?: RecordChange[];
}

interface StoredChange {
  id: string;
  submittedAt: number;
  inSyncAt: number;
}

export const MEMORY_DEFAULT_LIMITS: BatchLimits = {
  maxChanges: 1000,
  maxRecordValues: 1000,
  maxValueChars: 32000,
};

export class MemoryAdapter implements DnsProviderAdapter {
  readonly type = 'memory';
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  readonly requests: MemoryRequest[] = [];
  /** How many times each record set identity was written by an accepted batch. */
  readonly writesPerSet = new Map<string, number>();
  private readonly zones = new Map<string, Map<string, RecordSet>>();
  private readonly changes = new Map<string, StoredChange>();
  private faults: Array<Required<Pick<MemoryFault, 'count'>> & MemoryFault> = [];
  private readonly clock: Clock;
  private readonly syncDelayMs: number;
  private readonly pageSize: number;
  private readonly exactUpdates: boolean;
  private nextChange = 1;
  private closed = false;

  constructor(options: MemoryAdapterOptions = {}) {
    const weightedStyle = options.weightedStyle ?? 'set-per-pool';
    this.name = options.name ?? 'memory';
    this.capabilities = {
      modes: ['rewrite', 'weights'],
      weightedStyle,
      alias: options.alias ?? weightedStyle === 'set-per-pool',
      limits: options.limits ?? MEMORY_DEFAULT_LIMITS,
      updateCost: options.updateCost ?? 2,
      requestsPerSecond: options.requestsPerSecond ?? 1000,
      hasSyncStatus: true,
    };
    this.clock = options.clock ?? systemClock;
    this.syncDelayMs = options.syncDelayMs ?? 0;
    this.pageSize = options.pageSize ?? 100;
    this.exactUpdates = options.exactUpdates ?? false;
  }

  // --- test controls -------------------------------------------------------------------------------------

  createZone(zone: string): void {
    if (!this.zones.has(zone)) this.zones.set(zone, new Map());
  }

  /** Stores sets as they are (no validation: seeding may create states the API would refuse). */
  seed(zone: string, sets: RecordSet[]): void {
    const store = this.zone(zone);
    for (const set of sets) {
      const canonical = canonicalRecordSet(set);
      store.set(recordSetKey(canonical), canonical);
    }
  }

  snapshot(zone: string): RecordSet[] {
    return [...this.zone(zone).values()].map(clone).sort(byKey);
  }

  injectFault(fault: MemoryFault): void {
    this.faults.push({ ...fault, count: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  count(operation: MemoryOperation, outcome?: 'ok'): number {
    return this.requests.filter(
      (r) => r.operation === operation && (outcome === undefined || r.outcome === outcome),
    ).length;
  }

  // --- DnsProviderAdapter ------------------------------------------------------------------------------------

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    this.assertOpen();
    signal?.throwIfAborted();
    const names = new Set(request.names.map(canonicalName));
    const all = this.snapshot(request.zone);
    const found: RecordSet[] = [];
    // One request per page, like a provider's list API: a throttle can hit any page.
    for (let start = 0; start === 0 || start < all.length; start += this.pageSize) {
      this.take('read');
      found.push(...all.slice(start, start + this.pageSize).filter((set) => names.has(set.name)));
    }
    return found;
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    this.assertOpen();
    signal?.throwIfAborted();
    const fault = this.takeFault('apply');
    if (fault && !fault.afterCommit) {
      this.requests.push({ operation: 'apply', at: this.clock.now(), outcome: fault.code, changes });
      throw this.faultError(fault);
    }
    let submitted: SubmittedChange;
    try {
      submitted = this.commit(zone, changes);
    } catch (error) {
      const code = error instanceof ProviderError ? error.code : 'REJECTED';
      this.requests.push({ operation: 'apply', at: this.clock.now(), outcome: code, changes });
      throw error;
    }
    if (fault) {
      this.requests.push({ operation: 'apply', at: this.clock.now(), outcome: fault.code, changes });
      throw this.faultError(fault);
    }
    this.requests.push({ operation: 'apply', at: this.clock.now(), outcome: 'ok', changes });
    return submitted;
  }

  async changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    this.assertOpen();
    signal?.throwIfAborted();
    this.take('changeStatus');
    const change = this.changes.get(changeId);
    if (change === undefined) {
      throw new ProviderError('NOT_FOUND', `memory: no change ${changeId}`, {
        provider: this.name,
        remoteCode: 'NoSuchChange',
      });
    }
    return this.clock.now() >= change.inSyncAt ? 'in-sync' : 'pending';
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // --- internals -----------------------------------------------------------------------------------------------

  private zone(zone: string): Map<string, RecordSet> {
    const store = this.zones.get(zone);
    if (store === undefined) {
      throw new ProviderError('NOT_FOUND', `memory: no zone ${zone}`, {
        provider: this.name,
        remoteCode: 'NoSuchHostedZone',
      });
    }
    return store;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory adapter used after close()');
  }

  /** Records one request and throws its injected fault, if any. */
  private take(operation: MemoryOperation): void {
    const fault = this.takeFault(operation);
    this.requests.push({ operation, at: this.clock.now(), outcome: fault ? fault.code : 'ok' });
    if (fault) throw this.faultError(fault);
  }

  private takeFault(operation: MemoryOperation): MemoryFault | undefined {
    const fault = this.faults.find((f) => f.operation === undefined || f.operation === operation);
    if (fault === undefined) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  private faultError(fault: MemoryFault): ProviderError {
    const remote = {
      THROTTLED: 'Throttling',
      UNAVAILABLE: 'ServiceUnavailable',
      FORBIDDEN: 'AccessDenied',
      CONFLICT: 'InvalidChangeBatch',
    }[fault.code];
    return new ProviderError(fault.code, `memory: injected ${remote}`, {
      provider: this.name,
      remoteCode: remote,
      remoteMessage: 'injected fault',
      ...(fault.retryAfterMs !== undefined ? { retryAfterMs: fault.retryAfterMs } : {}),
    });
  }

  /** Validates the whole batch against the zone, then applies it at once (or throws, changing nothing). */
  private commit(zone: string, changes: RecordChange[]): SubmittedChange {
    const store = this.zone(zone);
    this.checkLimits(changes);
    const next = new Map(store);
    const conflicts: string[] = [];
    const invalid: string[] = [];
    const seen = new Set<string>();
    for (const change of changes) {
      const set = canonicalRecordSet(change.action === 'delete' ? change.before : change.after);
      const key = recordSetKey(set);
      if (seen.has(key)) invalid.push(`more than one change for ${describeRecordSet(set)}`);
      seen.add(key);
      const existing = store.get(key);
      if (change.action === 'create') {
        if (existing)
          conflicts.push(`Tried to create resource record set ${label(set)} but it already exists`);
        next.set(key, set);
      } else if (change.action === 'delete') {
        if (!existing)
          conflicts.push(`Tried to delete resource record set ${label(set)} but it was not found`);
        else if (!sameRecordSet(existing, set)) {
          conflicts.push(
            `Tried to delete resource record set ${label(set)} but the values provided do not match the current values`,
          );
        }
        next.delete(key);
      } else {
        if (this.exactUpdates && (!existing || !sameRecordSet(existing, change.before))) {
          conflicts.push(`Precondition not met for ${label(set)}: its current value is not the expected one`);
        }
        next.set(key, set);
      }
      invalid.push(...this.validateSet(set));
    }
    invalid.push(...validateNames(next));
    if (invalid.length > 0) {
      throw new ProviderError('REJECTED', `memory: invalid change batch: ${invalid.join('; ')}`, {
        provider: this.name,
        remoteCode: 'InvalidInput',
        remoteMessage: invalid.join('; '),
      });
    }
    if (conflicts.length > 0) {
      throw new ProviderError('CONFLICT', `memory: ${conflicts.join('; ')}`, {
        provider: this.name,
        remoteCode: 'InvalidChangeBatch',
        remoteMessage: conflicts.join('; '),
      });
    }
    store.clear();
    for (const [key, set] of next) store.set(key, set);
    for (const key of seen) this.writesPerSet.set(key, (this.writesPerSet.get(key) ?? 0) + 1);
    const id = `C${String(this.nextChange++).padStart(6, '0')}`;
    const now = this.clock.now();
    this.changes.set(id, { id, submittedAt: now, inSyncAt: now + this.syncDelayMs });
    return { changeId: id, submittedAt: now };
  }

  private checkLimits(changes: RecordChange[]): void {
    const limits = this.capabilities.limits;
    const total = changes
      .map((change) => changeCost(change, this.capabilities.updateCost))
      .reduce((a, b) => ({
        changes: a.changes + b.changes,
        recordValues: a.recordValues + b.recordValues,
        valueChars: a.valueChars + b.valueChars,
      }));
    const over: string[] = [];
    if (total.changes > limits.maxChanges)
      over.push(`changes limit of ${limits.maxChanges} exceeded (${total.changes})`);
    if (total.recordValues > limits.maxRecordValues) {
      over.push(`Number of records limit of ${limits.maxRecordValues} exceeded (${total.recordValues})`);
    }
    if (total.valueChars > limits.maxValueChars) {
      over.push(`characters limit of ${limits.maxValueChars} exceeded (${total.valueChars})`);
    }
    if (over.length > 0) {
      throw new ProviderError('REJECTED', `memory: ${over.join('; ')}`, {
        provider: this.name,
        remoteCode: 'InvalidChangeBatch',
        remoteMessage: over.join('; '),
      });
    }
  }

  private validateSet(set: RecordSet): string[] {
    const problems: string[] = [];
    const what = describeRecordSet(set);
    const kinds = [set.values !== undefined, set.alias !== undefined, set.wrr !== undefined].filter(
      Boolean,
    ).length;
    if (kinds !== 1) problems.push(`${what}: exactly one of values, alias or wrr`);
    if (set.values !== undefined && set.values.length === 0) problems.push(`${what}: no values`);
    if (set.type === 'CNAME' && (set.values?.length ?? 0) > 1)
      problems.push(`${what}: a CNAME holds one value`);
    if (set.alias && !this.capabilities.alias) problems.push(`${what}: alias records are not supported`);
    if ((set.setIdentifier === undefined) !== (set.weight === undefined)) {
      problems.push(`${what}: a weighted set needs both a set identifier and a weight`);
    }
    if (set.weight !== undefined && !(Number.isInteger(set.weight) && set.weight >= 0 && set.weight <= 255)) {
      problems.push(`${what}: weight must be an integer 0..255`);
    }
    if (this.capabilities.weightedStyle === 'set-per-pool' && set.wrr)
      problems.push(`${what}: wrr is not supported`);
    if (this.capabilities.weightedStyle === 'items-in-set' && set.setIdentifier !== undefined) {
      problems.push(`${what}: set identifiers are not supported`);
    }
    if (set.wrr) {
      if (set.wrr.length === 0) problems.push(`${what}: wrr needs at least one item`);
      for (const item of set.wrr) {
        if (!(item.weight >= 0)) problems.push(`${what}: wrr weight must be non-negative`);
        if (item.values.length === 0) problems.push(`${what}: a wrr item needs values`);
      }
    }
    return problems;
  }
}

/** The zone-wide rules a batch's result must satisfy. */
function validateNames(sets: Map<string, RecordSet>): string[] {
  const problems: string[] = [];
  const byName = new Map<string, RecordSet[]>();
  for (const set of sets.values()) byName.set(set.name, [...(byName.get(set.name) ?? []), set]);
  for (const [name, atName] of byName) {
    const types = new Set(atName.map((set) => set.type));
    if (types.has('CNAME') && types.size > 1) {
      problems.push(
        `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records`,
      );
    }
    for (const type of types) {
      const ofType = atName.filter((set) => set.type === type);
      const weighted = ofType.filter((set) => set.setIdentifier !== undefined).length;
      if (weighted > 0 && weighted < ofType.length) {
        problems.push(
          `${name} ${type}: a plain record set cannot share its name and type with weighted ones`,
        );
      }
    }
  }
  return problems;
}

function label(set: RecordSet): string {
  const id = set.setIdentifier !== undefined ? `, set-identifier='${set.setIdentifier}'` : '';
  return `[name='${set.name}.', type='${set.type}'${id}]`;
}

function clone(set: RecordSet): RecordSet {
  return JSON.parse(JSON.stringify(set)) as RecordSet;
}

function byKey(a: RecordSet, b: RecordSet): number {
  const x = recordSetKey(a);
  const y = recordSetKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * One `local` zone in Redis: the record sets the lab's DNS server answers from, written the way Route 53
 * writes a hosted zone. `applyChanges` is one Lua script (validated and applied atomically, all or nothing),
 * stamps a change id with the Redis clock (`syncAt = submittedAt + syncDelay`), bumps the zone serial (the
 * SOA serial the DNS server serves) and publishes `<zone> <serial>` so DNS servers reload at once.
 *
 * Layout (src/redis/keys.ts): `localZone(zone)` hash `<name>\t<type>\t<setIdentifier>` -> canonical JSON
 * RecordSet; `localZoneChanges(zone)` hash change id -> JSON `{submittedAt, syncAt, serial, changes}` (the
 * newest `CHANGES_KEPT`); `localZoneMeta(zone)` hash `serial`, `changeSeq`, `faults:*`.
 */
import type { Redis } from 'ioredis';
import { redisKeys } from '../../redis/keys';
import { ProviderError, type ProviderErrorCode } from '../provider-errors';
import type { BatchLimits, ChangeStatus, RecordChange, RecordSet } from '../record-set';
import { canonicalName } from '../record-set-equality';
import { batchProblems, recordSetLabel } from './local-change-validation';
import { CorruptZoneRecordError, parseStoredRecordSet, storedJson, zoneField } from './local-stored-record';
import { APPLY_CHANGES, READ_NAMES, SEED_RECORDS } from './local-zone-scripts';

/** Change records kept per zone: enough for any sync still polling, bounded for a lab running for days. */
export const CHANGES_KEPT = 1000;

export interface LocalZoneStoreOptions {
  redis: Redis;
  /** `deployment.redis.keyPrefix`. */
  keyPrefix: string;
  /** The zone apex (lower case, no trailing dot). */
  zone: string;
  /** How long a change stays pending. @default 0 */
  syncDelayMs?: number;
  /** The provider's name, for error messages. @default 'local' */
  provider?: string;
  /** Per-batch limits enforced like a provider's API limits. */
  limits: BatchLimits;
  /** How an update counts against the limits. @default 1 */
  updateCost?: number;
}

/** What `applyChanges` returns: the change to poll and the zone serial it produced. */
export interface AppliedChange {
  changeId: string;
  submittedAt: number;
  syncAt: number;
  serial: number;
}

/** The whole zone at one serial: what the DNS server loads. */
export interface ZoneSnapshot {
  zone: string;
  serial: number;
  sets: RecordSet[];
  /** Entries that are not record sets quorumdns wrote (served around, reported by the DNS server). */
  corrupt: CorruptZoneRecordError[];
}

export type FaultOperation = 'apply' | 'read' | 'any';

export class LocalZoneStore {
  readonly zone: string;
  readonly recordsKey: string;
  readonly changesKey: string;
  readonly metaKey: string;
  readonly updatesChannel: string;
  private readonly redis: Redis;
  private readonly syncDelayMs: number;
  private readonly provider: string;
  private readonly limits: BatchLimits;
  private readonly updateCost: number;

  constructor(options: LocalZoneStoreOptions) {
    const keys = redisKeys(options.keyPrefix);
    this.zone = canonicalName(options.zone);
    this.redis = options.redis;
    this.recordsKey = keys.localZone(this.zone);
    this.changesKey = keys.localZoneChanges(this.zone);
    this.metaKey = keys.localZoneMeta(this.zone);
    this.updatesChannel = keys.localZoneUpdates;
    this.syncDelayMs = options.syncDelayMs ?? 0;
    this.provider = options.provider ?? 'local';
    this.limits = options.limits;
    this.updateCost = options.updateCost ?? 1;
  }

  private get keys(): string[] {
    return [this.recordsKey, this.changesKey, this.metaKey];
  }

  /**
   * Applies one batch atomically. Throws `ProviderError`: REJECTED for a batch that can never apply (bad data,
   * names outside the zone, a CNAME beside other types, limits), CONFLICT when the zone is not what the batch
   * expects (create of an existing set, delete/update whose `before` is not exactly the stored set),
   * THROTTLED when a fault was injected.
   */
  async applyChanges(changes: readonly RecordChange[]): Promise<AppliedChange> {
    const problems = batchProblems(this.zone, changes, this.limits, this.updateCost);
    if (problems.length > 0) throw this.error('REJECTED', 'InvalidChangeBatch', problems.join('; '));
    const batch = changes.map((change) => {
      const set = change.action === 'delete' ? change.before : change.after;
      return {
        a: change.action,
        f: zoneField(set),
        l: recordSetLabel(set),
        ...(change.action !== 'create' ? { before: storedJson(change.before) } : {}),
        ...(change.action !== 'delete' ? { after: storedJson(change.after) } : {}),
      };
    });
    const reply = await APPLY_CHANGES.run(this.redis, this.keys, [
      JSON.stringify(batch),
      this.syncDelayMs,
      this.updatesChannel,
      this.zone,
      CHANGES_KEPT,
    ]);
    const [status, ...rest] = reply as string[];
    if (status === 'OK') {
      const [changeId, submittedAt, syncAt, serial] = rest as [string, string, string, string];
      return {
        changeId,
        submittedAt: Number(submittedAt),
        syncAt: Number(syncAt),
        serial: Number(serial),
      };
    }
    const message = rest[0] ?? '';
    if (status === 'THROTTLED') throw this.error('THROTTLED', 'Throttling', message);
    if (status === 'CONFLICT') throw this.error('CONFLICT', 'InvalidChangeBatch', message);
    throw this.error('REJECTED', 'InvalidChangeBatch', message);
  }

  /** Every record set at `names` (any type, any set identifier). THROTTLED when a fault was injected. */
  async read(names: readonly string[]): Promise<RecordSet[]> {
    const wanted = [...new Set(names.map(canonicalName))];
    const reply = (await READ_NAMES.run(this.redis, this.keys, wanted)) as string[];
    const [status, ...pairs] = reply;
    if (status === 'THROTTLED') throw this.error('THROTTLED', 'Throttling', pairs[0] ?? '');
    const sets: RecordSet[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      try {
        sets.push(parseStoredRecordSet(this.recordsKey, pairs[i] as string, pairs[i + 1] as string));
      } catch (error) {
        if (!(error instanceof CorruptZoneRecordError)) throw error;
        throw this.error('REJECTED', 'CorruptZoneData', error.message, error);
      }
    }
    return sets;
  }

  /** The whole zone and its serial, read atomically (no fault hooks: this is the DNS server's view). */
  async snapshot(): Promise<ZoneSnapshot> {
    const results = await this.redis.multi().hgetall(this.recordsKey).hget(this.metaKey, 'serial').exec();
    if (results === null) throw new Error(`local zone ${this.zone}: the snapshot transaction was aborted`);
    for (const [error] of results) if (error) throw error;
    const entries = results[0]?.[1] as Record<string, string>;
    const serial = Number((results[1]?.[1] as string | null) ?? '0');
    const sets: RecordSet[] = [];
    const corrupt: CorruptZoneRecordError[] = [];
    for (const [field, json] of Object.entries(entries)) {
      try {
        sets.push(parseStoredRecordSet(this.recordsKey, field, json));
      } catch (error) {
        if (!(error instanceof CorruptZoneRecordError)) throw error;
        corrupt.push(error);
      }
    }
    return { zone: this.zone, serial: Number.isSafeInteger(serial) ? serial : 0, sets, corrupt };
  }

  /** The zone serial (0 before the first write). */
  async serial(): Promise<number> {
    const serial = Number((await this.redis.hget(this.metaKey, 'serial')) ?? '0');
    return Number.isSafeInteger(serial) ? serial : 0;
  }

  /** `in-sync` once the Redis clock has passed the change's `syncAt`. NOT_FOUND for an unknown (or pruned) id. */
  async changeStatus(changeId: string): Promise<ChangeStatus> {
    const results = await this.redis.multi().hget(this.changesKey, changeId).time().exec();
    if (results === null) throw new Error(`local zone ${this.zone}: the status transaction was aborted`);
    for (const [error] of results) if (error) throw error;
    const stored = results[0]?.[1] as string | null;
    if (stored === null) {
      throw this.error(
        'NOT_FOUND',
        'NoSuchChange',
        `A change with the specified change ID ${changeId} does not exist`,
      );
    }
    const [seconds, micros] = results[1]?.[1] as [string, string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    let syncAt: unknown;
    try {
      syncAt = (JSON.parse(stored) as { syncAt?: unknown }).syncAt;
    } catch {
      syncAt = undefined;
    }
    if (typeof syncAt !== 'number') {
      throw this.error(
        'REJECTED',
        'CorruptZoneData',
        `corrupt change record in Redis key ${this.changesKey}, field ${changeId}: no numeric "syncAt"`,
      );
    }
    return now >= syncAt ? 'in-sync' : 'pending';
  }

  // --- test and lab hooks ----------------------------------------------------------------------------------

  /**
   * Stores record sets as they are, without validation (seeding may build states the API refuses), and
   * announces the new serial like a change.
   */
  async seed(sets: readonly RecordSet[]): Promise<number> {
    const pairs = sets.flatMap((set) => [zoneField(set), storedJson(set)]);
    return Number(await SEED_RECORDS.run(this.redis, this.keys, [this.updatesChannel, this.zone, ...pairs]));
  }

  /** The next `count` calls of `operation` (`any`: of either) answer THROTTLED. */
  async injectFaults(operation: FaultOperation, count: number): Promise<void> {
    await this.redis.hincrby(this.metaKey, `faults:${operation}`, count);
  }

  private error(
    code: ProviderErrorCode,
    remoteCode: string,
    message: string,
    cause?: unknown,
  ): ProviderError {
    return new ProviderError(code, `local provider "${this.provider}" (zone ${this.zone}): ${message}`, {
      provider: this.provider,
      remoteCode,
      remoteMessage: message,
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}

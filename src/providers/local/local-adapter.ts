/**
 * The `local` provider: the lab's DNS provider. Its zone lives in the deployment's Redis (local-zone-store.ts)
 * and `quorumdns dns-server` answers from it, so a lab can `dig` the answer a decision produced. It behaves
 * like a small Route 53: weights as one record set per pool, all-or-nothing batches validated against the
 * zone, and a change that is pending for `syncDelay` before it is in sync.
 */
import type { Redis } from 'ioredis';
import type { LocalProvider } from '../../config/types';
import { redact } from '../../config/resolve-secret';
import type { DnsProviderAdapter, ProviderCapabilities } from '../provider-adapter';
import { isProviderError, ProviderError } from '../provider-errors';
import type {
  BatchLimits,
  ChangeStatus,
  ReadRequest,
  RecordChange,
  RecordSet,
  SubmittedChange,
} from '../record-set';
import { canonicalName } from '../record-set-equality';
import { LocalZoneStore } from './local-zone-store';

export interface LocalAdapterOptions {
  /** The deployment's Redis; the adapter does not own it (close() leaves it open). */
  redis: Redis;
  /** `deployment.redis.keyPrefix`. */
  keyPrefix: string;
}

/** Generous: a lab zone in Redis has no API quota, but the shared batching still gets exercised. */
export const LOCAL_LIMITS: BatchLimits = {
  maxChanges: 1000,
  maxRecordValues: 10_000,
  maxValueChars: 320_000,
};

export const LOCAL_CAPABILITIES: ProviderCapabilities = {
  modes: ['rewrite', 'weights'],
  weightedStyle: 'set-per-pool',
  alias: false,
  limits: LOCAL_LIMITS,
  // An update replaces one hash field: it costs what a create costs.
  updateCost: 1,
  requestsPerSecond: 1000,
  hasSyncStatus: true,
};

export function createLocalAdapter(
  provider: LocalProvider,
  options: LocalAdapterOptions,
): DnsProviderAdapter {
  return new LocalAdapter(provider, options);
}

export class LocalAdapter implements DnsProviderAdapter {
  readonly type = 'local';
  readonly name: string;
  readonly capabilities: ProviderCapabilities = LOCAL_CAPABILITIES;
  readonly store: LocalZoneStore;
  private closed = false;

  constructor(provider: LocalProvider, options: LocalAdapterOptions) {
    this.name = provider.name;
    this.store = new LocalZoneStore({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      zone: provider.zone,
      syncDelayMs: provider.syncDelay,
      provider: provider.name,
      limits: LOCAL_LIMITS,
      updateCost: LOCAL_CAPABILITIES.updateCost,
    });
  }

  read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    return this.call(request.zone, signal, () => this.store.read(request.names));
  }

  apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    return this.call(zone, signal, async () => {
      const applied = await this.store.applyChanges(changes);
      return { changeId: applied.changeId, submittedAt: applied.submittedAt };
    });
  }

  changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    return this.call(this.store.zone, signal, () => this.store.changeStatus(changeId));
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the caller (the apply worker or a command shares it).
    this.closed = true;
  }

  /** Checks the zone, and turns Redis failures into transient provider errors the shared layer retries. */
  private async call<T>(zone: string, signal: AbortSignal | undefined, body: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`local provider "${this.name}" used after close()`);
    signal?.throwIfAborted();
    if (canonicalName(zone) !== this.store.zone) {
      throw new ProviderError(
        'NOT_FOUND',
        `local provider "${this.name}" serves zone ${this.store.zone}, not ${canonicalName(zone)}`,
        { provider: this.name, remoteCode: 'NoSuchHostedZone' },
      );
    }
    try {
      return await body();
    } catch (error) {
      if (isProviderError(error)) throw error;
      const text = redact(error instanceof Error ? error.message || error.name : String(error));
      throw new ProviderError('UNAVAILABLE', `local provider "${this.name}": Redis failed: ${text}`, {
        provider: this.name,
        remoteMessage: text,
        cause: error,
      });
    }
  }
}

/**
 * An adapter seen through the rate limiter, counting the calls it lets through: every call the shared layer
 * makes waits for a token first, and the counts become `SyncResult.apiCalls` (and prove a dry run wrote
 * nothing).
 */
import type { DnsProviderAdapter, ProviderCapabilities } from './provider-adapter';
import type { RateLimiter } from './rate-limiter';
import type { ChangeStatus, ReadRequest, RecordChange, RecordSet, SubmittedChange } from './record-set';

export interface AdapterCallCounts {
  read: number;
  apply: number;
  changeStatus: number;
}

export class RateLimitedAdapter implements DnsProviderAdapter {
  readonly calls: AdapterCallCounts = { read: 0, apply: 0, changeStatus: 0 };

  constructor(
    private readonly inner: DnsProviderAdapter,
    private readonly limiter: RateLimiter,
  ) {}

  get type(): string {
    return this.inner.type;
  }

  get name(): string {
    return this.inner.name;
  }

  get capabilities(): ProviderCapabilities {
    return this.inner.capabilities;
  }

  /** Every call made (failed ones included). */
  get total(): number {
    return this.calls.read + this.calls.apply + this.calls.changeStatus;
  }

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    await this.limiter.acquire(signal);
    this.calls.read += 1;
    return this.inner.read(request, signal);
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    await this.limiter.acquire(signal);
    this.calls.apply += 1;
    return this.inner.apply(zone, changes, signal);
  }

  async changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    await this.limiter.acquire(signal);
    this.calls.changeStatus += 1;
    return this.inner.changeStatus(changeId, signal);
  }

  /** The wrapper owns no client: closing the real adapter is its creator's job. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

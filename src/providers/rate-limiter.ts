/**
 * Client-side rate limiting of provider API calls: a token bucket per provider, so quorumdns stays under the
 * provider's documented rate (Route 53 counts every API call of the account) instead of provoking throttling
 * and paying for it with backoff. Waiters are served first come, first served.
 */
import { type Clock, systemClock } from './clock';

export interface RateLimiter {
  /** Resolves when the caller may make one call; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export interface TokenBucketOptions {
  /** Tokens added per second (> 0). */
  ratePerSecond: number;
  /**
   * Bucket size: calls that may go at once after a quiet period. @default 1 — calls are paced evenly, so no
   * window of any length sees more than `ratePerSecond` calls per second (plus one).
   */
  burst?: number;
  /** @default systemClock */
  clock?: Clock;
}

export class TokenBucket implements RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  /** The previous waiter's turn: each acquire waits for it, which makes the bucket FIFO. */
  private tail: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0 && Number.isFinite(options.ratePerSecond))) {
      throw new RangeError(
        `rate limit must be a positive number of requests per second, got ${options.ratePerSecond}`,
      );
    }
    this.ratePerSecond = options.ratePerSecond;
    this.burst = Math.max(1, options.burst ?? 1);
    this.clock = options.clock ?? systemClock;
    this.tokens = this.burst;
    this.refilledAt = this.clock.now();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.take(signal));
    // A waiter that aborted must not block the ones behind it.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000), signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.refilledAt = now;
  }
}

/** Never waits: for providers (or tests) without a rate limit. */
export const unlimited: RateLimiter = { acquire: () => Promise.resolve() };

const shared = new Map<string, TokenBucket>();

/**
 * The process-wide bucket of one provider (by config name), so concurrent syncs of several services to the
 * same provider share its rate. A changed rate (config reload) replaces the bucket.
 */
export function sharedRateLimiter(provider: string, ratePerSecond: number): TokenBucket {
  const existing = shared.get(provider);
  if (existing && existing.ratePerSecond === ratePerSecond) return existing;
  const bucket = new TokenBucket({ ratePerSecond });
  shared.set(provider, bucket);
  return bucket;
}

/** The rate in force: the lower of the provider's documented rate and the configured one. */
export function effectiveRate(documented: number, configured: number | undefined): number {
  return Math.min(documented, configured ?? Infinity);
}

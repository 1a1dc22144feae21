/**
 * The server's request rate limit: a token bucket refilled at `ratePerSecond` and holding at most one
 * second's worth of tokens, so a client gets a burst of `ratePerSecond` requests and then that rate. Cloud
 * DNS's real quota is per minute; a per-second bucket makes throttling show up within a test's lifetime.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;
  private readonly capacity: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${ratePerSecond}`);
    }
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = this.capacity;
    this.lastRefillMs = now();
  }

  /** Takes a token if there is one; `false` means the request is over the rate. */
  tryTake(): boolean {
    const nowMs = this.now();
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((nowMs - this.lastRefillMs) / 1000) * this.ratePerSecond,
    );
    this.lastRefillMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

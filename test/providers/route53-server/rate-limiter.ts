/**
 * Route 53 limits API requests per account ("five requests per second", raised to ten with bursts in 2026)
 * and answers the excess with 400 Throttling "Rate exceeded". A token bucket reproduces that: it holds one
 * second's worth of requests (at least one), so a client that paces itself never sees an error and a client
 * that bursts gets exactly the surplus rejected.
 */
import { Route53TestServerError } from './api-error';

export type MonotonicClock = () => number;

export class TokenBucket {
  private tokens = 0;
  private capacity = 0;
  private rate: number | undefined;
  private refilledAt: number;

  /** `requestsPerSecond` undefined = unlimited. `now` is in milliseconds (a fake clock in unit tests). */
  constructor(
    requestsPerSecond: number | undefined,
    private readonly now: MonotonicClock = () => performance.now(),
  ) {
    this.refilledAt = now();
    this.setRate(requestsPerSecond);
  }

  /** Changes the rate; the bucket starts full again, as if the account had been idle. */
  setRate(requestsPerSecond: number | undefined): void {
    if (requestsPerSecond !== undefined && !(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
      throw new Route53TestServerError(
        'INVALID_OPTION',
        `requestsPerSecond must be a positive number or undefined (unlimited), got ${requestsPerSecond}`,
      );
    }
    this.rate = requestsPerSecond;
    this.capacity = requestsPerSecond === undefined ? 0 : Math.max(1, requestsPerSecond);
    this.tokens = this.capacity;
    this.refilledAt = this.now();
  }

  /** Takes one token; false means the request must be throttled. */
  tryTake(): boolean {
    if (this.rate === undefined) return true;
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Pacing of the requests inside one adapter call. The shared layer (syncTarget) takes one token of the
 * provider's rate bucket per adapter call, but one read may make several requests (a zone lookup, one listing
 * per name, further pages): those must not burst past the account's or project's rate, because a throttled
 * page fails the whole read, which then starts over.
 */
import { systemClock } from './clock';
import { effectiveRate, type RateLimiter, sharedRateLimiter } from './rate-limiter';
import { retryPolicy, type RetryPolicy, withRetry } from './retry';

/**
 * The provider's process-wide bucket, looked up on each use so it is the very instance syncTarget takes its
 * tokens from (a config reload with another rate replaces it there and here alike).
 */
export function providerRateLimiter(
  providerName: string,
  documentedRate: number,
  configuredRate: number | undefined,
): RateLimiter {
  const rate = effectiveRate(documentedRate, configuredRate);
  return { acquire: (signal) => sharedRateLimiter(providerName, rate).acquire(signal) };
}

/**
 * What to await before each request of one adapter call: nothing before the first (the shared layer paid for
 * it), a token of `limiter` before every further one.
 */
export function pacedAfterFirst(limiter: RateLimiter, signal: AbortSignal | undefined): () => Promise<void> {
  let requests = 0;
  return async () => {
    if (requests++ > 0) await limiter.acquire(signal);
  };
}

/** Sends one request of a listing (the adapter's error mapping around the SDK call). */
export type PageSender = <T>(send: () => Promise<T>) => Promise<T>;

/**
 * Retries ONE page of a listing where it stopped, when the provider throttled it or did not answer: without
 * this a read of many pages under throttling fails as a whole and the shared layer starts it over from the
 * first page, so a large zone could never be read at a busy account's rate (measured: 1,000 record sets with
 * 30 % of requests throttled never got past the listing). Reads change nothing, so resending is safe.
 */
export function retryingPages(
  mapErrors: PageSender,
  signal: AbortSignal | undefined,
  policy: RetryPolicy = retryPolicy(),
): PageSender {
  return (send) =>
    withRetry(() => mapErrors(send), {
      policy,
      clock: systemClock,
      ...(signal !== undefined ? { signal } : {}),
    });
}

/**
 * Pacing of the requests inside one adapter call. The shared layer (syncTarget) takes one token of the
 * provider's rate bucket per adapter call, but one read may make several requests (a zone lookup, one listing
 * per name, further pages): those must not burst past the account's or project's rate, because a throttled
 * page fails the whole read, which then starts over.
 */
import { effectiveRate, type RateLimiter, sharedRateLimiter } from './rate-limiter';

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

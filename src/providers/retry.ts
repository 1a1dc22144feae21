/**
 * Retrying provider calls: jittered exponential backoff on transient failures, at least as long as the
 * provider's Retry-After, a bounded number of attempts, abortable at any wait. Time and randomness are
 * injected so the schedule is tested without sleeping.
 */
import { type Clock, throwIfAborted } from './clock';
import { isProviderError } from './provider-errors';

export interface RetryPolicy {
  /** Tries of one call, the first included. @default 6 */
  maxAttempts: number;
  /** Backoff ceiling of the first retry; each further retry doubles it (`multiplier`). @default 200 */
  baseDelayMs: number;
  /** @default 2 */
  multiplier: number;
  /** No backoff ceiling grows past this. @default 20000 */
  maxDelayMs: number;
  /**
   * A Retry-After longer than this is not waited out: the call fails with the provider's error (the job-level
   * retry comes back later) rather than holding an apply for minutes. @default 60000
   */
  maxRetryAfterMs: number;
  /** Re-reads and re-plans after a conflict or an ambiguous write failure, per sync. @default 3 */
  maxReplans: number;
  /** First wait between change-status polls; grows by 1.5x. @default 500 */
  syncPollInitialMs: number;
  /** @default 5000 */
  syncPollMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  maxReplans: 3,
  syncPollInitialMs: 500,
  syncPollMaxMs: 5_000,
});

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [key, value] of Object.entries(policy)) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`retry policy ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (policy.maxAttempts < 1) throw new RangeError('retry policy maxAttempts must be at least 1');
  return policy;
}

/** The backoff ceiling before retry number `retry` (1 = the first retry). */
export function backoffCeiling(retry: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.multiplier ** Math.max(0, retry - 1));
}

/**
 * The wait before retry number `retry`: "equal jitter" in [ceiling / 2, ceiling] (AWS's architecture blog), so
 * callers throttled together spread out yet never hammer back immediately; never shorter than the
 * provider's Retry-After.
 */
export function retryDelay(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = backoffCeiling(retry, policy);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Failures worth sending again as they are: the provider said so (throttled) or is down (5xx, network). */
export function isRetryable(error: unknown): boolean {
  return isProviderError(error) && (error.code === 'THROTTLED' || error.code === 'UNAVAILABLE');
}

export interface RetryAttemptInfo {
  /** The retry about to happen (1 = first retry). */
  retry: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  /** @default Math.random */
  random?: () => number;
  signal?: AbortSignal;
  /** @default isRetryable */
  retryable?: (error: unknown) => boolean;
  /** Called before each wait (counting retries, logging). */
  onRetry?: (info: RetryAttemptInfo) => void;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or `maxAttempts` are spent (then the
 * last error is thrown as it is, keeping the provider's code and message). `operation` gets the attempt
 * number (1-based). An abort stops at once with the signal's reason.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, clock, signal } = options;
  const random = options.random ?? Math.random;
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt += 1) {
    throwIfAborted(signal);
    try {
      return await operation(attempt);
    } catch (error) {
      throwIfAborted(signal);
      if (!retryable(error) || attempt >= policy.maxAttempts) throw error;
      const retryAfterMs = isProviderError(error) ? error.retryAfterMs : undefined;
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) throw error;
      const delayMs = retryDelay(attempt, policy, random, retryAfterMs);
      options.onRetry?.({ retry: attempt, delayMs, error });
      await clock.sleep(delayMs, signal);
    }
  }
}

import fc from 'fast-check';
import { ProviderError, type ProviderErrorCode } from '../../../src/providers/provider-errors';
import {
  backoffCeiling,
  DEFAULT_RETRY_POLICY,
  retryDelay,
  retryPolicy,
  withRetry,
} from '../../../src/providers/retry';
import { FakeClock, flushMicrotasks } from '../support/fake-clock';

const error = (code: ProviderErrorCode, retryAfterMs?: number): ProviderError =>
  new ProviderError(code, `${code} from test`, {
    provider: 'p',
    remoteCode: code === 'THROTTLED' ? 'Throttling' : 'X',
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

/** An operation failing with `failures` then succeeding; records the attempts. */
function flaky(failures: ProviderError[]) {
  const attempts: number[] = [];
  const operation = async (attempt: number): Promise<string> => {
    attempts.push(attempt);
    const failure = failures[attempt - 1];
    if (failure) throw failure;
    return 'ok';
  };
  return { operation, attempts };
}

describe('retry schedule', () => {
  const policy = retryPolicy();

  it('ceilings grow exponentially up to maxDelayMs', () => {
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, policy))).toEqual([200, 400, 800, 1600]);
    expect(backoffCeiling(50, policy)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it('property: every delay lies in [ceiling / 2, ceiling], and never below Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
        (retry, r, retryAfter) => {
          const ceiling = backoffCeiling(retry, policy);
          const delay = retryDelay(retry, policy, () => r, retryAfter);
          expect(delay).toBeGreaterThanOrEqual(Math.max(Math.floor(ceiling / 2), retryAfter ?? 0));
          expect(delay).toBeLessThanOrEqual(Math.max(ceiling, retryAfter ?? 0));
        },
      ),
    );
  });

  it('rejects a nonsensical policy', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => retryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});

describe('withRetry', () => {
  it('retries throttling and outages with jittered backoff, then succeeds', async () => {
    const clock = new FakeClock();
    const { operation, attempts } = flaky([error('THROTTLED'), error('UNAVAILABLE'), error('THROTTLED')]);
    const retries: number[] = [];
    await expect(
      withRetry(operation, {
        policy: retryPolicy(),
        clock,
        random: () => 0.5,
        onRetry: (info) => retries.push(info.delayMs),
      }),
    ).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([150, 300, 600]);
    expect(retries).toEqual(clock.sleeps);
  });

  it('waits at least the Retry-After the provider sent', async () => {
    const clock = new FakeClock();
    const { operation } = flaky([error('THROTTLED', 7_000)]);
    await withRetry(operation, { policy: retryPolicy(), clock, random: () => 0 });
    expect(clock.sleeps).toEqual([7_000]);
  });

  it('gives up at once on a Retry-After beyond maxRetryAfterMs', async () => {
    const clock = new FakeClock();
    const { operation, attempts } = flaky([error('THROTTLED', 120_000)]);
    await expect(withRetry(operation, { policy: retryPolicy(), clock })).rejects.toMatchObject({
      code: 'THROTTLED',
    });
    expect(attempts).toEqual([1]);
  });

  it('does not retry permanent errors or conflicts', async () => {
    for (const code of ['FORBIDDEN', 'REJECTED', 'NOT_FOUND', 'CONFLICT'] as const) {
      const clock = new FakeClock();
      const { operation, attempts } = flaky([error(code)]);
      await expect(withRetry(operation, { policy: retryPolicy(), clock })).rejects.toMatchObject({ code });
      expect(attempts).toEqual([1]);
      expect(clock.sleeps).toEqual([]);
    }
  });

  it('stops after maxAttempts with the provider error as it was', async () => {
    const clock = new FakeClock();
    const last = error('THROTTLED');
    const { operation, attempts } = flaky([error('THROTTLED'), error('THROTTLED'), last, error('THROTTLED')]);
    await expect(withRetry(operation, { policy: retryPolicy({ maxAttempts: 3 }), clock })).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('an abort during a backoff wait stops at once with the abort reason', async () => {
    const clock = new FakeClock(0, 'manual');
    const controller = new AbortController();
    const { operation, attempts } = flaky([error('THROTTLED'), error('THROTTLED')]);
    const running = withRetry(operation, { policy: retryPolicy(), clock, signal: controller.signal });
    const outcome = running.then(
      () => 'resolved',
      (reason: unknown) => reason,
    );
    await flushMicrotasks();
    expect(clock.pending).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(attempts).toEqual([1]);
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const { operation, attempts } = flaky([]);
    await expect(
      withRetry(operation, { policy: retryPolicy(), clock: new FakeClock(), signal: controller.signal }),
    ).rejects.toThrow('gone');
    expect(attempts).toEqual([]);
  });
});

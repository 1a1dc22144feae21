import { effectiveRate, sharedRateLimiter, TokenBucket } from '../../../src/providers/rate-limiter';
import { FakeClock, flushMicrotasks } from '../support/fake-clock';

describe('TokenBucket', () => {
  it('paces calls at the rate: 5/s lets one call through every 200 ms', async () => {
    const clock = new FakeClock(0, 'manual');
    const bucket = new TokenBucket({ ratePerSecond: 5, clock });
    const granted: number[] = [];
    const all = Promise.all(
      Array.from({ length: 4 }, (_, i) => bucket.acquire().then(() => granted.push(i) && clock.now())),
    );
    await flushMicrotasks();
    expect(granted).toEqual([0]); // the bucket starts with one token
    await clock.advance(199);
    expect(granted).toEqual([0]);
    await clock.advance(1);
    expect(granted).toEqual([0, 1]);
    await clock.advance(400);
    expect(await all).toEqual([0, 200, 400, 600]);
    expect(granted).toEqual([0, 1, 2, 3]); // first come, first served
  });

  it('a burst lets that many calls go at once after a quiet period, never more', async () => {
    const clock = new FakeClock(0, 'manual');
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, clock });
    await clock.advance(10_000);
    let granted = 0;
    for (let i = 0; i < 5; i += 1) void bucket.acquire().then(() => (granted += 1));
    await flushMicrotasks();
    expect(granted).toBe(3);
    await clock.advance(100);
    expect(granted).toBe(4);
  });

  it('an aborted waiter leaves the queue without blocking the next', async () => {
    const clock = new FakeClock(0, 'manual');
    const bucket = new TokenBucket({ ratePerSecond: 1, clock });
    await bucket.acquire();
    const controller = new AbortController();
    const aborted = bucket.acquire(controller.signal).then(
      () => 'granted',
      () => 'aborted',
    );
    const next = bucket.acquire().then(() => clock.now());
    await flushMicrotasks();
    controller.abort();
    expect(await aborted).toBe('aborted');
    await clock.advance(1000);
    expect(await next).toBe(1000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(/positive/);
  });
});

describe('shared limiters and effective rate', () => {
  it('one bucket per provider name, replaced when the rate changes', () => {
    const a = sharedRateLimiter('test-provider-a', 5);
    expect(sharedRateLimiter('test-provider-a', 5)).toBe(a);
    expect(sharedRateLimiter('test-provider-b', 5)).not.toBe(a);
    expect(sharedRateLimiter('test-provider-a', 2)).not.toBe(a);
  });

  it('the config can lower the documented rate, never raise it', () => {
    expect(effectiveRate(5, undefined)).toBe(5);
    expect(effectiveRate(5, 2)).toBe(2);
    expect(effectiveRate(5, 50)).toBe(5);
  });
});

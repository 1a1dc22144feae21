/**
 * A virtual clock for the provider layer's `Clock`. In `auto` mode every sleep advances time at once (a retry
 * schedule or a sync timeout runs instantly and deterministically); in `manual` mode sleeps wait for
 * `advance()`, which lets a test look at what is waiting (abort, rate limiter queues).
 */
import type { Clock } from '../../../src/providers/clock';

interface Timer {
  at: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  /** Every sleep requested, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(
    start = 1_700_000_000_000,
    private readonly mode: 'auto' | 'manual' = 'auto',
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.mode === 'auto') {
      this.time += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer: Timer = { at: this.time + Math.max(0, ms), resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Manual mode: moves time forward, resolving due sleeps in time order, letting each continuation run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.resolve();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  /** Sleeps waiting (manual mode). */
  get pending(): number {
    return this.timers.length;
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
}

import type { Observation } from './check-result';
import { type Clock, systemClock } from './clock';
import { ObservationBuffer } from './observation-buffer';
import type { ObservationRecorder, PendingObservation, RecordedObservation } from './recorder';

/** Observations that wait for Redis when nothing else is configured. */
export const DEFAULT_BUFFER_CAPACITY = 10_000;

export type SinkEvent =
  | { kind: 'redis-unreachable'; error: Error; buffered: number }
  /** Redis answered again and the backlog is written: `flushed` recorded since the outage began, `dropped` lost. */
  | { kind: 'redis-back'; flushed: number; dropped: number; downForMs: number }
  /** Redis refused one observation for good (a script error): it is dropped. */
  | { kind: 'observation-rejected'; observation: Observation; error: Error };

export interface ObservationSinkOptions {
  recorder: Pick<ObservationRecorder, 'recordBatch'>;
  /** @defaultValue 10000 */
  capacity?: number;
  /** Most observations per pipeline (one round trip). @defaultValue 1000 */
  maxBatch?: number;
  clock?: Clock;
  /** Pause before the n-th consecutive retry while Redis is unreachable. @defaultValue 100 ms doubling to 2 s */
  retryDelay?: (attempt: number) => number;
  /** Every observation Redis applied, in order (flips included). */
  onRecorded?: (recorded: RecordedObservation) => void;
  onEvent?: (event: SinkEvent) => void;
}

export interface SinkStats {
  buffered: number;
  dropped: number;
  recorded: number;
  rejected: number;
  redis: 'up' | 'down';
}

/**
 * Where the scheduler puts observations. Keeps them in a bounded buffer, writes them to Redis in order, as
 * big pipelined batches as are ready (one round trip per batch), and rides out Redis outages: probing goes on,
 * the buffer holds the newest `capacity` observations, retries back off, and the backlog is flushed in order
 * once Redis answers. State changes are reported once each, never once per observation.
 */
export class ObservationSink {
  private readonly clock: Clock;
  private readonly buffer: ObservationBuffer<PendingObservation>;
  private readonly maxBatch: number;
  private seq = 0;
  private flushing: Promise<void> | undefined;
  private cancelKick: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;
  private attempts = 0;
  private state: 'up' | 'down' | 'recovering' = 'up';
  private outage = { since: 0, recorded: 0, dropped: 0 };
  private recorded = 0;
  private rejected = 0;
  private closed = false;

  constructor(private readonly options: ObservationSinkOptions) {
    this.clock = options.clock ?? systemClock;
    this.buffer = new ObservationBuffer(options.capacity ?? DEFAULT_BUFFER_CAPACITY);
    this.maxBatch = options.maxBatch ?? 1000;
  }

  /** Queues one observation for recording. Never throws, never blocks. */
  push(observation: Observation, thresholds: { failureThreshold: number; successThreshold: number }): void {
    this.seq += 1;
    this.buffer.push({ observation, ...thresholds, seq: this.seq });
    this.scheduleFlush();
  }

  /** Redis says it is back (the client's `ready` event): retry now instead of waiting for the backoff. */
  wake(): void {
    if (this.cancelRetry === undefined) return;
    this.cancelRetry();
    this.cancelRetry = undefined;
    this.scheduleFlush();
  }

  stats(): SinkStats {
    return {
      buffered: this.buffer.size,
      dropped: this.buffer.dropped,
      recorded: this.recorded,
      rejected: this.rejected,
      redis: this.state === 'up' ? 'up' : 'down',
    };
  }

  /**
   * Writes everything buffered, retrying while Redis is unreachable, until the buffer is empty or `timeoutMs`
   * has passed. Resolves to the number of observations left unwritten (0 = all recorded).
   */
  async flush(timeoutMs: number): Promise<number> {
    const deadline = this.clock.now() + timeoutMs;
    while (this.buffer.size > 0 || this.flushing) {
      const remaining = deadline - this.clock.now();
      if (remaining <= 0) break;
      if (this.flushing === undefined) {
        this.cancelRetry?.();
        this.cancelRetry = undefined;
        this.cancelKick?.();
        this.cancelKick = undefined;
        this.flushing = this.runFlush();
      }
      const attempt = this.flushing;
      await this.race(attempt, remaining);
      // Failed again: pause a little (not the full backoff) before the next try within the deadline.
      if (this.buffer.size > 0 && this.cancelRetry !== undefined) await this.sleep(Math.min(250, remaining));
    }
    return this.buffer.size;
  }

  /** Stops retrying; what is still buffered stays unwritten. */
  close(): void {
    this.closed = true;
    this.cancelKick?.();
    this.cancelRetry?.();
    this.cancelKick = undefined;
    this.cancelRetry = undefined;
  }

  /**
   * Defers the flush by one timer turn so that every observation finished in the same turn rides in the same
   * pipeline; while a flush is in flight, new ones simply wait for the next batch.
   */
  private scheduleFlush(): void {
    if (this.closed || this.flushing || this.cancelKick || this.cancelRetry) return;
    this.cancelKick = this.clock.setTimer(() => {
      this.cancelKick = undefined;
      if (!this.flushing) this.flushing = this.runFlush();
    }, 0);
  }

  private async runFlush(): Promise<void> {
    try {
      while (this.buffer.size > 0 && !this.closed) {
        const batch = this.buffer.take(this.maxBatch);
        let results: Awaited<ReturnType<ObservationSinkOptions['recorder']['recordBatch']>>;
        try {
          results = await this.options.recorder.recordBatch(batch);
        } catch (error) {
          // recordBatch reports failures per item and never rejects; a throw is a bug for this batch only.
          const err = error instanceof Error ? error : new Error(String(error));
          results = batch.map(() => ({ status: 'failed', error: err, transient: false }));
        }
        const firstTransient = results.findIndex((r) => r.status === 'failed' && r.transient);
        const done = firstTransient === -1 ? batch.length : firstTransient;
        for (let i = 0; i < done; i += 1) {
          const result = results[i];
          const pending = batch[i] as PendingObservation;
          if (result === undefined) continue;
          if (result.status === 'recorded') {
            this.recorded += 1;
            this.options.onRecorded?.(result.recorded);
          } else {
            this.rejected += 1;
            this.options.onEvent?.({
              kind: 'observation-rejected',
              observation: pending.observation,
              error: result.error,
            });
          }
        }
        if (firstTransient !== -1) {
          // Sent without an answer: Redis may have applied them, so their next attempt is checked as a replay.
          const unanswered = batch.slice(firstTransient);
          for (const item of unanswered) item.replay = true;
          this.buffer.putBack(unanswered);
          const failure = results[firstTransient];
          this.markDown(failure?.status === 'failed' ? failure.error : new Error('Redis unreachable'));
          return;
        }
        this.attempts = 0;
        if (this.state === 'down') this.state = 'recovering';
      }
      if (this.state === 'recovering' && this.buffer.size === 0) this.markBack();
    } finally {
      this.flushing = undefined;
    }
  }

  private markDown(error: Error): void {
    if (this.state === 'up') {
      this.state = 'down';
      this.outage = { since: this.clock.now(), recorded: this.recorded, dropped: this.buffer.dropped };
      this.options.onEvent?.({ kind: 'redis-unreachable', error, buffered: this.buffer.size });
    } else {
      this.state = 'down';
    }
    this.attempts += 1;
    if (this.closed) return;
    const delay = this.options.retryDelay?.(this.attempts) ?? Math.min(2000, 100 * 2 ** (this.attempts - 1));
    this.cancelRetry?.();
    this.cancelRetry = this.clock.setTimer(() => {
      this.cancelRetry = undefined;
      this.scheduleFlush();
    }, delay);
  }

  private markBack(): void {
    this.state = 'up';
    this.options.onEvent?.({
      kind: 'redis-back',
      flushed: this.recorded - this.outage.recorded,
      dropped: this.buffer.dropped - this.outage.dropped,
      downForMs: this.clock.now() - this.outage.since,
    });
  }

  private race(promise: Promise<void>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimer(resolve, ms);
      void promise.finally(() => {
        cancel();
        resolve();
      });
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(resolve, ms));
  }
}

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EVALUATE_JOB_NAME, type EvaluateJobData, evaluateJobOptions, QueueName } from '../evaluator/queues';
import { type Clock, systemClock } from './clock';

export interface EvaluateTriggerOptions {
  /** The worker's (fail-fast) Redis client; shared, not closed by the trigger. */
  connection: Redis;
  /** BullMQ prefix: the deployment's key prefix. */
  prefix: string;
  /** Written into each job: `probe:<region>:<workerId>`. */
  requestedBy: string;
  clock?: Clock;
  /** An add that has not answered by then counts as failed and is retried (dedup makes the retry safe). @defaultValue 5000 */
  addTimeoutMs?: number;
  /** Pause before retrying failed adds. @defaultValue 1000 */
  retryDelayMs?: number;
  /** Called on each change between "adds work" and "adds fail" (for one log line per change). */
  onStateChange?: (state: 'ok' | 'failing', error?: Error) => void;
}

export interface EvaluateTriggerStats {
  /** Adds accepted by BullMQ (deduplicated ones included: BullMQ decides). */
  added: number;
  /** Services whose evaluate job still has to be added. */
  pending: number;
  failures: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Adds a deduplicated `evaluate` job for each service whose opinion flipped, at once. A service whose add
 * fails (Redis down) stays pending and is retried until it succeeds: a flip is never left without an
 * evaluation. A crash between the flip and the add is covered by the evaluator's own periodic tick.
 */
export class EvaluateTrigger {
  private readonly clock: Clock;
  private readonly pendingServices = new Set<string>();
  private queue: Queue | undefined;
  private draining: Promise<void> | undefined;
  private cancelRetry: (() => void) | undefined;
  private state: 'ok' | 'failing' = 'ok';
  private closed = false;
  private added = 0;
  private failures = 0;

  constructor(private readonly options: EvaluateTriggerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Asks for an evaluation of `service` as soon as possible. */
  request(service: string): void {
    if (this.closed) return;
    this.pendingServices.add(service);
    void this.drain();
  }

  /** Adds every pending job; resolves when this attempt is over (failed ones stay pending for a retry). */
  drain(): Promise<void> {
    if (this.draining) return this.draining;
    if (this.pendingServices.size === 0 || this.closed) return Promise.resolve();
    this.draining = this.addPending().finally(() => {
      this.draining = undefined;
      // Requests that came in while this attempt ran; after a failure the retry timer takes over.
      if (this.pendingServices.size > 0 && this.cancelRetry === undefined) void this.drain();
    });
    return this.draining;
  }

  stats(): EvaluateTriggerStats {
    return { added: this.added, pending: this.pendingServices.size, failures: this.failures };
  }

  /** Stops retrying and closes the queue handle (not the shared connection). */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry?.();
    await this.draining?.catch(() => undefined);
    const queue = this.queue;
    this.queue = undefined;
    if (queue) await withTimeout(queue.close(), 2000, this.clock).catch(() => undefined);
  }

  private queueHandle(): Queue {
    if (this.queue === undefined) {
      this.queue = new Queue<EvaluateJobData>(QueueName.evaluate, {
        connection: this.options.connection,
        prefix: this.options.prefix,
      });
      // Without a listener an 'error' event would crash the process; failures surface through add() instead.
      this.queue.on('error', () => undefined);
    }
    return this.queue;
  }

  private async addPending(): Promise<void> {
    const services = [...this.pendingServices];
    this.pendingServices.clear();
    const queue = this.queueHandle();
    const now = this.clock.now();
    const results = await Promise.allSettled(
      services.map((service) =>
        withTimeout(
          queue.add(
            EVALUATE_JOB_NAME,
            { service, reason: 'flip', requestedAt: now, requestedBy: this.options.requestedBy },
            evaluateJobOptions(service),
          ),
          this.options.addTimeoutMs ?? 5000,
          this.clock,
        ),
      ),
    );
    let firstError: Error | undefined;
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        this.added += 1;
        return;
      }
      this.failures += 1;
      this.pendingServices.add(services[index] as string);
      firstError ??= result.reason instanceof Error ? result.reason : new Error(String(result.reason));
    });
    if (firstError === undefined) {
      this.setState('ok');
      return;
    }
    // A Queue whose first connection attempt failed stays broken; a fresh handle starts clean.
    this.queue = undefined;
    void withTimeout(queue.close(), 2000, this.clock).catch(() => undefined);
    this.setState('failing', firstError);
    if (this.cancelRetry === undefined && !this.closed) {
      this.cancelRetry = this.clock.setTimer(() => {
        this.cancelRetry = undefined;
        void this.drain();
      }, this.options.retryDelayMs ?? 1000);
    }
  }

  private setState(state: 'ok' | 'failing', error?: Error): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onStateChange?.(state, error);
  }
}

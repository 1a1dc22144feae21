/**
 * The notify worker: a BullMQ Worker on the `notify` queue (under the deployment's key prefix) running
 * notify-processor.ts. It runs inside `quorumdns evaluate` (unless `--no-notify`) but on connections and job
 * slots of its own, so a slow or dead webhook never delays an evaluation or an apply: the worst it does is
 * hold a notify slot for the channel's timeout.
 *
 * Retries: notify jobs carry `notifyJobOptions` (10 attempts, backoff type NOTIFY_BACKOFF_TYPE); this
 * worker's backoff strategy is exponential from the job's delay, except after a 429 that said how long to
 * wait (Retry-After, capped), which it honours instead.
 */
import type { Job, MinimalJob } from 'bullmq';
import { Registry } from 'prom-client';
import type { Config } from '../config/types';
import { QueueName } from '../evaluator/queues';
import { createNotifyMetrics, type NotifyMetrics } from '../metrics/notify-metrics';
import type { Logger } from '../probe/logger';
import { QueueWorkerHost } from '../queue/queue-worker-host';
import { redisKeys } from '../redis/keys';
import { RateLimitedError } from './delivery-errors';
import { FailedNotificationStore } from './failed-notifications';
import { type NotifyJobResult, type NotifyProcessingOptions, NotifyProcessor } from './notify-processor';

export interface NotifyWorkerOptions extends NotifyProcessingOptions {
  /** The config in force; a function so a reload (SIGHUP) reaches the next job. */
  config: () => Config;
  /** Resolved Redis URL (never logged unredacted). */
  redisUrl: string;
  logger: Logger;
  /** Metrics go here (the evaluator's registry when embedded). @defaultValue a new Registry */
  registry?: Registry;
  /** Shows in each job's `processedBy`. @defaultValue `notify` */
  id?: string;
  /** Deliveries in flight at once (each bounded by its channel's timeout). @defaultValue 8 */
  concurrency?: number;
  /** BullMQ lock of a job; renewed while it runs. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often the worker looks for stalled jobs. @defaultValue 15000 */
  stalledIntervalMs?: number;
}

export class NotifyWorker {
  readonly metrics: NotifyMetrics;
  private readonly host: QueueWorkerHost;

  private constructor(options: NotifyWorkerOptions) {
    const keys = redisKeys(options.config().deployment.redis.keyPrefix);
    this.host = new QueueWorkerHost({
      role: 'notify',
      id: options.id ?? 'notify',
      redisUrl: options.redisUrl,
      queuePrefix: keys.queuePrefix,
      logger: options.logger,
    });
    const commands = this.host.commands;
    const failures = new FailedNotificationStore(commands, keys);
    this.metrics = createNotifyMetrics(options.registry ?? new Registry(), {
      failedCount: () => failures.count(),
    });
    const processor = new NotifyProcessor({
      ...options,
      redis: commands,
      keys,
      queue: this.host.queue(QueueName.notify),
      metrics: this.metrics,
    });
    this.host.createWorker(
      QueueName.notify,
      (job: Job, token?: string): Promise<NotifyJobResult> => processor.process(job, token),
      {
        concurrency: options.concurrency ?? 8,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 15_000,
        settings: { backoffStrategy: notifyBackoff },
      },
    );
  }

  /** Connects and starts taking jobs. */
  static async start(options: NotifyWorkerOptions): Promise<NotifyWorker> {
    const worker = new NotifyWorker(options);
    await worker.host.start();
    return worker;
  }

  isRunning(): boolean {
    return this.host.isRunning();
  }

  /** Graceful: deliveries in flight finish (each within its channel's timeout). `force` abandons them. */
  close(force = false): Promise<void> {
    return this.host.close(force);
  }
}

/** Default first step of the exponential backoff when a job names none. */
const DEFAULT_BACKOFF_MS = 1000;

/**
 * Backoff of notify jobs: the remote's Retry-After after a 429 that sent one; otherwise exponential from the
 * job's `backoff.delay`, with up to 10 % jitter so the jobs of one outage do not retry in lockstep.
 */
export function notifyBackoff(attemptsMade: number, _type?: string, error?: Error, job?: MinimalJob): number {
  if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const backoff = job?.opts.backoff;
  const base =
    typeof backoff === 'object' && backoff.delay !== undefined ? backoff.delay : DEFAULT_BACKOFF_MS;
  const delay = 2 ** Math.max(0, attemptsMade - 1) * base;
  return Math.round(delay * (1 + Math.random() / 10));
}

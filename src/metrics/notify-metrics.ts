/**
 * Prometheus metrics of the notify worker (prom-client), registered in the evaluator's registry when it runs
 * in `quorumdns evaluate`. Labels are channel names and fixed words: never a URL.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DeliveryOutcome =
  /** The remote accepted the message. */
  | 'delivered'
  /** The attempt failed and the job will try again (transient error, 429). */
  | 'retry'
  /** Given up: permanent answer or every attempt used; listed by `quorumdns notify failed`. */
  | 'failed';

export interface NotifyMetrics {
  /** Delivery attempts by channel, message kind (events, reminder, retry) and outcome. */
  notifications: Counter<'channel' | 'kind' | 'outcome'>;
  /** Duration of one HTTP attempt. */
  requestSeconds: Histogram<'channel'>;
  /** From the newest event of a message (Redis ms) to its delivery: what an on-call person waits. */
  deliveryLagSeconds: Histogram<'channel'>;
  /** Groups stepped over without a message: nothing worth saying, or stale events. */
  skippedGroups: Counter<'channel' | 'reason'>;
}

export interface NotifyMetricsOptions {
  /** Read at scrape time for `quorumdns_notifications_failed`; a failure leaves the gauge empty. */
  failedCount?: () => Promise<number>;
}

export function createNotifyMetrics(registry: Registry, options: NotifyMetricsOptions = {}): NotifyMetrics {
  const registers = [registry];
  const failedCount = options.failedCount;
  // Read from Redis at scrape time: right after a restart, and across several workers.
  new Gauge({
    name: 'quorumdns_notifications_failed',
    help: 'Undelivered notifications listed by `quorumdns notify failed` (waiting for `notify retry`).',
    registers,
    async collect() {
      if (failedCount === undefined) return;
      try {
        this.set(await failedCount());
      } catch {
        this.reset();
      }
    },
  });
  return {
    notifications: new Counter({
      name: 'quorumdns_notifications_total',
      help: 'Notification delivery attempts by channel, kind (events, reminder, retry) and outcome (delivered, retry, failed).',
      labelNames: ['channel', 'kind', 'outcome'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'quorumdns_notification_request_duration_seconds',
      help: 'Duration of one webhook request (connect to complete answer, or the timeout).',
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    deliveryLagSeconds: new Histogram({
      name: 'quorumdns_notification_delivery_lag_seconds',
      help: 'From the newest event of a message to its delivery (quiet period, retries and request included).',
      labelNames: ['channel'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    skippedGroups: new Counter({
      name: 'quorumdns_notification_groups_skipped_total',
      help: 'Event groups stepped over without a message, by reason (nothing-to-send, expired).',
      labelNames: ['channel', 'reason'],
      registers,
    }),
  };
}

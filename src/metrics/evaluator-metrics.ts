/**
 * Prometheus metrics of `quorumdns evaluate` (prom-client). Names follow Prometheus conventions:
 * `quorumdns_` prefix, `_total` counters, `_seconds` histograms.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type EvaluationOutcome = 'decision-changed' | 'state-committed' | 'unchanged' | 'skipped' | 'error';

/** Job counts of one queue by BullMQ state (waiting, active, delayed, completed, failed, ...). */
export type QueueCounts = Record<string, Record<string, number>>;

export interface EvaluatorMetrics {
  readonly registry: Registry;
  evaluations: Counter<'outcome'>;
  evaluationSeconds: Histogram<'reason'>;
  decisions: Counter<'service'>;
  generation: Gauge<'service'>;
  events: Counter<'kind' | 'severity'>;
  commitConflicts: Counter;
  jobsAdded: Counter<'queue'>;
  unreadableProbeValues: Counter;
  managedServices: Gauge;
  configInfo: Gauge<'hash'>;
  configReloads: Counter<'result'>;
}

export interface EvaluatorMetricsOptions {
  /** Read on every scrape for `quorumdns_queue_jobs`; a failure leaves the gauge empty rather than failing the scrape. */
  queueCounts?: () => Promise<QueueCounts>;
}

export function createEvaluatorMetrics(
  registry: Registry,
  options: EvaluatorMetricsOptions = {},
): EvaluatorMetrics {
  const registers = [registry];
  const queueCounts = options.queueCounts;
  // Queue depths are read from Redis at scrape time, so they are right even right after a restart.
  new Gauge({
    name: 'quorumdns_queue_jobs',
    help: 'Jobs in the evaluate/apply/notify queues by state (completed and failed: those still retained).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      if (queueCounts === undefined) return;
      this.reset();
      try {
        const counts = await queueCounts();
        for (const [queue, byState] of Object.entries(counts)) {
          for (const [state, count] of Object.entries(byState)) this.set({ queue, state }, count);
        }
      } catch {
        // Redis unreachable: /readyz says so; the scrape still returns every other metric.
      }
    },
  });
  return {
    registry,
    evaluations: new Counter({
      name: 'quorumdns_evaluations_total',
      help: 'Service evaluations by outcome (decision-changed, state-committed, unchanged, skipped, error).',
      labelNames: ['outcome'],
      registers,
    }),
    evaluationSeconds: new Histogram({
      name: 'quorumdns_evaluation_duration_seconds',
      help: 'Time of one service evaluation: Redis reads, decision core, commit and job adds.',
      labelNames: ['reason'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    decisions: new Counter({
      name: 'quorumdns_decisions_total',
      help: 'New decision generations committed by this evaluator, per service.',
      labelNames: ['service'],
      registers,
    }),
    generation: new Gauge({
      name: 'quorumdns_decision_generation',
      help: 'Last decision generation this evaluator saw per service.',
      labelNames: ['service'],
      registers,
    }),
    events: new Counter({
      name: 'quorumdns_events_total',
      help: 'Events committed to the audit streams by this evaluator, by kind and severity.',
      labelNames: ['kind', 'severity'],
      registers,
    }),
    commitConflicts: new Counter({
      name: 'quorumdns_commit_conflicts_total',
      help: 'Commits that lost the compare-and-set to another evaluation (re-read and re-decided).',
      registers,
    }),
    jobsAdded: new Counter({
      name: 'quorumdns_jobs_added_total',
      help: 'Apply and notify jobs added (re-adds of an existing job id included).',
      labelNames: ['queue'],
      registers,
    }),
    unreadableProbeValues: new Counter({
      name: 'quorumdns_unreadable_probe_values_total',
      help: 'Opinion or heartbeat values in Redis that could not be read and counted as unknown/stale.',
      registers,
    }),
    managedServices: new Gauge({
      name: 'quorumdns_managed_services',
      help: 'Services in the configuration this evaluator runs with.',
      registers,
    }),
    configInfo: new Gauge({
      name: 'quorumdns_config_info',
      help: 'Always 1; the label carries the hash of the configuration in force.',
      labelNames: ['hash'],
      registers,
    }),
    configReloads: new Counter({
      name: 'quorumdns_config_reloads_total',
      help: 'Configuration reloads (SIGHUP) by result: applied or refused.',
      labelNames: ['result'],
      registers,
    }),
  };
}

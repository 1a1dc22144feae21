/**
 * Prometheus metrics of `quorumdns probe` (prom-client), served by `startHealthServer` when the command is
 * given `--metrics-port`. Names follow the evaluator's: `quorumdns_` prefix, `_total` counters, `_seconds`.
 *
 * Every value is read from the worker's own counters at scrape time (`collect`), never pushed per check:
 * the check path only bumps plain numbers it already keeps, so metrics cost nothing between scrapes and
 * nothing at all when no metrics port is configured.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProbeWorker } from '../probe/worker';

/** What the metrics read from a running worker (a `ProbeWorker`, or a stand-in in tests). */
export type ProbeMetricsSource = Pick<
  ProbeWorker,
  | 'region'
  | 'workerId'
  | 'currentConfig'
  | 'stats'
  | 'checksByService'
  | 'flipsByServiceAndOpinion'
  | 'slipHistogram'
  | 'redisConnected'
>;

export interface ProbeMetrics {
  readonly registry: Registry;
  /** Counted by the command on SIGHUP (`applied` or `refused`); the only metric pushed rather than read. */
  configReloads: Counter<'result'>;
}

/** One line of prom-client's exposition (what its own histogram hands the registry). */
interface ExportedSample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

interface ExportedHistogram {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: ExportedSample[];
}

/**
 * A histogram whose buckets are kept by the worker (`SlipHistogram`), not by prom-client: prom-client's
 * `observe` allocates per call, and slip is measured on every check. The exposition format is prom-client's
 * own (cumulative `_bucket{le}`, `+Inf`, `_sum`, `_count`).
 */
class SlipSecondsHistogram extends Histogram {
  constructor(
    registry: Registry,
    private readonly source: Pick<ProbeMetricsSource, 'slipHistogram'>,
    boundsMs: readonly number[],
  ) {
    super({
      name: 'quorumdns_schedule_slip_seconds',
      help: 'How late checks started relative to their scheduled slot (since the worker started).',
      buckets: boundsMs.map((ms) => ms / 1000),
      registers: [registry],
    });
  }

  /** Called by prom-client's `Registry.metrics()` (and by `get()`) in place of reading its own buckets. */
  getForPromString(): Promise<ExportedHistogram> {
    const snapshot = this.source.slipHistogram();
    const bucket = `${this.name}_bucket`;
    const values: ExportedSample[] = [];
    let cumulative = 0;
    for (let i = 0; i < snapshot.boundsMs.length; i += 1) {
      cumulative += snapshot.counts[i] ?? 0;
      const le = (snapshot.boundsMs[i] as number) / 1000;
      values.push({ labels: { le }, sharedLabels: {}, value: cumulative, metricName: bucket });
    }
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: {}, value: snapshot.count, metricName: bucket },
      { labels: {}, sharedLabels: {}, value: snapshot.sumMs / 1000, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: {}, value: snapshot.count, metricName: `${this.name}_count` },
    );
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: 'histogram',
      aggregator: 'sum',
      values,
    });
  }

  // prom-client declares these on the instance but not in its typings.
  declare readonly name: string;
  declare readonly help: string;
}

/** A counter that shows a total the worker keeps (monotonic since start), set at scrape time. */
function totalCounter<T extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames?: readonly T[] },
  read: (set: (labels: Partial<Record<T, string>>, value: number) => void) => void,
): Counter<T> {
  return new Counter<T>({
    ...config,
    registers: [registry],
    collect() {
      // Synchronous between reset and the last inc: two concurrent scrapes cannot interleave here.
      this.reset();
      read((labels, value) => this.inc(labels, value));
    },
  });
}

function readGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/**
 * `worker.stats()` once per scrape rather than once per metric: it sorts the slip window (10,000 samples)
 * for its percentiles. prom-client runs every `collect` of one scrape synchronously in a row, so a value
 * kept until the next microtask serves exactly one scrape.
 */
function oncePerScrape<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: read() };
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

/** Creates the probe metrics on `registry`, reading `worker` at every scrape. */
export function createProbeMetrics(registry: Registry, worker: ProbeMetricsSource): ProbeMetrics {
  const stats = oncePerScrape(() => worker.stats());
  totalCounter(
    registry,
    {
      name: 'quorumdns_checks_total',
      help: 'Checks finished by this probe worker, by service and result (ok or the failure class).',
      labelNames: ['service', 'result'] as const,
    },
    (set) => {
      for (const [service, byClass] of worker.checksByService()) {
        for (const [result, count] of Object.entries(byClass)) {
          // `ok` always (so a rate starts at zero), failure classes once they happened: 9 series per
          // service for a thousand services would mostly say zero.
          if (count > 0 || result === 'ok') set({ service, result }, count);
        }
      }
    },
  );
  totalCounter(
    registry,
    {
      name: 'quorumdns_opinion_flips_total',
      help: "Flips of this probe region's opinion recorded by this worker, by service and new opinion.",
      labelNames: ['service', 'to'] as const,
    },
    (set) => {
      for (const [service, byOpinion] of worker.flipsByServiceAndOpinion()) {
        for (const [to, count] of Object.entries(byOpinion)) if (count > 0) set({ service, to }, count);
      }
    },
  );
  new SlipSecondsHistogram(registry, worker, worker.slipHistogram().boundsMs);
  totalCounter(
    registry,
    {
      name: 'quorumdns_missed_slots_total',
      help: 'Slots that produced no check: the previous check was still running or waiting, or the process stalled.',
    },
    (set) => set({}, stats().scheduler.missedSlots),
  );
  new Gauge({
    name: 'quorumdns_checks_pending',
    help: 'Checks in flight, and due checks waiting for a concurrency slot.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { inFlight, waiting } = stats().scheduler;
      this.set({ state: 'in_flight' }, inFlight);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  readGauge(
    registry,
    'quorumdns_buffered_observations',
    'Observations held in memory, waiting to be written to Redis.',
    () => stats().sink.buffered,
  );
  totalCounter(
    registry,
    {
      name: 'quorumdns_dropped_observations_total',
      help: 'Observations pushed out of the full buffer during a Redis outage (oldest first), never written.',
    },
    (set) => set({}, stats().sink.dropped),
  );
  totalCounter(
    registry,
    {
      name: 'quorumdns_observations_written_total',
      help: 'Observations written to Redis (recorded), and those Redis refused for good (rejected).',
      labelNames: ['result'] as const,
    },
    (set) => {
      const sink = stats().sink;
      set({ result: 'recorded' }, sink.recorded);
      set({ result: 'rejected' }, sink.rejected);
    },
  );
  readGauge(
    registry,
    'quorumdns_redis_connected',
    '1 while the Redis client is connected and ready, 0 otherwise.',
    () => (worker.redisConnected() ? 1 : 0),
  );
  totalCounter(
    registry,
    {
      name: 'quorumdns_evaluate_job_adds_total',
      help: 'Evaluate jobs added on opinion flips (added), and adds that failed and are retried (failed).',
      labelNames: ['result'] as const,
    },
    (set) => {
      const evaluate = stats().evaluate;
      set({ result: 'added' }, evaluate.added);
      set({ result: 'failed' }, evaluate.failures);
    },
  );
  readGauge(
    registry,
    'quorumdns_evaluate_jobs_pending',
    'Services whose evaluate job could not be added yet (Redis unreachable).',
    () => stats().evaluate.pending,
  );
  totalCounter(
    registry,
    {
      name: 'quorumdns_heartbeats_total',
      help: 'Heartbeats written (ok) and failed (failed).',
      labelNames: ['result'] as const,
    },
    (set) => {
      const heartbeat = stats().heartbeat;
      set({ result: 'ok' }, heartbeat.beats);
      set({ result: 'failed' }, heartbeat.failures);
    },
  );
  readGauge(
    registry,
    'quorumdns_probe_targets',
    'Endpoints this worker probes (service endpoints listing its region).',
    () => stats().scheduler.targets,
  );
  new Gauge({
    name: 'quorumdns_probe_info',
    help: 'Always 1; the labels name the probe region and worker.',
    labelNames: ['region', 'worker_id'],
    registers: [registry],
  }).set({ region: worker.region, worker_id: worker.workerId }, 1);
  new Gauge({
    name: 'quorumdns_config_info',
    help: 'Always 1; the label carries the hash of the configuration in force.',
    labelNames: ['hash'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ hash: worker.currentConfig.hash }, 1);
    },
  });
  return {
    registry,
    configReloads: new Counter({
      name: 'quorumdns_config_reloads_total',
      help: 'Configuration reloads (SIGHUP) by result: applied or refused.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

/**
 * Prometheus metrics of `quorumdns probe`, defined here so both processes name things the same way. The
 * probe command creates them on its registry and serves them with `startHealthServer`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProbeMetrics {
  readonly registry: Registry;
  /** One per check: `result` = `ok` or the failure class (`timeout`, `refused`, `status`, ...). */
  checks: Counter<'service' | 'result'>;
  /** Opinion flips recorded by this worker. */
  opinionFlips: Counter<'service' | 'to'>;
  /** How late a check started relative to its slot. */
  scheduleSlipSeconds: Histogram;
  /** Observations waiting in the worker's buffer (Redis slow or down). */
  bufferedObservations: Gauge;
}

export function createProbeMetrics(registry: Registry): ProbeMetrics {
  const registers = [registry];
  return {
    registry,
    checks: new Counter({
      name: 'quorumdns_checks_total',
      help: 'Checks run by this probe worker, by service and result class (ok or the failure class).',
      labelNames: ['service', 'result'],
      registers,
    }),
    opinionFlips: new Counter({
      name: 'quorumdns_opinion_flips_total',
      help: 'Opinion flips of this probe region recorded by this worker, by service and new opinion.',
      labelNames: ['service', 'to'],
      registers,
    }),
    scheduleSlipSeconds: new Histogram({
      name: 'quorumdns_schedule_slip_seconds',
      help: 'How late checks start relative to their scheduled slot.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    bufferedObservations: new Gauge({
      name: 'quorumdns_buffered_observations',
      help: 'Observations buffered in memory, waiting for Redis.',
      registers,
    }),
  };
}

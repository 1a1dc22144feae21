/**
 * Prometheus metrics of the apply worker (prom-client), registered in the evaluator's registry. Names follow
 * Prometheus conventions: `quorumdns_` prefix, `_total` counters, `_seconds` histograms.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ApplyOutcome =
  /** Changes were submitted, in sync and verified. */
  | 'applied'
  /** The provider already held the decision: nothing to change. */
  | 'unchanged'
  /** A dry drill: planned only. */
  | 'dry-run'
  /** The job's generation was at or below the applied one (fencing). */
  | 'dropped'
  /** Another apply held the target's lease: the job was delayed to run again shortly. */
  | 'busy'
  /** Failed, will be retried. */
  | 'failed-transient'
  /** Failed for good (permanent error, or the last attempt). */
  | 'failed-permanent';

export interface ApplyMetrics {
  applies: Counter<'provider' | 'outcome'>;
  applySeconds: Histogram<'provider'>;
  fenced: Counter<'provider'>;
  appliedGeneration: Gauge<'service' | 'provider' | 'zone'>;
}

export function createApplyMetrics(registry: Registry): ApplyMetrics {
  const registers = [registry];
  return {
    applies: new Counter({
      name: 'quorumdns_applies_total',
      help: 'Apply jobs by provider and outcome (applied, unchanged, dry-run, dropped, busy, failed-transient, failed-permanent).',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    applySeconds: new Histogram({
      name: 'quorumdns_apply_duration_seconds',
      help: 'Time of one apply that reached the provider: read, plan, submit, wait for sync, verify.',
      labelNames: ['provider'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    fenced: new Counter({
      name: 'quorumdns_apply_fenced_total',
      help: 'Apply jobs dropped because a newer (or the same) generation was already applied to the target.',
      labelNames: ['provider'],
      registers,
    }),
    appliedGeneration: new Gauge({
      name: 'quorumdns_applied_generation',
      help: 'Last decision generation applied and in sync per provider target (as seen by this process).',
      labelNames: ['service', 'provider', 'zone'],
      registers,
    }),
  };
}

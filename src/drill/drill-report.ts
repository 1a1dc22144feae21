/**
 * What a drill produces: a timeline of steps measured on the Redis clock, the objectives judged against it,
 * the structural checks (did the pool drain at all, did DNS follow, did it fail back) and the verdict.
 * Written as JSON, Markdown and SVG (write-drill-report.ts) and stored in `ServiceKeys.drillRuns`.
 */
import type { Millis } from '../config/types';

export type StepName =
  | 'injected'
  | 'first-flip'
  | 'quorum'
  | 'decision'
  | 'submitted'
  | 'in-sync'
  | 'answer'
  | 'notified'
  | 'restored'
  | 'pool-up'
  | 'failback-decision'
  | 'failback-applied';

/** The steps in the order they are expected to happen (the report lists them in this order). */
export const STEP_ORDER: readonly StepName[] = [
  'injected',
  'first-flip',
  'quorum',
  'decision',
  'submitted',
  'in-sync',
  'answer',
  'notified',
  'restored',
  'pool-up',
  'failback-decision',
  'failback-applied',
];

export type StepStatus =
  /** It happened, at `at`. */
  | 'done'
  /** It does not apply to this drill (dry mode, no name server reachable, no notification route, ...). */
  | 'skipped'
  /** It should have happened and did not before the drill stopped waiting for it. */
  | 'missed'
  /** A safety rule kept it from happening (`rule` names it). */
  | 'blocked'
  /** It was attempted and failed (an apply error). */
  | 'failed'
  /** Still waited for (only while the drill runs; never in a finished report). */
  | 'pending';

export interface TimelineStep {
  step: StepName;
  /** `<provider>/<zone>` for the per-target steps (submitted, in-sync, failback-applied). */
  target?: string;
  /** What a person reads: `change submitted (local lab/lab.test)`. */
  label: string;
  status: StepStatus;
  /** Redis-clock epoch ms. */
  at?: number;
  /** `at` minus the injection time. */
  offsetMs?: Millis;
  detail?: string;
  /** The safety rule that blocked the step. */
  rule?: string;
}

export type ObjectiveName = 'failoverWithin' | 'failbackWithin' | 'notifyWithin';

export interface ObjectiveResult {
  objective: ObjectiveName;
  /** Absent when the service sets no such objective (then `status` is `not-judged`). */
  limitMs?: Millis;
  /** Steps the objective is measured between, e.g. `injected -> answer`. */
  from: StepName;
  to: StepName;
  measuredMs?: Millis;
  status: 'pass' | 'fail' | 'not-judged';
  reason: string;
}

export interface DrillCheck {
  /** `failover`, `dns`, `answer`, `notify`, `restore`, `failback`, `completed`. */
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  reason: string;
}

export interface DrillReport {
  /** Format version of this JSON. */
  version: 1;
  id: string;
  service: string;
  pools: string[];
  mode: 'dry' | 'live';
  by: string;
  reason?: string;
  /** `cli` or `scheduler:<schedule id>` (`schedulerTrigger`). */
  trigger: string;
  dnsNames: string[];
  /** Provider targets of the service, `<provider>/<zone>`. */
  targets: string[];
  /** Redis-clock epoch ms of the injection, the planned end and the end of the drill. */
  startedAt: number;
  plannedEndAt: number;
  finishedAt: number;
  durationMs: Millis;
  /** Decision generations of the failover and the failback, when they happened. */
  generations: { before: number; failover?: number; failback?: number };
  timeline: TimelineStep[];
  objectives: ObjectiveResult[];
  checks: DrillCheck[];
  verdict: 'pass' | 'fail';
  /** Why it failed (empty when it passed). */
  reasons: string[];
  /** Set when the drill was stopped early: `SIGINT`, `SIGTERM`, `stopped by an operator`, ... */
  interrupted?: string;
  /** Where the report files were written (absent when none were). */
  files?: { json: string; markdown: string; svg: string };
}

/** The offset of a step from the injection: what tables and the picture show. */
export function stepOffset(step: TimelineStep, startedAt: number): number | undefined {
  return step.at === undefined ? undefined : step.at - startedAt;
}

/** What a scheduled drill's `trigger` (and `by`) starts with; the schedule's id follows. */
export const SCHEDULER_TRIGGER_PREFIX = 'scheduler:';

/** The `trigger` and `by` of a drill run by schedule `scheduleId`. */
export function schedulerTrigger(scheduleId: string): string {
  return `${SCHEDULER_TRIGGER_PREFIX}${scheduleId}`;
}

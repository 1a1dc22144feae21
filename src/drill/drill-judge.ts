/**
 * Judges a finished timeline: the service's drill objectives (a missing objective is not judged) and the
 * checks every drill makes whatever its objectives (the pool drained at all, DNS followed, it failed back).
 * Pure. A dry drill is judged up to the decision: `failoverWithin` runs from the injection to the decision,
 * and nothing after the restore is judged.
 */
import { formatDuration } from '../quorum/format-duration';
import type { DrillObjectives } from '../config/types';
import type { DrillCheck, ObjectiveName, ObjectiveResult, StepName, TimelineStep } from './drill-report';

export interface JudgeInput {
  timeline: TimelineStep[];
  objectives: DrillObjectives;
  mode: 'dry' | 'live';
  /** Set when the drill was stopped before its end. */
  interrupted?: string;
}

export interface Judgement {
  objectives: ObjectiveResult[];
  checks: DrillCheck[];
  verdict: 'pass' | 'fail';
  reasons: string[];
}

/** The time a step (all its targets) was done: the latest target's time; `undefined` unless every one is done. */
/** When a step was done at every target (the latest target's time); undefined unless all were done. */
export function doneAt(timeline: readonly TimelineStep[], step: StepName): number | undefined {
  const steps = timeline.filter((candidate) => candidate.step === step);
  if (steps.length === 0 || steps.some((candidate) => candidate.status !== 'done')) return undefined;
  return Math.max(...steps.map((candidate) => candidate.at ?? Number.NaN));
}

function statusOf(timeline: TimelineStep[], step: StepName): TimelineStep['status'] | undefined {
  const steps = timeline.filter((candidate) => candidate.step === step);
  if (steps.length === 0) return undefined;
  for (const status of ['failed', 'blocked', 'missed', 'pending', 'skipped'] as const) {
    if (steps.some((candidate) => candidate.status === status)) return status;
  }
  return 'done';
}

/** Why a step is not done, for a reason line: `blocked by rule max-drained-pools: ...`. */
function whyNot(timeline: TimelineStep[], step: StepName): string {
  const steps = timeline.filter((candidate) => candidate.step === step && candidate.status !== 'done');
  const [first] = steps;
  if (first === undefined) return `${step} did not happen`;
  const where = first.target !== undefined ? ` at ${first.target}` : '';
  switch (first.status) {
    case 'blocked':
      return `${first.label} was blocked by rule ${first.rule ?? '?'}${first.detail ? `: ${first.detail}` : ''}`;
    case 'failed':
      return `${first.label}${where} failed${first.detail ? `: ${first.detail}` : ''}`;
    case 'skipped':
      return `${first.label}${where} was skipped${first.detail ? ` (${first.detail})` : ''}`;
    default:
      return `${first.label}${where} did not happen${first.detail ? ` (${first.detail})` : ''}`;
  }
}

/** Where the failover is measured to: the answer seen at the name servers, else the change submitted, else the decision. */
function failoverEnd(timeline: TimelineStep[], mode: 'dry' | 'live'): StepName {
  if (mode === 'dry') return 'decision';
  const answer = statusOf(timeline, 'answer');
  if (answer !== 'skipped' && answer !== undefined) return 'answer';
  const submitted = statusOf(timeline, 'submitted');
  if (submitted !== 'skipped' && submitted !== undefined) return 'submitted';
  return 'decision';
}

function judgeObjective(
  name: ObjectiveName,
  limit: number | undefined,
  timeline: TimelineStep[],
  from: StepName,
  to: StepName,
  notJudged?: string,
): ObjectiveResult {
  const base = { objective: name, from, to, ...(limit !== undefined ? { limitMs: limit } : {}) };
  if (limit === undefined) {
    return { ...base, status: 'not-judged', reason: `no drill.${name} objective is set` };
  }
  if (notJudged !== undefined) return { ...base, status: 'not-judged', reason: notJudged };
  const start = doneAt(timeline, from);
  const end = doneAt(timeline, to);
  if (start === undefined) return { ...base, status: 'fail', reason: whyNot(timeline, from) };
  if (end === undefined) {
    if (statusOf(timeline, to) === 'skipped') {
      return { ...base, status: 'not-judged', reason: whyNot(timeline, to) };
    }
    return { ...base, status: 'fail', reason: whyNot(timeline, to) };
  }
  const measured = end - start;
  const within = measured <= limit;
  return {
    ...base,
    measuredMs: measured,
    status: within ? 'pass' : 'fail',
    reason: `${from} -> ${to} took ${formatDuration(measured)}, ${within ? 'within' : 'over'} the ${formatDuration(limit)} objective`,
  };
}

export function judgeDrill(input: JudgeInput): Judgement {
  const { timeline, objectives, mode } = input;
  const dry = mode === 'dry';
  const results: ObjectiveResult[] = [
    judgeObjective(
      'failoverWithin',
      objectives.failoverWithin,
      timeline,
      'injected',
      failoverEnd(timeline, mode),
    ),
    judgeObjective(
      'failbackWithin',
      objectives.failbackWithin,
      timeline,
      'restored',
      statusOf(timeline, 'failback-applied') === undefined ? 'failback-decision' : 'failback-applied',
      dry ? 'dry drill: judged up to the decision' : undefined,
    ),
    judgeObjective('notifyWithin', objectives.notifyWithin, timeline, 'injected', 'notified'),
  ];

  const checks: DrillCheck[] = [];
  const check = (name: string, step: StepName, what: string): void => {
    const status = statusOf(timeline, step);
    if (status === undefined) {
      checks.push({ name, status: 'skipped', reason: 'does not apply (the service has no provider target)' });
    } else if (status === 'skipped') {
      checks.push({ name, status: 'skipped', reason: whyNot(timeline, step) });
    } else if (status === 'done') {
      checks.push({ name, status: 'pass', reason: what });
    } else {
      checks.push({ name, status: 'fail', reason: whyNot(timeline, step) });
    }
  };
  check('failover', 'decision', 'the drilled pool was drained');
  if (!dry) {
    check('dns', 'in-sync', 'every provider target is in sync with the failover');
    check('answer', 'answer', 'the name servers answer without the drilled pool');
  } else {
    check('plan', 'submitted', 'every provider target planned the change without applying it');
  }
  check('notify', 'notified', 'a notification of the outage was delivered');
  check('restore', 'restored', 'the drill overlay was removed');
  if (!dry) check('failback', 'failback-applied', 'traffic came back to the drilled pool');
  if (input.interrupted !== undefined) {
    checks.push({
      name: 'completed',
      status: 'fail',
      reason: `the drill was interrupted (${input.interrupted})`,
    });
  }

  const reasons = [
    ...checks.filter((c) => c.status === 'fail').map((c) => `${c.name}: ${c.reason}`),
    ...results.filter((r) => r.status === 'fail').map((r) => `${r.objective}: ${r.reason}`),
  ];
  return { objectives: results, checks, verdict: reasons.length === 0 ? 'pass' : 'fail', reasons };
}

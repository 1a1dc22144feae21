/**
 * The lab scenario's timeline: what happened, when (Redis-clock ms, the clock every quorumdns process stamps
 * its writes with), as offsets from the moment the data center went down. Rendered as aligned plain text (the
 * styles are no-ops off a TTY) and as JSON (`--json-timeline`).
 */
import type { TextStyle } from '../status/text-style';
import { renderTable } from '../status/text-style';

export type LabStepName =
  | 'outage'
  | 'first-flip'
  | 'quorum'
  | 'decision'
  | 'submitted'
  | 'in-sync'
  | 'dns-changed'
  | 'notified'
  | 'recovered'
  | 'pool-up'
  | 'failback-decision'
  | 'failback-applied'
  | 'dns-back'
  | 'recovery-notified';

/** Short names for the timeline's step column. */
export const LAB_STEP_LABELS: Record<LabStepName, string> = {
  outage: 'outage',
  'first-flip': 'first flip',
  quorum: 'quorum',
  decision: 'decision',
  submitted: 'change submitted',
  'in-sync': 'provider in sync',
  'dns-changed': 'DNS changed',
  notified: 'notified',
  recovered: 'back up',
  'pool-up': 'quorum: pool up',
  'failback-decision': 'failback decision',
  'failback-applied': 'failback applied',
  'dns-back': 'DNS back',
  'recovery-notified': 'recovery notified',
};

/** The steps the measured line reports, in order: the failover as a client and an operator see it. */
export const MEASURED_STEPS: readonly LabStepName[] = [
  'first-flip',
  'quorum',
  'decision',
  'dns-changed',
  'notified',
];

export interface LabTimelineStep {
  step: LabStepName;
  /** `<provider>/<zone>` for the per-target steps. */
  target?: string;
  /** Redis-clock epoch ms. */
  at: number;
  /** `at` minus the outage. */
  offsetMs: number;
  detail: string;
}

/** What `--json-timeline` writes (format version 1). */
export interface LabTimelineJson {
  version: 1;
  service: string;
  pool: string;
  /** Redis-clock epoch ms the data center stopped listening. */
  outageAt: number;
  /** Steady state before the outage: the name and its answer. */
  steadyAnswer: string;
  /** In time order. */
  steps: LabTimelineStep[];
  /** Offsets from the outage of the steps of the failover (`MEASURED_STEPS`) and of the recovery. */
  measured: Partial<Record<LabStepName, number>>;
  /** The floor of detection: check interval x failureThreshold. */
  detectionFloorMs: number;
  failbackAfterMs: number;
}

export class LabTimeline {
  private readonly steps: LabTimelineStep[] = [];

  constructor(readonly outageAt: number) {}

  /** Adds a step (the first time of a step and target wins: a late sighting never rewrites a time). */
  add(step: LabStepName, at: number, detail: string, target?: string): boolean {
    if (this.has(step, target)) return false;
    this.steps.push({
      step,
      ...(target !== undefined ? { target } : {}),
      at,
      offsetMs: at - this.outageAt,
      detail,
    });
    return true;
  }

  has(step: LabStepName, target?: string): boolean {
    return this.steps.some(
      (entry) => entry.step === step && (target === undefined || entry.target === target),
    );
  }

  get(step: LabStepName): LabTimelineStep | undefined {
    return this.steps.find((entry) => entry.step === step);
  }

  /** In time order; ties keep the order the steps are expected in. */
  list(): LabTimelineStep[] {
    const order = Object.keys(LAB_STEP_LABELS);
    return [...this.steps].sort((a, b) => a.at - b.at || order.indexOf(a.step) - order.indexOf(b.step));
  }

  toJson(input: Omit<LabTimelineJson, 'version' | 'outageAt' | 'steps' | 'measured'>): LabTimelineJson {
    const measured: Partial<Record<LabStepName, number>> = {};
    for (const name of [...MEASURED_STEPS, 'recovered', 'failback-decision', 'dns-back'] as LabStepName[]) {
      const step = this.get(name);
      if (step !== undefined) measured[name] = step.offsetMs;
    }
    return { version: 1, ...input, outageAt: this.outageAt, steps: this.list(), measured };
  }
}

/** `+2.345 s`, `-0.120 s`: offsets with millisecond resolution, signed, fixed width for alignment. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  return `${sign}${(Math.abs(ms) / 1000).toFixed(3)} s`;
}

/** The timeline as aligned rows: offset, step, detail. */
export function renderLabTimeline(json: LabTimelineJson, style: TextStyle): string[] {
  const rows: string[][] = [[style.dim('offset'), style.dim('step'), style.dim('what happened')]];
  rows.push([style.dim('before'), 'steady state', json.steadyAnswer]);
  for (const step of json.steps) {
    const label = LAB_STEP_LABELS[step.step] + (step.target !== undefined ? ` (${step.target})` : '');
    const styled =
      step.step === 'outage' ? style.bad(label) : step.step === 'recovered' ? style.good(label) : label;
    rows.push([formatOffset(step.offsetMs).padStart(10), styled, step.detail]);
  }
  return renderTable(rows, '  ');
}

/**
 * The measured line: `outage -> first flip 1.2 s -> quorum 2.0 s -> ...`, each figure the offset from the
 * outage, then the recovery.
 */
export function renderMeasured(json: LabTimelineJson, style: TextStyle): string[] {
  const seconds = (ms: number | undefined): string =>
    ms === undefined ? '?' : `${(ms / 1000).toFixed(2)} s`;
  const chain = MEASURED_STEPS.map(
    (name) => `${LAB_STEP_LABELS[name]} ${style.bold(seconds(json.measured[name]))}`,
  );
  const lines = [`  outage -> ${chain.join(' -> ')}`];
  // The first failing check comes anywhere within one interval of the outage, so detection takes between
  // (failureThreshold - 1) and failureThreshold intervals; the rest of the path should add little to that.
  lines.push(
    `  (detection bound: failureThreshold x check interval = ${seconds(json.detectionFloorMs)}; ` +
      `DNS changed ${seconds(json.measured['dns-changed'])} after the outage)`,
  );
  const back = json.measured.recovered;
  const dnsBack = json.measured['dns-back'];
  if (back !== undefined && dnsBack !== undefined) {
    lines.push(
      `  back up -> DNS back ${style.bold(seconds(dnsBack - back))} ` +
        `(failbackAfter ${seconds(json.failbackAfterMs)} of continuous health, then the same path)`,
    );
  }
  return lines;
}

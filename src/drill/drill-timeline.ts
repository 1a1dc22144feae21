/**
 * The steps of one drill as they resolve. Each step (per provider target where it applies) starts `pending`
 * and is resolved exactly once; the first resolution wins, so a late observation never rewrites a time that
 * was already reported. `onStep` hears every resolution the moment it happens (the CLI prints it live).
 */
import { STEP_ORDER, type StepName, type StepStatus, type TimelineStep } from './drill-report';

export interface StepResolution {
  status: Exclude<StepStatus, 'pending'>;
  at?: number;
  detail?: string;
  rule?: string;
}

function stepKey(step: StepName, target: string | undefined): string {
  return target === undefined ? step : `${step}\t${target}`;
}

export class DrillTimeline {
  private readonly steps = new Map<string, TimelineStep>();

  constructor(
    readonly startedAt: number,
    private readonly onStep?: (step: TimelineStep) => void,
  ) {}

  /** Registers a step to wait for. */
  expect(step: StepName, label: string, target?: string): void {
    const key = stepKey(step, target);
    if (this.steps.has(key)) return;
    this.steps.set(key, { step, label, status: 'pending', ...(target !== undefined ? { target } : {}) });
  }

  /** Registers a step and resolves it at once (`injected`, or a step that does not apply). */
  record(step: StepName, label: string, resolution: StepResolution, target?: string): void {
    this.expect(step, label, target);
    this.resolve(step, resolution, target);
  }

  /** Resolves a pending step; `false` when it was already resolved (or never expected). */
  resolve(step: StepName, resolution: StepResolution, target?: string): boolean {
    const current = this.steps.get(stepKey(step, target));
    if (current === undefined || current.status !== 'pending') return false;
    const resolved: TimelineStep = { ...current, status: resolution.status };
    if (resolution.at !== undefined) {
      resolved.at = resolution.at;
      resolved.offsetMs = resolution.at - this.startedAt;
    }
    const detail = resolution.detail ?? current.detail;
    if (detail !== undefined) resolved.detail = detail;
    if (resolution.rule !== undefined) resolved.rule = resolution.rule;
    this.steps.set(stepKey(step, target), resolved);
    this.onStep?.(resolved);
    return true;
  }

  /** Keeps a note on a pending step (an apply error being retried) without resolving it. */
  note(step: StepName, detail: string, target?: string): void {
    const current = this.steps.get(stepKey(step, target));
    if (current !== undefined && current.status === 'pending') current.detail = detail;
  }

  get(step: StepName, target?: string): TimelineStep | undefined {
    return this.steps.get(stepKey(step, target));
  }

  isPending(step: StepName, target?: string): boolean {
    return this.steps.get(stepKey(step, target))?.status === 'pending';
  }

  /** Every step of a name (one per target for the per-target steps). */
  all(step: StepName): TimelineStep[] {
    return [...this.steps.values()].filter((candidate) => candidate.step === step);
  }

  pending(): TimelineStep[] {
    return [...this.steps.values()].filter((step) => step.status === 'pending');
  }

  /** Resolves every pending step with `resolution(step)` (the end of a drill: missed, interrupted). */
  resolveRemaining(resolution: (step: TimelineStep) => StepResolution): void {
    for (const step of this.pending()) this.resolve(step.step, resolution(step), step.target);
  }

  /**
   * The steps in time order. Steps without a time (skipped, missed) keep their place after the steps that
   * precede them in the expected order; ties keep the expected order (then targets in registration order).
   */
  list(): TimelineStep[] {
    const order = new Map(STEP_ORDER.map((name, index) => [name, index]));
    const expected = [...this.steps.values()]
      .map((step, index) => ({ step, index }))
      .sort((a, b) => (order.get(a.step.step) ?? 0) - (order.get(b.step.step) ?? 0) || a.index - b.index)
      .map(({ step }) => step);
    let running = this.startedAt;
    const keyed = expected.map((step, position) => {
      const key = step.at ?? running;
      running = Math.max(running, key);
      return { step, key, position };
    });
    return keyed.sort((a, b) => a.key - b.key || a.position - b.position).map(({ step }) => ({ ...step }));
  }
}

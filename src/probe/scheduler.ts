import type { CheckResult, FailureClass, Observation } from './check-result';
import type { CheckRunner } from './check-runner';
import { type Clock, systemClock } from './clock';
import { firstSlotAtOrAfter, phaseOffset } from './phase';
import type { ProbeTarget } from './probe-target';
import { type HeapItem, SlotHeap } from './slot-heap';
import { SlipHistogram, type SlipHistogramSnapshot } from './slip-histogram';
import { SlipWindow } from './slip-window';

/** Checks allowed in flight at once when nothing else is configured. */
export const DEFAULT_CONCURRENCY = 512;

export interface ProbeSchedulerOptions {
  runCheck: CheckRunner;
  /** Receives every finished check. Called synchronously; must not throw (a throw is counted as an internal error). */
  onObservation: (observation: Observation, target: ProbeTarget) => void;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** Most checks in flight at once; a due check beyond it waits for a free slot (its slip grows). @defaultValue 512 */
  concurrency?: number;
  /** How many recent slips the p50/p99 are computed over. @defaultValue 10000 */
  slipWindow?: number;
  /** A check runner that rejected (a bug: runners never reject). Nothing is recorded for that check. */
  onInternalError?: (error: unknown, target: ProbeTarget) => void;
  /**
   * A result that replaces the target's check for this slot (a drill overlay), or `undefined` to run the
   * check. Called synchronously at launch; must not throw. The real check is skipped when it answers.
   */
  forcedResult?: (target: ProbeTarget) => (CheckResult & { drill?: boolean }) | undefined;
}

export type CheckOutcomeClass = 'ok' | FailureClass;

export interface SchedulerStats {
  targets: number;
  inFlight: number;
  /** Due checks waiting for a concurrency slot. */
  waiting: number;
  /** Checks finished since start. */
  checks: number;
  checksByClass: Record<CheckOutcomeClass, number>;
  /**
   * Slots that produced no check: the previous check of that endpoint was still running or waiting (never
   * doubled), or the process was so late that whole intervals went by.
   */
  missedSlots: number;
  /** Actual start minus slot time, in ms, over the most recent checks. */
  slip: { p50: number; p99: number; max: number; samples: number };
  /** Check runners that rejected instead of resolving. */
  internalErrors: number;
}

/** What `setTargets` did: keys of added, removed and rescheduled targets. */
export interface ScheduleChange {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
}

interface Entry extends HeapItem {
  target: ProbeTarget;
  interval: number;
  phase: number;
  running: boolean;
  /** Slot time of a check that is due but waits for a concurrency slot. */
  queuedSlot: number | undefined;
  /** False once removed from the schedule (a queued or running check of it then ends quietly). */
  scheduled: boolean;
  /** The check counters of the target's service (shared by its endpoints): one increment per check. */
  serviceCounts: Record<CheckOutcomeClass, number>;
}

/** A zero for every check outcome class. */
export function emptyClassCounts(): Record<CheckOutcomeClass, number> {
  return {
    ok: 0,
    timeout: 0,
    refused: 0,
    reset: 0,
    dns: 0,
    tls: 0,
    status: 0,
    body: 0,
    latency: 0,
    drill: 0,
  };
}

/**
 * Runs every target's check on its own interval.
 *
 * - Slot k of a target is at `phase + k * interval` ms after the Unix epoch: slots are computed, never
 *   "interval after the last check", so the schedule does not drift however long checks take.
 * - `phase` is a stable hash of (service, endpoint, region): load is spread over the interval.
 * - A target whose previous check still runs (or waits) when its next slot comes is not doubled: the slot
 *   counts as missed.
 * - At most `concurrency` checks run at once; the others wait in slot order.
 * - One timer for all targets (a heap of next slots).
 */
export class ProbeScheduler {
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly entries = new Map<string, Entry>();
  private readonly heap = new SlotHeap<Entry>();
  private waiting: Entry[] = [];
  private waitingHead = 0;
  private cancelTimer: (() => void) | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private started = false;
  private stopped = false;
  private inFlight = 0;
  private readonly inFlightChecks = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly slip: SlipWindow;
  private readonly slipHistogram = new SlipHistogram();
  /** Checks by service and class since start; a service removed by a reload keeps its totals (counters never go back). */
  private readonly countsByService = new Map<string, Record<CheckOutcomeClass, number>>();
  private checks = 0;
  private readonly byClass = emptyClassCounts();
  private missedSlots = 0;
  private internalErrors = 0;

  constructor(private readonly options: ProbeSchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${this.concurrency}`);
    }
    this.slip = new SlipWindow(options.slipWindow ?? 10_000);
  }

  /**
   * Replaces the set of targets. Targets whose key and fingerprint are unchanged keep their slots (and any
   * check in flight); changed targets take the new check from their next slot (rescheduled only when their
   * interval changed); removed targets are dropped (a check in flight still finishes and is reported).
   */
  setTargets(targets: ProbeTarget[]): ScheduleChange {
    const change: ScheduleChange = { added: [], removed: [], changed: [], unchanged: 0 };
    const now = this.clock.now();
    const incoming = new Map(targets.map((target) => [target.key, target]));
    for (const [key, entry] of this.entries) {
      if (incoming.has(key)) continue;
      entry.scheduled = false;
      entry.queuedSlot = undefined;
      this.heap.remove(entry);
      this.entries.delete(key);
      change.removed.push(key);
    }
    for (const target of incoming.values()) {
      const entry = this.entries.get(target.key);
      if (entry === undefined) {
        const created = this.createEntry(target, now);
        this.entries.set(target.key, created);
        this.heap.push(created);
        change.added.push(target.key);
      } else if (entry.target.fingerprint !== target.fingerprint) {
        entry.target = target;
        if (entry.interval !== target.check.interval) {
          entry.interval = target.check.interval;
          entry.phase = phaseOffset(target.service, target.endpoint, target.region, entry.interval);
          this.heap.update(entry, firstSlotAtOrAfter(now, entry.phase, entry.interval));
        }
        change.changed.push(target.key);
      } else {
        entry.target = target;
        change.unchanged += 1;
      }
    }
    if (this.started && !this.stopped) this.arm();
    return change;
  }

  /** Starts scheduling from the first slot at or after now of every target. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      this.heap.update(entry, firstSlotAtOrAfter(now, entry.phase, entry.interval));
    }
    this.arm();
  }

  /**
   * Stops scheduling: no new check starts, checks waiting for a slot are dropped, checks in flight finish
   * (they end within their own timeout). After `graceMs` the remaining ones are aborted.
   */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      for (let i = this.waitingHead; i < this.waiting.length; i += 1) {
        const entry = this.waiting[i];
        if (entry) entry.queuedSlot = undefined;
      }
      this.waiting = [];
      this.waitingHead = 0;
    }
    if (this.inFlightChecks.size === 0) return;
    const cancelGrace = this.clock.setTimer(() => this.abort.abort(), graceMs);
    try {
      while (this.inFlightChecks.size > 0) await Promise.all([...this.inFlightChecks]);
    } finally {
      cancelGrace();
    }
  }

  stats(): SchedulerStats {
    return {
      targets: this.entries.size,
      inFlight: this.inFlight,
      waiting: this.waiting.length - this.waitingHead,
      checks: this.checks,
      checksByClass: { ...this.byClass },
      missedSlots: this.missedSlots,
      slip: this.slip.summary(),
      internalErrors: this.internalErrors,
    };
  }

  /** Forgets the slip samples (e.g. after a benchmark's warm-up). The cumulative slip histogram is kept. */
  resetSlipWindow(): void {
    this.slip.reset();
  }

  /**
   * Finished checks by service and class since start (live counters: read them, do not keep them). Every
   * service ever scheduled is present, with all classes (zero included).
   */
  checksByService(): ReadonlyMap<string, Readonly<Record<CheckOutcomeClass, number>>> {
    return this.countsByService;
  }

  /** Every slip since start, in fixed buckets (for a Prometheus histogram). */
  slipHistogramSnapshot(): SlipHistogramSnapshot {
    return this.slipHistogram.snapshot();
  }

  /** The slot the given target runs at next (for tests and `status`), or undefined when it is not scheduled. */
  nextSlotOf(key: string): number | undefined {
    return this.entries.get(key)?.due;
  }

  private createEntry(target: ProbeTarget, now: number): Entry {
    const interval = target.check.interval;
    if (!(interval > 0)) throw new RangeError(`${target.key}: interval must be positive, got ${interval}`);
    const phase = phaseOffset(target.service, target.endpoint, target.region, interval);
    return {
      target,
      interval,
      phase,
      due: firstSlotAtOrAfter(now, phase, interval),
      heapIndex: -1,
      running: false,
      queuedSlot: undefined,
      scheduled: true,
      serviceCounts: this.countsOf(target.service),
    };
  }

  private countsOf(service: string): Record<CheckOutcomeClass, number> {
    let counts = this.countsByService.get(service);
    if (counts === undefined) {
      counts = emptyClassCounts();
      this.countsByService.set(service, counts);
    }
    return counts;
  }

  /** Keeps exactly one timer, set for the earliest slot. */
  private arm(): void {
    const top = this.heap.peek();
    if (top === undefined) {
      this.cancelTimer?.();
      this.cancelTimer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.cancelTimer !== undefined && this.timerDue === top.due) return;
    this.cancelTimer?.();
    this.timerDue = top.due;
    this.cancelTimer = this.clock.setTimer(() => this.onTimer(), top.due - this.clock.now());
  }

  private onTimer(): void {
    this.cancelTimer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.clock.now();
    for (let top = this.heap.peek(); top !== undefined && top.due <= now; top = this.heap.peek()) {
      // Whole intervals that went by without us (a blocked event loop, a suspended VM) are missed slots;
      // the check runs once, for the latest slot.
      const late = Math.floor((now - top.due) / top.interval);
      this.missedSlots += late;
      const slot = top.due + late * top.interval;
      this.heap.update(top, slot + top.interval);
      this.dispatch(top, slot);
    }
    this.arm();
  }

  private dispatch(entry: Entry, slot: number): void {
    if (entry.running || entry.queuedSlot !== undefined) {
      this.missedSlots += 1;
      return;
    }
    if (this.inFlight < this.concurrency) {
      this.launch(entry, slot);
      return;
    }
    entry.queuedSlot = slot;
    this.waiting.push(entry);
  }

  private launch(entry: Entry, slot: number): void {
    const target = entry.target;
    entry.running = true;
    this.inFlight += 1;
    const startedAt = this.clock.now();
    this.slip.add(startedAt - slot);
    this.slipHistogram.add(startedAt - slot);
    const forced = this.options.forcedResult?.(target);
    const run =
      forced !== undefined
        ? Promise.resolve(forced)
        : this.options.runCheck(target.check, { headers: target.headers, signal: this.abort.signal });
    const check = run
      .then(
        (result) => {
          this.checks += 1;
          const outcome: CheckOutcomeClass = result.ok ? 'ok' : (result.failureClass ?? 'status');
          this.byClass[outcome] += 1;
          entry.serviceCounts[outcome] += 1;
          this.options.onObservation(
            {
              ...result,
              service: target.service,
              endpoint: target.endpoint,
              region: target.region,
              startedAt,
            },
            target,
          );
        },
        (error: unknown) => {
          this.internalErrors += 1;
          this.options.onInternalError?.(error, target);
        },
      )
      .catch((error: unknown) => {
        // onObservation threw: a bug in the caller; keep scheduling.
        this.internalErrors += 1;
        this.options.onInternalError?.(error, target);
      })
      .finally(() => {
        entry.running = false;
        this.inFlight -= 1;
        this.inFlightChecks.delete(check);
        this.pump();
      });
    this.inFlightChecks.add(check);
  }

  /** Starts waiting checks while concurrency allows, oldest first. */
  private pump(): void {
    while (!this.stopped && this.inFlight < this.concurrency && this.waitingHead < this.waiting.length) {
      const entry = this.waiting[this.waitingHead] as Entry;
      this.waitingHead += 1;
      const slot = entry.queuedSlot;
      entry.queuedSlot = undefined;
      if (entry.scheduled && slot !== undefined) this.launch(entry, slot);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }
}

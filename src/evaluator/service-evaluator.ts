/**
 * One evaluation of one service, end to end: read (one pipelined round trip), finish any jobs a previous
 * commit still owes, decide (the pure core), then either commit with compare-and-set (state, generation and
 * events atomically) and add the apply/notify jobs, or, when nothing but the time moved, only `touch`.
 *
 * Safe with any number of evaluators: a commit only lands on the version it read, so of two evaluations of
 * the same facts one commits and the other re-reads, re-decides and finds nothing left to change. One
 * decision per change, generations +1 at a time, every event written exactly once.
 */
import type { Redis } from 'ioredis';
import type { Service } from '../config/types';
import { overlayActive } from '../drill/drill-overlay';
import { decide } from '../quorum/decide';
import type { ServiceState } from '../quorum/types';
import type { RedisKeyLayout } from '../redis/keys';
import { CommitConflictError } from './errors';
import { type ParsedInputs, readEvaluationInputs } from './evaluation-inputs';
import { jsonEqual } from './json-equal';
import type { EventLog } from './event-log';
import type { DispatchedJobs, JobDispatcher } from './job-dispatcher';
import type { ServiceRecord, StoredEvent, StoredEventInput } from './service-record';
import type { EvaluationRecord, StateStore } from './state-store';

export interface ServiceEvaluatorOptions {
  redis: Redis;
  keys: RedisKeyLayout;
  stateStore: StateStore;
  eventLog: EventLog;
  dispatcher: JobDispatcher;
  /** Written into records (`evaluatedBy`) and events (`by`). */
  evaluatorId: string;
  /** Compare-and-set attempts before giving up (the next tick tries again). @defaultValue 5 */
  maxCommitAttempts?: number;
  /** Told after each read which values of the probe side could not be read (they count as unknown); often none. */
  onUnreadable?: (service: string, problems: string[]) => void;
}

export type EvaluationOutcome =
  /** A new generation was committed. */
  | 'decision-changed'
  /** State or events were committed; the decision (and generation) stayed. */
  | 'state-committed'
  /** Nothing but the time moved: only `evaluatedAt` was written. */
  | 'unchanged';

export interface EvaluationResult {
  service: string;
  outcome: EvaluationOutcome;
  /** The generation in force after this evaluation. */
  generation: number;
  /** Redis ms of the evaluation. */
  now: number;
  /** Events this evaluation committed. */
  events: StoredEvent[];
  /** Jobs this evaluation added (its own commit's and any owed by an earlier commit). */
  jobs: DispatchedJobs;
  /** Compare-and-set conflicts before it landed. */
  conflicts: number;
}

export class ServiceEvaluator {
  private readonly maxCommitAttempts: number;
  /**
   * Per service, what was last read or written (state, record, opinions) with its exact text. In steady state
   * the stored texts do not change from one tick to the next, so they are neither parsed nor validated again.
   * The core never mutates its input, so sharing the objects is safe.
   */
  private readonly parsedStates = new Map<string, ParsedInputs>();

  constructor(private readonly options: ServiceEvaluatorOptions) {
    this.maxCommitAttempts = options.maxCommitAttempts ?? 5;
  }

  async evaluate(service: Service, configHash: string): Promise<EvaluationResult> {
    const jobs: DispatchedJobs = { apply: [], notify: [] };
    for (let attempt = 0; attempt < this.maxCommitAttempts; attempt += 1) {
      let parsed = this.parsedStates.get(service.name);
      if (parsed === undefined) {
        parsed = {};
        this.parsedStates.set(service.name, parsed);
      }
      const inputs = await readEvaluationInputs(this.options.redis, this.options.keys, service.name, parsed);
      this.options.onUnreadable?.(service.name, inputs.skipped);
      const previous = inputs.previous;
      if (previous?.dispatch !== undefined) append(jobs, await this.finishDispatch(service, previous));

      const output = decide({
        service,
        opinions: inputs.opinions,
        heartbeatAges: inputs.heartbeatAges,
        previous: previous?.record.state,
        overrides: inputs.overrides,
        now: inputs.now,
      });
      const previousGeneration = previous?.record.generation ?? 0;
      const result = (
        outcome: EvaluationOutcome,
        generation: number,
        events: StoredEvent[],
      ): EvaluationResult => ({
        service: service.name,
        outcome,
        generation,
        now: inputs.now,
        events,
        jobs,
        conflicts: attempt,
      });

      if (
        previous !== undefined &&
        !output.changed &&
        output.events.length === 0 &&
        previous.record.configHash === configHash &&
        sameStateApartFromTime(previous.record.state, output.state)
      ) {
        await this.options.stateStore.touch(service.name, inputs.now);
        return result('unchanged', previousGeneration, []);
      }

      const generation = output.changed ? previousGeneration + 1 : previousGeneration;
      // While a drill overlay is active, everything this evaluation says is part of the drill (notifications
      // are tagged; nothing is paged).
      const drill = inputs.drill !== undefined && overlayActive(inputs.drill, inputs.now);
      const record: ServiceRecord = {
        state: output.state,
        generation,
        decidedAt: output.changed || previous === undefined ? inputs.now : previous.record.decidedAt,
        evaluatedAt: inputs.now,
        explanation: output.explanation,
        configHash,
        evaluatedBy: this.options.evaluatorId,
      };
      const events: StoredEventInput[] = output.events.map((event) => ({
        ...event,
        generation,
        by: this.options.evaluatorId,
        ...(drill ? { drill: true } : {}),
        ...(event.kind === 'decision-changed'
          ? {
              explanation: output.explanation.lines,
              decision: {
                ...(previous !== undefined ? { before: previous.record.state.decision } : {}),
                after: output.state.decision,
              },
            }
          : {}),
      }));
      const expected = { generation: previousGeneration, version: previous?.version ?? 0 };
      const stateJson = JSON.stringify(output.state);
      const commit = await this.options.stateStore.commit(service.name, expected, record, events, {
        stateJson,
      });
      if (commit.outcome === 'conflict') continue;
      parsed.state = { json: stateJson, value: output.state };

      const stored: StoredEvent[] = events.map((event, index) => ({
        ...event,
        id: commit.eventIds[index] as string,
      }));
      if (output.changed || stored.length > 0) {
        append(jobs, await this.options.dispatcher.dispatch(service, generation, output.changed, stored));
        await this.options.stateStore.clearDispatch(service.name, commit.version);
      }
      return result(output.changed ? 'decision-changed' : 'state-committed', generation, stored);
    }
    throw new CommitConflictError(service.name, this.maxCommitAttempts);
  }

  /**
   * Adds the jobs of an earlier commit whose committer may have died before adding them. Apply jobs are
   * re-added for the stored generation whether or not that commit moved it: the id makes a duplicate
   * impossible while the job is retained, and re-applying the same generation is a no-op plan.
   */
  private async finishDispatch(service: Service, previous: EvaluationRecord): Promise<DispatchedJobs> {
    const dispatch = previous.dispatch;
    if (dispatch === undefined) return { apply: [], notify: [] };
    const events = await this.options.eventLog.readIds(service.name, dispatch.eventIds);
    const jobs = await this.options.dispatcher.dispatch(service, previous.record.generation, true, events);
    await this.options.stateStore.clearDispatch(service.name, dispatch.version);
    return jobs;
  }
}

function append(into: DispatchedJobs, more: DispatchedJobs): void {
  into.apply.push(...more.apply);
  into.notify.push(...more.notify);
}

/** Equal apart from `evaluatedAt` (key order does not matter: the previous state went through JSON). */
export function sameStateApartFromTime(previous: ServiceState, next: ServiceState): boolean {
  return jsonEqual(previous, next, 'evaluatedAt');
}

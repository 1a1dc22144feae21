/**
 * A drill's own events: `drill-started`, `drill-ended` and `drill-stopped` (an operator's `drill stop`) in the
 * service's events stream (the audit log),
 * with their notify jobs added through the same routing as every other event (`service.notify`), and the
 * evaluate jobs (reason `drill`) that make the evaluator look at once instead of at its next tick.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Service, Severity } from '../config/types';
import { EventLog } from '../evaluator/event-log';
import { JobDispatcher } from '../evaluator/job-dispatcher';
import {
  type ApplyJobData,
  EVALUATE_JOB_NAME,
  type EvaluateJobData,
  evaluateJobOptions,
  type NotifyJobData,
  QueueName,
} from '../evaluator/queues';
import type { DrillEventKind, StoredEvent, StoredEventInput } from '../evaluator/service-record';
import type { RedisKeyLayout } from '../redis/keys';
import type { DrillOverlay } from './drill-overlay';

export interface DrillEventInput {
  kind: DrillEventKind;
  severity: Severity;
  /**
   * The drill the event is about. Undefined only when its overlay could not be read (`drill stop` removing a
   * damaged one): then the event has no pool and no `drillRun`, rather than an invented id or mode.
   */
  overlay: DrillOverlay | undefined;
  /** Who caused the event. @defaultValue the overlay's `by` (who started the drill) */
  by?: string;
  message: string;
  at: number;
  generation: number;
  reason?: string;
}

/** Queues on a shared connection: closing them leaves the caller's connection open. */
export class DrillQueues {
  private readonly evaluate: Queue<EvaluateJobData>;
  private readonly apply: Queue<ApplyJobData>;
  private readonly notify: Queue<NotifyJobData>;
  private readonly dispatcher: JobDispatcher;
  private readonly eventLog: EventLog;

  constructor(redis: Redis, keys: RedisKeyLayout) {
    const prefix = keys.queuePrefix;
    this.evaluate = new Queue<EvaluateJobData>(QueueName.evaluate, { connection: redis, prefix });
    this.apply = new Queue<ApplyJobData>(QueueName.apply, { connection: redis, prefix });
    this.notify = new Queue<NotifyJobData>(QueueName.notify, { connection: redis, prefix });
    for (const queue of [this.evaluate, this.apply, this.notify]) queue.on('error', () => undefined);
    this.dispatcher = new JobDispatcher(this.apply, this.notify);
    this.eventLog = new EventLog(redis, keys);
  }

  /** Appends the event (tagged as a drill) and adds its notify jobs; returns the stored event. */
  async emit(service: Service, input: DrillEventInput): Promise<StoredEvent> {
    const { overlay } = input;
    const by = input.by ?? overlay?.by;
    const event: StoredEventInput = {
      kind: input.kind,
      severity: input.severity,
      service: service.name,
      ...(overlay?.pools[0] !== undefined ? { pool: overlay.pools[0] } : {}),
      message: input.message,
      at: input.at,
      generation: input.generation,
      drill: true,
      ...(by !== undefined ? { by } : {}),
      ...(overlay !== undefined ? { drillRun: { id: overlay.id, mode: overlay.mode } } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    };
    const [id] = await this.eventLog.append(service.name, [event]);
    const stored: StoredEvent = { ...event, id: id as string };
    await this.dispatcher.dispatch(service, input.generation, false, [stored]);
    return stored;
  }

  /** Asks for an evaluation of `service` now (deduplicated like a probe's flip job). */
  async requestEvaluation(service: string, requestedBy: string): Promise<void> {
    await this.evaluate.add(
      EVALUATE_JOB_NAME,
      { service, reason: 'drill', requestedAt: Date.now(), requestedBy },
      evaluateJobOptions(service),
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.evaluate, this.apply, this.notify].map((queue) => queue.close().catch(() => undefined)),
    );
  }
}

/**
 * The BullMQ queues of quorumdns: names, job payloads and job options, in ONE module so producers
 * (probe workers, the evaluator, the API) and consumers can never disagree on them.
 *
 * Every queue lives under the deployment's key prefix: `new Queue(QueueName.evaluate, { prefix })` with
 * `prefix = redisKeys(config.deployment.redis.keyPrefix).queuePrefix`.
 */
import type { JobsOptions } from 'bullmq';

export const QueueName = {
  /** One job evaluates one service: opinions -> verdicts -> decision. */
  evaluate: 'evaluate',
  /** One job applies one decision generation of a service to one provider target. */
  apply: 'apply',
  /** One job delivers one event to one notification channel. */
  notify: 'notify',
  /** One job runs one scheduled practice drill (src/drill/drill-scheduler.ts). */
  drill: 'drill',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Why an evaluation was asked for. */
export type EvaluateReason = 'flip' | 'tick' | 'override' | 'drill' | 'manual';

export interface EvaluateJobData {
  service: string;
  reason: EvaluateReason;
  /** Epoch ms (requester's clock) when it was asked for; informational, the evaluator reads Redis time. */
  requestedAt: number;
  /** Who asked: `probe:<region>:<workerId>`, `scheduler`, `api:<user>`. */
  requestedBy: string;
}

/** The BullMQ job name of evaluate jobs (one queue may later carry other names; consumers switch on it). */
export const EVALUATE_JOB_NAME = 'evaluate';

/** The deduplication id of a service's evaluate job: at most one pending evaluation per service. */
export function evaluateDeduplicationId(service: string): string {
  return `evaluate-${service}`;
}

/**
 * Options for adding an evaluate job.
 *
 * WHY `keepLastIfActive`: plain deduplication ignores an add while a job with the same id is unfinished,
 * including one that is ACTIVE and may already have read the opinions before this flip was written; the flip
 * would then wait for the next scheduler tick. With `keepLastIfActive` BullMQ keeps one follow-up job that
 * starts when the active one finishes, so after every flip there is at least one evaluation that sees it, and
 * never more than one waiting per service.
 */
export function evaluateJobOptions(service: string): JobsOptions {
  return {
    deduplication: { id: evaluateDeduplicationId(service), keepLastIfActive: true },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 1000 },
  };
}

export interface ApplyJobData {
  service: string;
  /** Provider name from the config (`providers.<name>`). */
  provider: string;
  zone: string;
  /** Decision generation; a job older than the last applied generation is dropped (fencing). */
  generation: number;
}

export interface NotifyJobData {
  /** The service whose events stream holds the event (streams are per service: ids are unique per service). */
  service: string;
  /** Id of the event in the service's events stream (`ServiceKeys.events`). */
  eventId: string;
  /** Channel name from the config (`notifications.<name>`). */
  channel: string;
  /** True when the event comes from a drill (every notification of a drill says so). */
  drill: boolean;
}

/** BullMQ job names of the apply and notify queues. */
export const APPLY_JOB_NAME = 'apply';
export const NOTIFY_JOB_NAME = 'notify';

/**
 * Job id of an apply job: one per (service, provider, zone, generation), so re-adding it after a crash or a
 * retry cannot create a second one. `/` separates the parts: BullMQ refuses `:` in custom ids, and `/` occurs
 * in no name, zone id or managed zone.
 */
export function applyJobId(data: ApplyJobData): string {
  return ['apply', data.service, data.provider, data.zone, String(data.generation)].join('/');
}

/** Job id of a notify job: one per (service, event, channel). */
export function notifyJobId(data: NotifyJobData): string {
  return ['notify', data.service, data.eventId, data.channel].join('/');
}

/** Job scheduler id of a service's periodic evaluation (the tick). */
export function evaluateSchedulerId(service: string): string {
  return `tick-${service}`;
}

/**
 * Apply jobs: a provider outage is retried for a long while (about 17 minutes of exponential backoff)
 * before the job fails and keeps its reason. Old completed jobs are pruned by age, failed ones kept longer.
 */
export const applyJobOptions: JobsOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/**
 * Backoff type of notify jobs: exponential, except after a 429 whose Retry-After the notify worker honours
 * instead (its `backoffStrategy`, src/notify/notify-worker.ts; BullMQ only asks a custom strategy for a type
 * that is not built in).
 */
export const NOTIFY_BACKOFF_TYPE = 'notify';

/** Notify jobs: chat webhooks fail for minutes at a time; delivery never blocks failover, so retry patiently. */
export const notifyJobOptions: JobsOptions = {
  attempts: 10,
  backoff: { type: NOTIFY_BACKOFF_TYPE, delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
};

/** A scheduled drill's job: which service and which of its `drills:` entries (by id). */
export interface DrillJobData {
  service: string;
  /** `DrillSchedule.id`. */
  schedule: string;
}

export const DRILL_JOB_NAME = 'drill';

/** Job scheduler id of a service's scheduled drill. */
export function drillSchedulerId(service: string, schedule: string): string {
  return `drill-${service}-${schedule}`;
}

/**
 * Scheduled drills run for minutes and change DNS when live: one attempt, never re-run after a crash (a
 * stalled job fails; the overlay's expiry ends the half-run drill). Kept for a while to read.
 */
export const drillJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 30 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
};

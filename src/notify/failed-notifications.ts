/**
 * Undelivered notifications: messages the notify worker gave up on (a permanent 4xx, or every attempt
 * failed), kept with their reason so `quorumdns notify failed` lists them and `quorumdns notify retry`
 * sends them again.
 *
 * Storage:
 * - `RedisKeyLayout.notifyFailed`: sorted set of failure ids scored by the failure time (the listing order);
 * - the details, JSON `FailedNotification`, in the service's notify hash under `failed\t<channel>\t<key>`
 *   (the service's hash tag: the notify processor writes them in the same script that moves the channel's
 *   cursor past the group, see notify-cursor.ts).
 *
 * A failure id is `<service>/<channel>/<key>` (names never contain `/`), `<key>` being the first event id of
 * the group or `reminder-<pool>-<drainedAt>-<n>`: the same group failing again keeps its id.
 *
 * While a retry is queued the id leaves the sorted set (it is no longer "given up on"); the details stay until
 * the retry delivers (deleted) or fails for good (listed again with the new reason).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CodedError } from '../errors/coded-error';
import { CorruptDataError } from '../evaluator/errors';
import { notifyJobOptions } from '../evaluator/queues';
import { FIELD_SEPARATOR, type RedisKeyLayout } from '../redis/keys';
import type { Notification } from './notification';

export interface FailedNotification {
  /** `<service>/<channel>/<key>`. */
  id: string;
  service: string;
  channel: string;
  /** `events`: a group of events; `reminder`: a still-drained reminder. */
  kind: 'events' | 'reminder';
  /** The stream ids of the events the message covers (empty for reminders). */
  eventIds: string[];
  drill: boolean;
  /**
   * Exactly what was to be sent: a retry sends it again (same id, so receivers can deduplicate). Absent when
   * the message could not even be built: a retry builds it again from `eventIds`.
   */
  notification?: Notification;
  /** Why the last attempt failed: redacted, with the remote's status and (truncated) answer. */
  reason: string;
  /** Stable error code (ENOTIFY_PERMANENT, ENOTIFY_TRANSIENT, ENOTIFY_TIMEOUT, ...). */
  code: string;
  /** The remote's HTTP status, when it answered. */
  status?: number;
  /** Delivery attempts so far, over every run (first one and retries). */
  attempts: number;
  firstFailedAt: number;
  /** Epoch ms of the last failure. */
  failedAt: number;
  /** How many times `notify retry` queued it again. */
  retries: number;
}

/** Job name and payload of a `notify retry` job on the notify queue. */
export const NOTIFY_RETRY_JOB_NAME = 'notify-retry';

export interface NotifyRetryJobData {
  service: string;
  channel: string;
  failureId: string;
}

/** A failure id that is not (or no longer) recorded. */
export class UnknownFailureError extends CodedError {
  readonly code = 'ENOTIFY_UNKNOWN_FAILURE';
}

/** A failure record in Redis does not have the shape quorumdns wrote. */
export class CorruptFailureError extends CorruptDataError {
  override readonly code = 'ECORRUPTNOTIFY';
}

const failedSchema = z.looseObject({
  id: z.string().min(1),
  service: z.string().min(1),
  channel: z.string().min(1),
  kind: z.enum(['events', 'reminder']),
  eventIds: z.array(z.string()),
  drill: z.boolean(),
  notification: z.looseObject({ id: z.string(), kind: z.string(), title: z.string() }).optional(),
  reason: z.string(),
  code: z.string(),
  status: z.number().int().optional(),
  attempts: z.number().int().nonnegative(),
  firstFailedAt: z.number().int().nonnegative(),
  failedAt: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
});

export function failureId(service: string, channel: string, key: string): string {
  return [service, channel, key].join('/');
}

export function parseFailureId(id: string): { service: string; channel: string; key: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 3 || parts.some((part) => part === '')) return undefined;
  const [service, channel, key] = parts as [string, string, string];
  return { service, channel, key };
}

/** Hash field (in the service's notify hash) of a failure's details. */
export function failureField(channel: string, key: string): string {
  return ['failed', channel, key].join(FIELD_SEPARATOR);
}

export function retryJobId(failure: Pick<FailedNotification, 'id' | 'retries'>): string {
  return ['notify-retry', failure.id, String(failure.retries)].join('/');
}

export class FailedNotificationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
  ) {}

  /** The hash field and JSON to write with a cursor move (see NotifyCursorStore.advance), then `list`. */
  detailsField(failure: FailedNotification): { field: string; value: string } {
    const parsed = parseFailureId(failure.id);
    if (parsed === undefined) throw new TypeError(`not a failure id: ${failure.id}`);
    return { field: failureField(parsed.channel, parsed.key), value: JSON.stringify(failure) };
  }

  /** Lists a failure whose details are already written (after the cursor move that wrote them). */
  async list(failure: Pick<FailedNotification, 'id' | 'failedAt'>): Promise<void> {
    await this.redis.zadd(this.keys.notifyFailed, failure.failedAt, failure.id);
  }

  /** Writes the details and lists the failure (failures that move no cursor: reminders, retries). */
  async record(failure: FailedNotification): Promise<void> {
    const { field, value } = this.detailsField(failure);
    await this.redis.hset(this.keys.service(failure.service).notify, field, value);
    await this.list(failure);
  }

  /** The details of one failure; `undefined` when there are none. Throws CorruptFailureError. */
  async get(id: string): Promise<FailedNotification | undefined> {
    const parsed = parseFailureId(id);
    if (parsed === undefined) return undefined;
    const key = this.keys.service(parsed.service).notify;
    const field = failureField(parsed.channel, parsed.key);
    const text = await this.redis.hget(key, field);
    return text === null ? undefined : parseFailure(key, field, text);
  }

  /**
   * Listed failures, newest first. Ids whose details are gone (deleted by hand, or a retry delivered in the
   * meantime) are dropped from the listing.
   */
  async listed(limit = 1000): Promise<FailedNotification[]> {
    const ids = await this.redis.zrevrange(this.keys.notifyFailed, 0, Math.max(0, limit - 1));
    const located = ids.map((id) => ({ id, parsed: parseFailureId(id) }));
    const pipeline = this.redis.pipeline();
    for (const { parsed } of located) {
      if (parsed !== undefined)
        pipeline.hget(this.keys.service(parsed.service).notify, failureField(parsed.channel, parsed.key));
    }
    const replies = (await pipeline.exec()) ?? [];
    const failures: FailedNotification[] = [];
    const orphans: string[] = [];
    let reply = 0;
    for (const { id, parsed } of located) {
      if (parsed === undefined) {
        orphans.push(id);
        continue;
      }
      const [error, text] = replies[reply++] ?? [new Error('no reply'), null];
      if (error) throw error;
      if (typeof text !== 'string') {
        orphans.push(id);
        continue;
      }
      failures.push(
        parseFailure(
          this.keys.service(parsed.service).notify,
          failureField(parsed.channel, parsed.key),
          text,
        ),
      );
    }
    if (orphans.length > 0) await this.redis.zrem(this.keys.notifyFailed, ...orphans);
    return failures;
  }

  /** How many failures are listed (the metric). */
  async count(): Promise<number> {
    return this.redis.zcard(this.keys.notifyFailed);
  }

  /**
   * Queues a retry with fresh attempts: the id leaves the listing and its `retries` count moves on (which
   * gives the retry job a new id, so an earlier retry job kept by BullMQ never blocks it).
   */
  async requeue(id: string, queue: Queue): Promise<FailedNotification> {
    const failure = await this.get(id);
    if (failure === undefined) throw new UnknownFailureError(`no undelivered notification ${id}`);
    const next: FailedNotification = { ...failure, retries: failure.retries + 1 };
    const data: NotifyRetryJobData = { service: failure.service, channel: failure.channel, failureId: id };
    // Details first: the retry job reads them.
    const { field, value } = this.detailsField(next);
    await this.redis.hset(this.keys.service(failure.service).notify, field, value);
    await queue.add(NOTIFY_RETRY_JOB_NAME, data, { ...notifyJobOptions, jobId: retryJobId(next) });
    await this.redis.zrem(this.keys.notifyFailed, id);
    return next;
  }

  /** A retry delivered: forget the failure. */
  async resolve(id: string): Promise<void> {
    const parsed = parseFailureId(id);
    if (parsed === undefined) return;
    await this.redis.hdel(this.keys.service(parsed.service).notify, failureField(parsed.channel, parsed.key));
    await this.redis.zrem(this.keys.notifyFailed, id);
  }
}

function parseFailure(key: string, field: string, text: string): FailedNotification {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptFailureError(
      key,
      field,
      `not valid JSON; starts with ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  const parsed = failedSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptFailureError(
      key,
      `${field}${issue?.path.length ? `.${issue.path.join('.')}` : ''}`,
      issue?.message ?? 'invalid value',
    );
  }
  return parsed.data as unknown as FailedNotification;
}

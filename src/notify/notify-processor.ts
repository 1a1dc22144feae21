/**
 * What the notify worker does with one job of the `notify` queue. Three job names:
 *
 * - `notify` (`NotifyJobData`, added by the evaluator per (event, routed channel)): make sure the event
 *   reaches the channel. Under the channel's lease, the events after the channel's cursor are grouped
 *   (event-group.ts), the group is built into ONE notification, sent, and the cursor moves past it. A job whose
 *   event an earlier group already carried completes without sending; a group whose quiet period is still
 *   running delays the job (never a sleep in the worker).
 * - `notify-reminder` (`ReminderJobData`): a pool is still drained; remind, and add the next reminder.
 * - `notify-retry` (`NotifyRetryJobData`, from `quorumdns notify retry`): send an undelivered message again.
 *
 * Failures: a transient error or a 429 is thrown so BullMQ retries (the worker's backoff strategy honours a
 * 429's Retry-After); a permanent error, or the last attempt failing, records the message as undelivered
 * (failed-notifications.ts) and moves the cursor past it, so one poisoned message never blocks a channel.
 */
import { DelayedError, type Job, type Queue, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redact } from '../config/resolve-secret';
import type { ChannelType, Config, NotificationChannel, NotificationRoute, Service } from '../config/types';
import { decodeEvent, type StreamEntry } from '../evaluator/event-codec';
import { EventLog } from '../evaluator/event-log';
import { routedChannels, routingSeverity } from '../evaluator/notify-routing';
import { NOTIFY_JOB_NAME, notifyJobId, notifyJobOptions } from '../evaluator/queues';
import { redisTimeMs } from '../evaluator/redis-time';
import type { ServiceRecord, StoredEvent } from '../evaluator/service-record';
import { StateStore } from '../evaluator/state-store';
import type { NotifyMetrics } from '../metrics/notify-metrics';
import type { Logger } from '../probe/logger';
import type { RedisKeyLayout } from '../redis/keys';
import { buildNotification, buildReminder, DRILL_TAG } from './build-notification';
import type { ChannelFormatter } from './channel-formatter';
import { formatterFor as defaultFormatterFor } from './channels/index';
import { deliverNotification, type DeliveryReceipt } from './deliver';
import { DeliveryError, PermanentDeliveryError } from './delivery-errors';
import { nextGroup } from './event-group';
import {
  type FailedNotification,
  FailedNotificationStore,
  failureId,
  NOTIFY_RETRY_JOB_NAME,
} from './failed-notifications';
import type { Notification } from './notification';
import { type ChannelLease, isCovered, type NotifyCursor, NotifyCursorStore } from './notify-cursor';
import {
  drainsIn,
  NOTIFY_REMINDER_JOB_NAME,
  reminderFailureKey,
  reminderPeriod,
  scheduleReminder,
  stillDrained,
} from './reminders';

/** Tuning of the processor; every field has a default fit for production. */
export interface NotifyProcessingOptions {
  /** How long a job that found the channel's lease taken waits before it looks again. @defaultValue 500 */
  leaseRetryMs?: number;
  /**
   * With no cursor yet (a channel's very first message), how far before its own event a job looks for the
   * events to group: older ones are not announced to a brand-new channel. @defaultValue 900000 (15 min)
   */
  initialLookbackMs?: number;
  /** Events older than this when their group is due are stale news: stepped over, not sent. @defaultValue 86400000 */
  maxEventAgeMs?: number;
  /**
   * Replaces the `repeatEvery` of every route that has one. For tests and labs: the config refuses periods
   * shorter than a minute, a test cannot wait that long.
   */
  repeatEveryMs?: number;
  /**
   * How often a job whose event is in a group another job owns (the job of the group's first event, still
   * queued or retrying) checks whether that group went out. @defaultValue 1000 (one job-state read a second per waiting job; a delivery is never held back longer)
   */
  ownerPollMs?: number;
  /** Replaces the URL a formatter chose itself (PagerDuty's fixed endpoint): tests and labs. */
  formatterUrlOverride?: string;
  /** Cap of a 429's Retry-After. @defaultValue 600000 (10 min) */
  maxRetryAfterMs?: number;
  /** Where channel secrets are resolved. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** The formatter of a channel type. @defaultValue the built-in formatters (src/notify/channels) */
  formatterFor?: (type: ChannelType) => ChannelFormatter;
}

export interface NotifyProcessorOptions extends NotifyProcessingOptions {
  /** Commands connection (fail-fast). */
  redis: Redis;
  keys: RedisKeyLayout;
  /** The notify queue (reminders are added to it). */
  queue: Queue;
  /** The config in force (read per job: a reload applies to the next job). */
  config: () => Config;
  logger: Logger;
  metrics?: NotifyMetrics;
}

/** What a job's run amounted to (its BullMQ return value). */
export interface NotifyJobResult {
  outcome: 'delivered' | 'covered' | 'nothing-to-send' | 'not-routed' | 'pool-restored' | 'gone' | 'skipped';
  /** Ids of the notifications this run delivered. */
  delivered?: string[];
  detail?: string;
}

/** A group announced in one message: at most this many events are read per step. */
const READ_LIMIT = 500;
/** Groups one run settles before it hands the worker slot back (a long backlog is worked off in turns). */
const MAX_GROUPS_PER_RUN = 20;
/** Added to the channel timeout for the lease: secrets, building and Redis round trips. */
const LEASE_MARGIN_MS = 15_000;

const eventJobSchema = z.object({
  service: z.string().min(1),
  eventId: z.string().regex(/^\d+-\d+$/),
  channel: z.string().min(1),
  drill: z.boolean().optional(),
});
const reminderJobSchema = z.object({
  service: z.string().min(1),
  channel: z.string().min(1),
  pool: z.string().min(1),
  drainedAt: z.number().int().nonnegative(),
  reminder: z.number().int().positive(),
  drill: z.boolean().optional(),
});
const retryJobSchema = z.object({
  service: z.string().min(1),
  channel: z.string().min(1),
  failureId: z.string().min(1),
});

type Kind = 'events' | 'reminder' | 'retry';

/** What a job needs of the config, found once per run. */
interface Target {
  config: Config;
  service: Service;
  route: NotificationRoute;
  channel: NotificationChannel;
}

export class NotifyProcessor {
  private readonly cursors: NotifyCursorStore;
  private readonly failures: FailedNotificationStore;
  private readonly states: StateStore;
  private readonly events: EventLog;
  private readonly formatterFor: (type: ChannelType) => ChannelFormatter;

  constructor(private readonly options: NotifyProcessorOptions) {
    this.cursors = new NotifyCursorStore(options.redis, options.keys);
    this.failures = new FailedNotificationStore(options.redis, options.keys);
    this.states = new StateStore(options.redis, options.keys);
    this.events = new EventLog(options.redis, options.keys);
    this.formatterFor = options.formatterFor ?? defaultFormatterFor;
  }

  async process(job: Job, token: string | undefined): Promise<NotifyJobResult> {
    switch (job.name) {
      case NOTIFY_JOB_NAME:
        return this.processEvent(job, parseData(job, eventJobSchema), token);
      case NOTIFY_REMINDER_JOB_NAME:
        return this.processReminder(job, parseData(job, reminderJobSchema));
      case NOTIFY_RETRY_JOB_NAME:
        return this.processRetry(job, parseData(job, retryJobSchema));
      default:
        return { outcome: 'skipped', detail: `unknown job name ${job.name}` };
    }
  }

  // ----- notify: the events of a service, grouped per channel

  private async processEvent(
    job: Job,
    data: z.infer<typeof eventJobSchema>,
    token: string | undefined,
  ): Promise<NotifyJobResult> {
    const target = this.target(data.service, data.channel);
    if (typeof target === 'string') return { outcome: 'skipped', detail: target };
    const delivered: string[] = [];
    let settledAny = false;
    for (let round = 0; round < MAX_GROUPS_PER_RUN; round += 1) {
      const { cursor } = await this.cursors.read(data.service, data.channel);
      if (isCovered(data.eventId, cursor)) {
        return delivered.length > 0
          ? { outcome: 'delivered', delivered }
          : { outcome: settledAny ? 'nothing-to-send' : 'covered' };
      }
      const lease = await this.cursors.acquire(
        data.service,
        data.channel,
        target.channel.timeout + LEASE_MARGIN_MS,
      );
      if (lease === undefined) {
        // Another worker is sending this channel's next group, possibly with this job's event in it.
        return this.delay(job, token, (this.options.leaseRetryMs ?? 500) * (1 + Math.random() / 2));
      }
      let step: GroupStep;
      try {
        step = await this.settleNextGroup(job, data, target, lease);
      } finally {
        await this.cursors.release(lease).catch(() => undefined);
      }
      if (step.kind === 'wait') return this.delay(job, token, step.delayMs);
      if (step.kind === 'not-routed') return { outcome: 'not-routed', detail: step.detail };
      if (step.kind === 'delivered') delivered.push(step.notificationId);
      settledAny = true;
    }
    // A long backlog: hand the slot back and carry on at once.
    return this.delay(job, token, 0);
  }

  /** Under the lease: read the events after the cursor, then send (or step over) the next group. */
  private async settleNextGroup(
    job: Job,
    data: z.infer<typeof eventJobSchema>,
    target: Target,
    lease: ChannelLease,
  ): Promise<GroupStep> {
    const { service, channel, route, config } = target;
    const { cursor, unreadable } = await this.cursors.read(service.name, channel.name);
    if (unreadable !== undefined) {
      this.options.logger.log('warn', 'unreadable notify cursor ignored (the next move repairs it)', {
        service: service.name,
        channel: channel.name,
        problem: unreadable,
      });
    }
    if (isCovered(data.eventId, cursor)) return { kind: 'covered' };
    const [events, now] = await Promise.all([
      this.readAfter(service.name, cursor, data.eventId),
      redisTimeMs(this.options.redis),
    ]);
    // The dispatcher's own rule (an all-clear is routed like the condition it clears): same channels.
    const routed = (event: StoredEvent): boolean =>
      routedChannels({ notify: [route] }, routingSeverity(event)).length > 0;
    const group = nextGroup({
      events,
      routed,
      quietPeriodMs: route.quietPeriod,
      now,
      maxEventAgeMs: this.options.maxEventAgeMs ?? 24 * 3600_000,
    });
    const expected = cursor?.lastEventId;
    switch (group.kind) {
      case 'none': {
        const last = events[events.length - 1];
        if (events.length >= READ_LIMIT && last !== undefined) {
          // A full read of events this channel does not take: step over them and read on.
          await this.move(lease, expected, { lastEventId: last.id, lastOutcome: 'nothing-to-send' });
          return { kind: 'settled' };
        }
        return {
          kind: 'not-routed',
          detail:
            'no event after the cursor is routed to the channel (trimmed from the stream, or the route changed)',
        };
      }
      case 'wait':
        return { kind: 'wait', delayMs: group.until - now };
      case 'expired': {
        this.options.metrics?.skippedGroups.inc({ channel: channel.name, reason: 'expired' });
        this.options.logger.log('warn', 'stale events not notified', {
          service: service.name,
          channel: channel.name,
          events: group.events.length,
          through: group.throughId,
        });
        await this.move(lease, expected, { lastEventId: group.throughId, lastOutcome: 'expired' });
        return { kind: 'settled' };
      }
      case 'ready':
        break;
    }
    const owner = group.events[0];
    if (
      owner !== undefined &&
      owner.id !== data.eventId &&
      (await this.ownerPending(service, owner, channel))
    ) {
      // The group's first event has a job of its own, still to run or retrying: it sends the group, this
      // job checks back later. One sender per group keeps a failing webhook from getting one request per
      // event of the group at every retry.
      return { kind: 'wait', delayMs: this.options.ownerPollMs ?? 1000 };
    }
    const record = await this.readRecord(service.name);
    let notification: Notification | undefined;
    try {
      notification = buildNotification({ config, service: service.name, events: group.events, record });
    } catch (error) {
      this.options.metrics?.notifications.inc({ channel: channel.name, kind: 'events', outcome: 'failed' });
      await this.giveUp(job, 'events', target, {
        key: group.events[0]?.id ?? group.throughId,
        events: group.events,
        notification: undefined,
        error: new PermanentDeliveryError(`the message could not be built: ${messageOf(error)}`),
        lease: { lease, expected, throughId: group.throughId },
      });
      return this.afterFailure(job, group.events, data.eventId);
    }
    if (notification === undefined) {
      this.options.metrics?.skippedGroups.inc({ channel: channel.name, reason: 'nothing-to-send' });
      await this.move(lease, expected, { lastEventId: group.throughId, lastOutcome: 'nothing-to-send' });
      return { kind: 'settled' };
    }
    try {
      await this.send(target, notification, 'events', group.events);
    } catch (error) {
      if (!this.isFinal(job, error)) throw error;
      await this.giveUp(job, 'events', target, {
        key: group.events[0]?.id ?? group.throughId,
        events: group.events,
        notification,
        error,
        lease: { lease, expected, throughId: group.throughId },
      });
      return this.afterFailure(job, group.events, data.eventId);
    }
    const moved = await this.move(lease, expected, {
      lastEventId: group.throughId,
      lastOutcome: 'delivered',
      lastNotificationId: notification.id,
    });
    if (moved !== 'moved') {
      this.options.logger.log(
        'warn',
        'notify cursor moved by another worker while sending (message may repeat)',
        {
          service: service.name,
          channel: channel.name,
          result: moved,
        },
      );
    }
    await this.scheduleReminders(target, group.events, record);
    return { kind: 'delivered', notificationId: notification.id };
  }

  /** Whether the job of the group's first event is still queued, delayed for a retry, or running. */
  private async ownerPending(
    service: Service,
    owner: StoredEvent,
    channel: NotificationChannel,
  ): Promise<boolean> {
    const jobId = notifyJobId({
      service: service.name,
      eventId: owner.id,
      channel: channel.name,
      drill: false,
    });
    const state = await this.options.queue.getJobState(jobId);
    return PENDING_STATES.has(state);
  }

  /** A group failed for good. The job fails too when its own event was in it; otherwise it carries on. */
  private afterFailure(job: Job, events: StoredEvent[], eventId: string): GroupStep {
    if (events.some((event) => event.id === eventId)) {
      throw new UnrecoverableError(
        job.failedReason || 'the message carrying this event could not be delivered',
      );
    }
    return { kind: 'settled' };
  }

  /**
   * Events after the cursor; without a cursor (a channel's first message), those from `initialLookbackMs`
   * before this job's event on.
   */
  private async readAfter(
    service: string,
    cursor: NotifyCursor | undefined,
    eventId: string,
  ): Promise<StoredEvent[]> {
    const key = this.options.keys.service(service).events;
    const eventMs = Number(eventId.split('-')[0]);
    const start =
      cursor !== undefined
        ? `(${cursor.lastEventId}`
        : `${Math.max(0, eventMs - (this.options.initialLookbackMs ?? 15 * 60_000))}-0`;
    const entries = (await this.options.redis.xrange(key, start, '+', 'COUNT', READ_LIMIT)) as StreamEntry[];
    const events: StoredEvent[] = [];
    for (const entry of entries) {
      try {
        events.push(decodeEvent(key, entry));
      } catch (error) {
        // One unreadable entry must not block the channel: it is stepped over (and said so).
        this.options.logger.log('warn', 'unreadable event skipped by notifications', {
          service,
          error: messageOf(error),
        });
      }
    }
    return events;
  }

  private async move(
    lease: ChannelLease,
    expected: string | undefined,
    next: Omit<NotifyCursor, 'updatedAt'>,
    alsoWrite?: Record<string, string>,
  ): Promise<string> {
    return this.cursors.advance(lease, expected, { ...next, updatedAt: Date.now() }, alsoWrite);
  }

  private async scheduleReminders(
    target: Target,
    events: StoredEvent[],
    record: ServiceRecord | undefined,
  ): Promise<void> {
    const period = reminderPeriod(target.route, this.options.repeatEveryMs);
    if (period === undefined) return;
    for (const drain of drainsIn(events)) {
      if (!stillDrained(record, drain.pool, drain.drainedAt)) continue;
      await scheduleReminder(
        this.options.queue,
        {
          service: target.service.name,
          channel: target.channel.name,
          pool: drain.pool,
          drainedAt: drain.drainedAt,
          reminder: 1,
          drill: drain.drill,
        },
        period,
      );
    }
  }

  // ----- notify-reminder: a pool is still drained

  private async processReminder(job: Job, data: z.infer<typeof reminderJobSchema>): Promise<NotifyJobResult> {
    const target = this.target(data.service, data.channel);
    if (typeof target === 'string') return { outcome: 'skipped', detail: target };
    const period = reminderPeriod(target.route, this.options.repeatEveryMs);
    if (period === undefined) return { outcome: 'skipped', detail: 'the route has no repeatEvery any more' };
    const record = await this.readRecord(data.service);
    if (!stillDrained(record, data.pool, data.drainedAt)) {
      return { outcome: 'pool-restored', detail: `pool ${data.pool} is no longer drained by that drain` };
    }
    const of = target.route.maxReminders;
    const built = buildReminder({
      config: target.config,
      service: data.service,
      pool: data.pool,
      drainedAt: data.drainedAt,
      reminder: data.reminder,
      of,
      now: await redisTimeMs(this.options.redis),
      record,
    });
    const notification = data.drill === true ? asDrill(built) : built;
    try {
      await this.send(target, notification, 'reminder', []);
    } catch (error) {
      if (!this.isFinal(job, error)) throw error;
      await this.giveUp(job, 'reminder', target, {
        key: reminderFailureKey({ ...data, drill: data.drill === true }),
        events: [],
        notification,
        error,
      });
      throw new UnrecoverableError(job.failedReason || messageOf(error));
    }
    if (data.reminder < of) {
      await scheduleReminder(
        this.options.queue,
        { ...data, drill: data.drill === true, reminder: data.reminder + 1 },
        period,
      );
    }
    return { outcome: 'delivered', delivered: [notification.id] };
  }

  // ----- notify-retry: an undelivered message, queued again by `quorumdns notify retry`

  private async processRetry(job: Job, data: z.infer<typeof retryJobSchema>): Promise<NotifyJobResult> {
    const failure = await this.failures.get(data.failureId);
    if (failure === undefined) return { outcome: 'gone', detail: `${data.failureId} is no longer recorded` };
    const target = this.target(failure.service, failure.channel);
    if (typeof target === 'string') {
      await this.failures.record({
        ...failure,
        reason: target,
        code: 'ENOTIFY_UNROUTABLE',
        failedAt: Date.now(),
      });
      throw new UnrecoverableError(target);
    }
    let notification = failure.notification;
    if (notification === undefined) {
      // The first try could not even build the message: build it again from its events.
      const events = await this.events.readIds(failure.service, failure.eventIds);
      notification = buildNotification({
        config: target.config,
        service: failure.service,
        events,
        record: await this.readRecord(failure.service),
      });
      if (notification === undefined) {
        await this.failures.resolve(failure.id);
        return { outcome: 'nothing-to-send' };
      }
    }
    try {
      await this.send(target, notification, 'retry', []);
    } catch (error) {
      if (!this.isFinal(job, error)) throw error;
      await this.failures.record({
        ...failure,
        notification,
        ...describeFailure(error),
        attempts: failure.attempts + job.attemptsMade + 1,
        failedAt: Date.now(),
      });
      this.logUndeliverable(failure.service, failure.channel, failure.id, error);
      throw new UnrecoverableError(messageOf(error));
    }
    await this.failures.resolve(failure.id);
    return { outcome: 'delivered', delivered: [notification.id] };
  }

  // ----- shared

  private target(serviceName: string, channelName: string): Target | string {
    const config = this.options.config();
    const service = config.services[serviceName];
    if (service === undefined) return `service ${serviceName} is not in the configuration`;
    const route = service.notify.find((candidate) => candidate.channel === channelName);
    if (route === undefined) return `service ${serviceName} no longer routes to channel ${channelName}`;
    const channel = config.notifications[channelName];
    if (channel === undefined) return `channel ${channelName} is not in the configuration`;
    return { config, service, route, channel };
  }

  private async readRecord(service: string): Promise<ServiceRecord | undefined> {
    try {
      return await this.states.read(service);
    } catch (error) {
      // A message without the record's detail beats no message during an incident.
      this.options.logger.log('warn', 'service record unreadable; notifying without it', {
        service,
        error: messageOf(error),
      });
      return undefined;
    }
  }

  /** One delivery attempt, with metrics and a log line either way. */
  private async send(
    target: Target,
    notification: Notification,
    kind: Kind,
    events: StoredEvent[],
  ): Promise<DeliveryReceipt> {
    const channel = target.channel.name;
    const started = performance.now();
    try {
      const receipt = await deliverNotification(target.channel, notification, {
        formatter: this.formatterFor(target.channel.type),
        env: this.options.env,
        formatterUrlOverride: this.options.formatterUrlOverride,
        maxRetryAfterMs: this.options.maxRetryAfterMs,
      });
      const metrics = this.options.metrics;
      metrics?.requestSeconds.observe({ channel }, (performance.now() - started) / 1000);
      metrics?.notifications.inc({ channel, kind, outcome: 'delivered' });
      const newest = Math.max(...events.map((event) => event.at));
      if (Number.isFinite(newest))
        metrics?.deliveryLagSeconds.observe({ channel }, Math.max(0, Date.now() - newest) / 1000);
      this.options.logger.log('info', 'notification delivered', {
        service: target.service.name,
        channel,
        kind: notification.kind,
        notification: notification.id,
        events: events.length,
        drill: notification.drill,
        status: receipt.status,
        ms: receipt.durationMs,
        target: receipt.target,
      });
      return receipt;
    } catch (error) {
      this.options.metrics?.requestSeconds.observe({ channel }, (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** Whether this failure ends the job: a permanent error, or the job's last attempt. Counts and logs it. */
  private isFinal(job: Job, error: unknown): boolean {
    const retryable = !(error instanceof DeliveryError) || error.retryable;
    const attempts = job.opts.attempts ?? notifyJobOptions.attempts ?? 1;
    const final = !retryable || job.attemptsMade + 1 >= attempts;
    const data = job.data as { service?: string; channel?: string };
    const channel = data.channel ?? 'unknown';
    const kind: Kind =
      job.name === NOTIFY_REMINDER_JOB_NAME
        ? 'reminder'
        : job.name === NOTIFY_RETRY_JOB_NAME
          ? 'retry'
          : 'events';
    this.options.metrics?.notifications.inc({ channel, kind, outcome: final ? 'failed' : 'retry' });
    if (!final) {
      this.options.logger.log('warn', 'notification attempt failed; will retry', {
        service: data.service,
        channel,
        attempt: job.attemptsMade + 1,
        of: attempts,
        code: codeOf(error),
        error: messageOf(error),
      });
    }
    return final;
  }

  /** Records an undeliverable message (and, for a group, moves the cursor past it in the same step). */
  private async giveUp(
    job: Job,
    kind: 'events' | 'reminder',
    target: Target,
    input: {
      key: string;
      events: StoredEvent[];
      notification: Notification | undefined;
      error: unknown;
      lease?: { lease: ChannelLease; expected: string | undefined; throughId: string };
    },
  ): Promise<void> {
    const id = failureId(target.service.name, target.channel.name, input.key);
    const previous = await this.failures.get(id).catch(() => undefined);
    const now = Date.now();
    const failure: FailedNotification = {
      id,
      service: target.service.name,
      channel: target.channel.name,
      kind,
      eventIds: input.events.map((event) => event.id),
      drill: input.notification?.drill ?? input.events.some((event) => event.drill === true),
      ...(input.notification !== undefined ? { notification: input.notification } : {}),
      ...describeFailure(input.error),
      attempts: (previous?.attempts ?? 0) + job.attemptsMade + 1,
      firstFailedAt: previous?.firstFailedAt ?? now,
      failedAt: now,
      retries: previous?.retries ?? 0,
    };
    if (input.lease !== undefined) {
      const { field, value } = this.failures.detailsField(failure);
      const { lease, expected, throughId } = input.lease;
      await this.move(lease, expected, { lastEventId: throughId, lastOutcome: 'failed' }, { [field]: value });
      await this.failures.list(failure);
    } else {
      await this.failures.record(failure);
    }
    job.failedReason = failure.reason;
    this.logUndeliverable(failure.service, failure.channel, id, input.error);
  }

  private logUndeliverable(service: string, channel: string, id: string, error: unknown): void {
    this.options.logger.log('error', 'notification undeliverable (see quorumdns notify failed)', {
      service,
      channel,
      failure: id,
      code: codeOf(error),
      error: messageOf(error),
    });
  }

  /** Moves the job back to delayed for `ms` (it does not count as an attempt) and stops this run. */
  private async delay(job: Job, token: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.max(0, Math.round(ms)), token);
    throw new DelayedError();
  }
}

type GroupStep =
  | { kind: 'covered' }
  | { kind: 'settled' }
  | { kind: 'delivered'; notificationId: string }
  | { kind: 'wait'; delayMs: number }
  | { kind: 'not-routed'; detail: string };

/** BullMQ states of a job that has yet to finish. */
const PENDING_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
]);

function parseData<T>(job: Job, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(job.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnrecoverableError(
      `${job.name} job ${job.id ?? ''} has malformed data: ${issue?.path.join('.') || 'data'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Tags a notification built without knowing of a drill (reminders) as a drill's. */
function asDrill(notification: Notification): Notification {
  if (notification.drill) return notification;
  const title = notification.title.startsWith(DRILL_TAG)
    ? notification.title
    : `${DRILL_TAG} ${notification.title}`;
  return { ...notification, drill: true, title };
}

function describeFailure(error: unknown): Pick<FailedNotification, 'reason' | 'code' | 'status'> {
  return {
    reason: messageOf(error),
    code: codeOf(error),
    ...(error instanceof DeliveryError && error.status !== undefined ? { status: error.status } : {}),
  };
}

/** Error text fit for logs and Redis: delivery errors are already safe; anything else is redacted. */
function messageOf(error: unknown): string {
  if (error instanceof DeliveryError) return error.message;
  return redact(error instanceof Error ? error.message || error.name : String(error));
}

function codeOf(error: unknown): string {
  if (error instanceof DeliveryError) return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'ENOTIFY_ERROR';
}

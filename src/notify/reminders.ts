/**
 * Reminders while a pool stays drained (`repeatEvery` on a notify route, at most `maxReminders` per drain).
 *
 * After a message that drained a pool is delivered to a channel, one delayed reminder job is added; when it
 * runs and the service record still has that pool drained by that same drain, reminder n of N is sent and
 * job n+1 is added. A restore (or a newer drain, which starts its own chain) ends the chain. Job ids are
 * deterministic per (service, channel, pool, drain, n): the same drain delivered twice, or two workers adding
 * the same reminder, leave one job.
 */
import type { Queue } from 'bullmq';
import type { NotificationRoute } from '../config/types';
import { notifyJobOptions } from '../evaluator/queues';
import type { ServiceRecord, StoredEvent } from '../evaluator/service-record';
import { effectivelyEligible } from '../quorum/eligibility';

export const NOTIFY_REMINDER_JOB_NAME = 'notify-reminder';

export interface ReminderJobData {
  service: string;
  channel: string;
  pool: string;
  /** Redis ms of the drain this chain reminds of (the pool-drained event's time). */
  drainedAt: number;
  /** 1-based number of this reminder. */
  reminder: number;
  /** The drain came from a drill: the reminder says so too. */
  drill: boolean;
}

export function reminderJobId(data: ReminderJobData): string {
  return [
    'notify-reminder',
    data.service,
    data.channel,
    data.pool,
    String(data.drainedAt),
    String(data.reminder),
  ].join('/');
}

/** The failure key (failed-notifications.ts) of a reminder. */
export function reminderFailureKey(data: ReminderJobData): string {
  return `reminder-${data.pool}-${data.drainedAt}-${data.reminder}`;
}

/** The drains a delivered group announced: pool-drained events, one per pool (the newest). */
export function drainsIn(
  events: readonly StoredEvent[],
): Array<{ pool: string; drainedAt: number; drill: boolean }> {
  const byPool = new Map<string, { pool: string; drainedAt: number; drill: boolean }>();
  for (const event of events) {
    if (event.kind !== 'pool-drained' || event.pool === undefined) continue;
    byPool.set(event.pool, { pool: event.pool, drainedAt: event.at, drill: event.drill === true });
  }
  return [...byPool.values()];
}

/**
 * Whether `pool` is still out of service because of the drain at `drainedAt`: not eligible (automatically
 * or by a force-out) and not restored since.
 */
export function stillDrained(record: ServiceRecord | undefined, pool: string, drainedAt: number): boolean {
  const state = record?.state.pools[pool];
  if (state === undefined) return false;
  if (effectivelyEligible(state)) return false;
  return state.restoredAt === undefined || state.restoredAt < drainedAt;
}

/** The reminder period of a route, `undefined` when it has none (or `maxReminders` is 0). */
export function reminderPeriod(route: NotificationRoute, override: number | undefined): number | undefined {
  if (route.repeatEvery === undefined || route.maxReminders < 1) return undefined;
  return override ?? route.repeatEvery;
}

/** Adds reminder job `data` (idempotent by job id) due in `delayMs`. */
export async function scheduleReminder(queue: Queue, data: ReminderJobData, delayMs: number): Promise<void> {
  await queue.add(NOTIFY_REMINDER_JOB_NAME, data, {
    ...notifyJobOptions,
    jobId: reminderJobId(data),
    delay: Math.max(0, Math.round(delayMs)),
  });
}

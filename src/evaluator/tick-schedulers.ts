/**
 * One BullMQ job scheduler per managed service: the periodic evaluation (tick). Upserting is idempotent, so
 * every evaluator does it at start and on reload; a service that left the config loses its scheduler (its
 * record and events stay: history is never deleted by a config change).
 */
import type { Queue } from 'bullmq';
import type { Config } from '../config/types';
import { EVALUATE_JOB_NAME, type EvaluateJobData, evaluateSchedulerId } from './queues';

const SCHEDULER_PREFIX = evaluateSchedulerId('');

/**
 * Tick jobs come every second per service: keep none of the successful ones, some failed ones to read.
 *
 * WHY a priority: BullMQ takes jobs without a priority (the probes' flip jobs) before prioritized ones, so a
 * flip never waits behind a backlog of routine ticks; the ticks only catch up on what flips did not cover.
 */
export const TICK_JOB_OPTIONS = {
  priority: 10,
  removeOnComplete: true,
  removeOnFail: { age: 3600, count: 1000 },
} as const;

export interface SchedulerSync {
  upserted: number;
  removed: string[];
}

export async function syncTickSchedulers(
  queue: Queue<EvaluateJobData>,
  config: Pick<Config, 'services'>,
  tickMs: number,
): Promise<SchedulerSync> {
  const services = Object.keys(config.services);
  for (let start = 0; start < services.length; start += 100) {
    await Promise.all(
      services.slice(start, start + 100).map((service) =>
        queue.upsertJobScheduler(
          evaluateSchedulerId(service),
          { every: tickMs },
          {
            name: EVALUATE_JOB_NAME,
            data: { service, reason: 'tick', requestedAt: 0, requestedBy: 'scheduler' },
            opts: TICK_JOB_OPTIONS,
          },
        ),
      ),
    );
  }
  const wanted = new Set(services.map(evaluateSchedulerId));
  const removed: string[] = [];
  for (const scheduler of await queue.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (!id.startsWith(SCHEDULER_PREFIX) || wanted.has(id)) continue;
    await queue.removeJobScheduler(id);
    removed.push(id.slice(SCHEDULER_PREFIX.length));
  }
  return { upserted: services.length, removed };
}

/**
 * Adds the jobs a commit owes: one `apply` job per provider target when the generation moved, one `notify`
 * job per (event, routed channel). Job ids are deterministic, so adding them twice (a retry, a second
 * evaluator finishing a crashed one's dispatch) leaves one job.
 */
import type { Queue } from 'bullmq';
import type { Service } from '../config/types';
import {
  APPLY_JOB_NAME,
  type ApplyJobData,
  applyJobId,
  applyJobOptions,
  NOTIFY_JOB_NAME,
  type NotifyJobData,
  notifyJobId,
  notifyJobOptions,
} from './queues';
import { routedChannels, routingSeverity } from './notify-routing';
import type { StoredEvent } from './service-record';

export interface DispatchedJobs {
  apply: ApplyJobData[];
  notify: NotifyJobData[];
}

/** The jobs of one commit, without adding them (pure: what a commit owes). */
export function jobsOf(
  service: Service,
  generation: number,
  includeApply: boolean,
  events: StoredEvent[],
): DispatchedJobs {
  const apply: ApplyJobData[] = includeApply
    ? service.providers.map((target) => ({
        service: service.name,
        provider: target.provider,
        zone: target.zone,
        generation,
      }))
    : [];
  const notify: NotifyJobData[] = [];
  for (const event of events) {
    for (const channel of routedChannels(service, routingSeverity(event))) {
      notify.push({ service: service.name, eventId: event.id, channel, drill: event.drill === true });
    }
  }
  return { apply, notify };
}

export class JobDispatcher {
  constructor(
    private readonly applyQueue: Queue<ApplyJobData>,
    private readonly notifyQueue: Queue<NotifyJobData>,
  ) {}

  async dispatch(
    service: Service,
    generation: number,
    includeApply: boolean,
    events: StoredEvent[],
  ): Promise<DispatchedJobs> {
    const jobs = jobsOf(service, generation, includeApply, events);
    await Promise.all([
      jobs.apply.length === 0
        ? undefined
        : this.applyQueue.addBulk(
            jobs.apply.map((data) => ({
              name: APPLY_JOB_NAME,
              data,
              opts: { ...applyJobOptions, jobId: applyJobId(data) },
            })),
          ),
      jobs.notify.length === 0
        ? undefined
        : this.notifyQueue.addBulk(
            jobs.notify.map((data) => ({
              name: NOTIFY_JOB_NAME,
              data,
              opts: { ...notifyJobOptions, jobId: notifyJobId(data) },
            })),
          ),
    ]);
    return jobs;
  }
}

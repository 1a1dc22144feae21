/**
 * Scheduled practice drills (`drills:` in a service), run by the evaluator.
 *
 * One BullMQ job scheduler per (service, schedule) on the `drill` queue, id `drill-<service>-<schedule id>`,
 * with the schedule's cron `pattern` and `tz` (upserted at start and on reload, removed when the schedule
 * leaves the config). When a job runs:
 * - a blocked window covering now (Redis clock) skips it: the skip is kept in `drillRuns` and logged;
 * - another drill of the service (this process, or any other: the overlay's SET NX) skips it likewise;
 * - otherwise `runDrill` runs it as `scheduler:<id>`: its `drill-started` / `drill-ended` events are notified
 *   through the service's routes, its report goes to `drillRuns` (and to `reportDir` when set).
 * Closing aborts running drills, which removes their overlays.
 *
 * Several evaluators may run this: BullMQ hands each firing to one worker.
 */
import type { Job, Queue } from 'bullmq';
import type { BlockedWindow, Config, DrillSchedule, Service } from '../config/types';
import { expandCronMacro, nextCronTime, parseCron } from '../config/cron-expression';
import {
  DRILL_JOB_NAME,
  type DrillJobData,
  drillJobOptions,
  drillSchedulerId,
  QueueName,
} from '../evaluator/queues';
import { redisTimeMs } from '../evaluator/redis-time';
import type { Logger } from '../probe/logger';
import { formatTime } from '../quorum/format-duration';
import { QueueWorkerHost } from '../queue/queue-worker-host';
import { whenReady } from '../redis/connect';
import { redisKeys } from '../redis/keys';
import { DrillAlreadyRunningError } from './drill-errors';
import { type DrillReport, schedulerTrigger } from './drill-report';
import { DrillStore, type SkippedDrillRun } from './drill-store';
import { runDrill, type RunDrillOptions } from './run-drill';
import { writeDrillReport } from './write-drill-report';

/** Every id drillSchedulerId makes starts with it. */
const SCHEDULER_PREFIX = 'drill-';

/** The cron pattern handed to BullMQ: macros written out as their five fields (validated by the config). */
export function cronPattern(schedule: Pick<DrillSchedule, 'cron'>): string {
  return expandCronMacro(schedule.cron);
}

/** When the schedule fires next after `afterMs` (Redis clock), in its time zone. */
export function nextDrillRun(schedule: Pick<DrillSchedule, 'cron' | 'timezone'>, afterMs: number): number {
  const parsed = parseCron(schedule.cron);
  if (!parsed.ok) throw new Error(`drill cron "${schedule.cron}": ${parsed.message}`);
  return nextCronTime(parsed.fields, afterMs, schedule.timezone);
}

/** The blocked window covering `now` (from inclusive, to exclusive), if any. */
export function blockedWindowAt(
  schedule: Pick<DrillSchedule, 'blockedWindows'>,
  now: number,
): BlockedWindow | undefined {
  return schedule.blockedWindows.find((window) => now >= window.from && now < window.to);
}

/** Whether a scheduled drill may start at `now`; the reason when it may not. */
export function scheduledRunDecision(
  schedule: DrillSchedule,
  now: number,
  busy: boolean,
): { run: true } | { run: false; reason: string } {
  const window = blockedWindowAt(schedule, now);
  if (window !== undefined) {
    return {
      run: false,
      reason: `blocked window ${formatTime(window.from)} - ${formatTime(window.to)}${window.reason ? ` (${window.reason})` : ''}`,
    };
  }
  if (busy) return { run: false, reason: 'another drill of this service is running' };
  return { run: true };
}

export interface DrillSchedulerOptions {
  /** The config in force (read per job: a reload applies to the next firing). */
  config: () => Config;
  redisUrl: string;
  /** Shows in jobs' `processedBy` and in logs. */
  id: string;
  logger: Logger;
  /** Drills running at once (different services; a service never runs two). @defaultValue 4 */
  concurrency?: number;
  /** Tests and labs: every schedule fires every this many ms instead of on its cron. */
  everyMs?: number;
  /** Also write each run's report files here (JSON, Markdown, SVG). */
  reportDir?: string;
  /** Passed to every `runDrill` (tests make polling and waits short). */
  drill?: Partial<
    Pick<
      RunDrillOptions,
      'pollMs' | 'answerPollMs' | 'dnsTimeoutMs' | 'postRestoreWaitMs' | 'nameServerLookup'
    >
  >;
  /** Told of every finished run or skip (tests, embedding); must not throw. */
  onRun?: (service: string, result: DrillReport | SkippedDrillRun) => void;
}

export interface DrillJobResult {
  outcome: 'pass' | 'fail' | 'skipped';
  id?: string;
  reason?: string;
}

export class DrillScheduler {
  private readonly host: QueueWorkerHost;
  private readonly queue: Queue<DrillJobData>;
  private readonly running = new Map<string, AbortController>();

  private constructor(private readonly options: DrillSchedulerOptions) {
    this.host = new QueueWorkerHost({
      role: 'drill',
      id: options.id,
      redisUrl: options.redisUrl,
      queuePrefix: redisKeys(options.config().deployment.redis.keyPrefix).queuePrefix,
      logger: options.logger,
    });
    this.queue = this.host.queue<DrillJobData>(QueueName.drill);
    this.host.createWorker<DrillJobData, DrillJobResult>(QueueName.drill, (job) => this.process(job), {
      concurrency: options.concurrency ?? 4,
      // A drill runs for minutes: the lock is renewed while it runs. A crashed runner's job is not re-run
      // (maxStalledCount 0): the overlay's expiry ends that drill, and the next firing starts a fresh one.
      lockDuration: 30_000,
      maxStalledCount: 0,
    });
  }

  /** Installs the schedulers of the config and starts taking drill jobs. */
  static async start(options: DrillSchedulerOptions): Promise<DrillScheduler> {
    const scheduler = new DrillScheduler(options);
    try {
      // The commands connection has no offline queue: wait for it before the first command.
      await whenReady(scheduler.host.commands, 10_000);
      await scheduler.sync(options.config());
      await scheduler.host.start();
    } catch (error) {
      await scheduler.close();
      throw error;
    }
    return scheduler;
  }

  /** Upserts one job scheduler per schedule of `config`; removes those of schedules no longer there. */
  async sync(config: Config): Promise<{ upserted: string[]; removed: string[] }> {
    const wanted = new Map<string, { service: Service; schedule: DrillSchedule }>();
    for (const service of Object.values(config.services)) {
      for (const schedule of service.drills)
        wanted.set(drillSchedulerId(service.name, schedule.id), { service, schedule });
    }
    for (const [id, { service, schedule }] of wanted) {
      const repeat =
        this.options.everyMs !== undefined
          ? { every: this.options.everyMs }
          : { pattern: cronPattern(schedule), tz: schedule.timezone };
      await this.queue.upsertJobScheduler(id, repeat, {
        name: DRILL_JOB_NAME,
        data: { service: service.name, schedule: schedule.id },
        opts: drillJobOptions,
      });
    }
    const removed: string[] = [];
    for (const existing of await this.queue.getJobSchedulers(0, -1)) {
      const id = existing.id ?? existing.key;
      if (!id.startsWith(SCHEDULER_PREFIX) || wanted.has(id)) continue;
      await this.queue.removeJobScheduler(id);
      removed.push(id);
    }
    if (removed.length > 0)
      this.options.logger.log('info', 'drill schedules removed', { ids: removed.join(',') });
    return { upserted: [...wanted.keys()], removed };
  }

  isRunning(): boolean {
    return this.host.isRunning();
  }

  /** Stops taking jobs; running drills are aborted (their overlays removed) and finish their reports. */
  close(): Promise<void> {
    for (const controller of this.running.values()) controller.abort('the evaluator is shutting down');
    return this.host.close();
  }

  private async process(job: Job<DrillJobData, DrillJobResult>): Promise<DrillJobResult> {
    const config = this.options.config();
    const { service: serviceName, schedule: scheduleId } = job.data ?? ({} as Partial<DrillJobData>);
    const service = typeof serviceName === 'string' ? config.services[serviceName] : undefined;
    const schedule = service?.drills.find((candidate) => candidate.id === scheduleId);
    if (service === undefined || schedule === undefined) {
      return {
        outcome: 'skipped',
        reason: `no drill schedule ${String(scheduleId)} of ${String(serviceName)} in the config`,
      };
    }
    const store = new DrillStore(this.host.commands, redisKeys(config.deployment.redis.keyPrefix));
    const now = await redisTimeMs(this.host.commands);
    const decision = scheduledRunDecision(schedule, now, this.running.has(service.name));
    if (!decision.run) return this.skip(store, service, schedule, now, decision.reason);

    const controller = new AbortController();
    this.running.set(service.name, controller);
    try {
      const report = await runDrill({
        ...this.options.drill,
        config,
        redis: this.host.commands,
        service: service.name,
        pool: schedule.pool,
        mode: schedule.mode,
        durationMs: schedule.duration,
        by: schedulerTrigger(schedule.id),
        trigger: schedulerTrigger(schedule.id),
        reason: `scheduled drill ${schedule.id} (${schedule.cron} ${schedule.timezone})`,
        signal: controller.signal,
        logger: this.options.logger,
      });
      let final = report;
      if (this.options.reportDir !== undefined) {
        const files = await writeDrillReport(report, this.options.reportDir).catch((error: unknown) => {
          this.options.logger.log('warn', 'could not write the drill report files', {
            service: service.name,
            error: error instanceof Error ? error.message : String(error),
          });
          return undefined;
        });
        if (files !== undefined) final = { ...report, files };
      }
      this.options.onRun?.(service.name, final);
      return {
        outcome: report.verdict,
        id: report.id,
        ...(report.reasons.length > 0 ? { reason: report.reasons.join('; ') } : {}),
      };
    } catch (error) {
      if (error instanceof DrillAlreadyRunningError) {
        return this.skip(store, service, schedule, now, error.message);
      }
      throw error;
    } finally {
      this.running.delete(service.name);
    }
  }

  private async skip(
    store: DrillStore,
    service: Service,
    schedule: DrillSchedule,
    now: number,
    reason: string,
  ): Promise<DrillJobResult> {
    const skipped: SkippedDrillRun = {
      version: 1,
      skipped: true,
      service: service.name,
      schedule: schedule.id,
      pool: schedule.pool,
      mode: schedule.mode,
      at: now,
      reason,
    };
    await store.appendRun(service.name, skipped).catch(() => undefined);
    this.options.logger.log('info', 'scheduled drill skipped', {
      service: service.name,
      schedule: schedule.id,
      reason,
    });
    this.options.onRun?.(service.name, skipped);
    return { outcome: 'skipped', reason };
  }
}

/**
 * The evaluator process: BullMQ workers around the pure decision core.
 *
 * - the `evaluate` queue is fed by one job scheduler per service (the tick) and by the probe workers'
 *   deduplicated flip jobs; each job runs `ServiceEvaluator.evaluate` for its service;
 * - the `apply` and `notify` queues receive the jobs decisions owe; with `apply`, this process also runs the
 *   apply worker (src/providers/apply-worker.ts) that carries decisions to the DNS providers; with `notify`,
 *   the notify worker (src/notify/notify-worker.ts) that delivers the notifications;
 * - `reload` swaps in a new, already validated config; `close` is graceful (in-flight jobs finish).
 *
 * Any number of evaluators may run against one Redis; see service-evaluator.ts for why that is safe.
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Config } from '../config/types';
import type { Logger } from '../probe/logger';
import { whenReady } from '../redis/connect';
import { redisKeys, type RedisKeyLayout } from '../redis/keys';
import { QueueWorkerHost } from '../queue/queue-worker-host';
import {
  createEvaluatorMetrics,
  type EvaluatorMetrics,
  type QueueCounts,
} from '../metrics/evaluator-metrics';
import type { Readiness } from '../api/health-server';
import { createEvaluatorRedis } from './evaluator-redis';
import { EventLog } from './event-log';
import { JobDispatcher } from './job-dispatcher';
import { KeyedSerializer } from './keyed-serializer';
import {
  type ApplyJobData,
  EVALUATE_JOB_NAME,
  type EvaluateJobData,
  type NotifyJobData,
  QueueName,
} from './queues';
import { type EvaluationResult, ServiceEvaluator } from './service-evaluator';
import { StateStore } from './state-store';
import { syncTickSchedulers } from './tick-schedulers';
import { ApplyWorker, type ApplyWorkerOptions } from '../providers/apply-worker';
import { NotifyWorker, type NotifyWorkerOptions } from '../notify/notify-worker';
import { DrillScheduler, type DrillSchedulerOptions } from '../drill/drill-scheduler';

/** Options of the in-process apply worker; config, Redis, id, logger and registry come from the evaluator. */
export type EvaluatorApplyOptions = Omit<
  ApplyWorkerOptions,
  'config' | 'redisUrl' | 'id' | 'logger' | 'registry'
>;

/** Options of the in-process notify worker; config, Redis, id, logger and registry come from the evaluator. */
export type EvaluatorNotifyOptions = Omit<
  NotifyWorkerOptions,
  'config' | 'redisUrl' | 'id' | 'logger' | 'registry'
>;

/** Options of the in-process drill scheduler; config, Redis, id and logger come from the evaluator. */
export type EvaluatorDrillOptions = Omit<DrillSchedulerOptions, 'config' | 'redisUrl' | 'id' | 'logger'>;

export interface EvaluatorOptions {
  config: Config;
  /** Resolved Redis URL (secrets already resolved; never logged unredacted). */
  redisUrl: string;
  /** @defaultValue `<hostname>:<pid>` */
  id?: string;
  /** Period of each service's scheduled evaluation. @defaultValue 1000 */
  tickMs?: number;
  /** Evaluations in flight at once (different services; one service is evaluated one at a time). @defaultValue 16 */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal. A job of an evaluator killed with -9 is handed to another
   * evaluator about this long (plus `stalledIntervalMs`) later. Evaluations take milliseconds, and a job
   * run twice is harmless (compare-and-set), so this is short. @defaultValue 10000
   */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. @defaultValue 5000 */
  stalledIntervalMs?: number;
  /** How often the evaluator checks that the tick schedulers still exist in Redis. @defaultValue 5000 */
  schedulerWatchMs?: number;
  /** How long `start` waits for Redis before giving up. @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** Metrics go here. @defaultValue a new Registry */
  registry?: Registry;
  logger: Logger;
  /** Called after every successful evaluation of a job (benchmarks, embedding); must not throw. */
  onEvaluated?: (result: EvaluationResult, job: EvaluatedJob) => void;
  /**
   * Also run the apply worker in this process (`true` or its options): it takes the `apply` jobs and changes
   * DNS at the providers. Off by default for embedders and tests, which must not reach a provider by
   * accident; `quorumdns evaluate` turns it on unless `--no-apply`. @defaultValue false
   */
  apply?: boolean | EvaluatorApplyOptions;
  /**
   * Also run the notify worker in this process (`true` or its options): it delivers the `notify` jobs to the
   * chat webhooks, on connections and job slots of its own, so a hanging webhook never delays an evaluation.
   * Off by default like `apply`; `quorumdns evaluate` turns it on unless `--no-notify`. @defaultValue false
   */
  notify?: boolean | EvaluatorNotifyOptions;
  /**
   * Also run the services' scheduled drills (`drills:`) in this process (`true` or its options): one BullMQ
   * job scheduler per schedule on the `drill` queue (src/drill/drill-scheduler.ts). Off by default like
   * `apply`; `quorumdns evaluate` turns it on unless `--no-drills`. @defaultValue false
   */
  drills?: boolean | EvaluatorDrillOptions;
}

/** What `onEvaluated` is told about the job behind an evaluation. */
export interface EvaluatedJob {
  reason: string;
  /** When the job was due: its creation time plus its delay (a tick's slot), epoch ms of the adding host. */
  dueAt: number;
  /** When this evaluator took it (epoch ms). */
  startedAt: number;
}

export interface EvaluatorStats {
  evaluations: number;
  errors: number;
}

/** What an evaluate job returns (kept with the completed job). */
interface ProcessedJob {
  outcome: string;
  generation?: number;
}

/** Redis did not answer in time at start. */
export class RedisUnavailableError extends Error {
  readonly code = 'EREDISUNAVAILABLE';
  override readonly name = 'RedisUnavailableError';
}

/**
 * A fail-fast client rejects commands until connected: wait for `ready` (bounded) before the first one, and
 * fail with the evaluator's own coded error (`evaluate` logs it as `evaluator could not start`).
 */
async function waitUntilConnected(redis: Redis, timeoutMs: number): Promise<void> {
  await whenReady(redis, timeoutMs).catch(() => {
    throw new RedisUnavailableError(`Redis did not answer within ${timeoutMs} ms`);
  });
}

/** Why `reload` refused a config (it stays on the old one). */
export class ReloadRefusedError extends Error {
  readonly code = 'ERELOADREFUSED';
  override readonly name = 'ReloadRefusedError';
}

export class Evaluator {
  readonly id: string;
  readonly metrics: EvaluatorMetrics;
  private config: Config;
  private readonly keys: RedisKeyLayout;
  private readonly tickMs: number;
  /** The evaluate worker with its commands and worker connections and the queues. */
  private readonly host: QueueWorkerHost;
  private readonly storeConnection: Redis;
  private readonly evaluateQueue: Queue<EvaluateJobData>;
  private readonly applyQueue: Queue<ApplyJobData>;
  private readonly notifyQueue: Queue<NotifyJobData>;
  private readonly serviceEvaluator: ServiceEvaluator;
  private readonly serializer = new KeyedSerializer();
  /** Per service, the last error / unreadable-values message logged: logged when it starts or changes. */
  private readonly lastError = new Map<string, string>();
  private readonly lastUnreadable = new Map<string, string>();
  private readonly logger: Logger;
  private readonly onEvaluated: EvaluatorOptions['onEvaluated'];
  private closing: Promise<void> | undefined;
  private stats: EvaluatorStats = { evaluations: 0, errors: 0 };
  private readonly registry: Registry;
  /** The in-process apply worker (`options.apply`), started after the evaluate worker. */
  private applyWorker: ApplyWorker | undefined;
  /** The in-process notify worker (`options.notify`), started after the evaluate worker. */
  private notifyWorker: NotifyWorker | undefined;
  /** The in-process drill scheduler (`options.drills`), started last, closed first. */
  private drillScheduler: DrillScheduler | undefined;
  private schedulerWatch: NodeJS.Timeout | undefined;
  private readonly schedulerWatchMs: number;

  private constructor(options: EvaluatorOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.onEvaluated = options.onEvaluated;
    this.id = options.id ?? `${hostname()}:${process.pid}`;
    this.tickMs = options.tickMs ?? 1000;
    this.schedulerWatchMs = options.schedulerWatchMs ?? 5000;
    this.keys = redisKeys(options.config.deployment.redis.keyPrefix);
    this.host = new QueueWorkerHost({
      role: 'evaluate',
      // `quorumdns-evaluator:<id>` and `quorumdns-evaluator-worker:<id>` in CLIENT LIST, as ever.
      connectionRole: 'evaluator',
      id: this.id,
      redisUrl: options.redisUrl,
      queuePrefix: this.keys.queuePrefix,
      logger: options.logger,
    });
    // Closed after the evaluate worker and before the queues and connections: in-flight applies, then
    // deliveries (each within its channel's timeout), finish first unless the close is forced.
    this.host.closeWith({ close: async (force) => this.applyWorker?.close(force) });
    this.host.closeWith({ close: async (force) => this.notifyWorker?.close(force) });
    this.evaluateQueue = this.host.queue<EvaluateJobData>(QueueName.evaluate);
    this.applyQueue = this.host.queue<ApplyJobData>(QueueName.apply);
    this.notifyQueue = this.host.queue<NotifyJobData>(QueueName.notify);
    // The stores get a connection of their own: BullMQ defines its ~50 scripts on the connection it is given,
    // and ioredis copies every defined script into each pipeline it builds (one per evaluation).
    this.storeConnection = createEvaluatorRedis(
      options.redisUrl,
      'commands',
      `quorumdns-evaluator-store:${this.id}`,
    );
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    this.metrics = createEvaluatorMetrics(registry, { queueCounts: () => this.queueCounts() });
    this.metrics.managedServices.set(Object.keys(this.config.services).length);
    this.metrics.configInfo.set({ hash: this.config.hash }, 1);
    const stateStore = new StateStore(this.storeConnection, this.keys);
    this.serviceEvaluator = new ServiceEvaluator({
      redis: this.storeConnection,
      keys: this.keys,
      stateStore,
      eventLog: new EventLog(this.storeConnection, this.keys),
      dispatcher: new JobDispatcher(this.applyQueue, this.notifyQueue),
      evaluatorId: this.id,
      onUnreadable: (service, problems) => {
        if (problems.length === 0) {
          this.lastUnreadable.delete(service);
          return;
        }
        this.metrics.unreadableProbeValues.inc(problems.length);
        const message = `unreadable probe values (counted as unknown): ${problems.join('; ')}`;
        if (this.lastUnreadable.get(service) === message) return;
        this.lastUnreadable.set(service, message);
        this.logger.log('warn', message, { service });
      },
    });
    // Each job's `processedBy` is the evaluator's id; jobs of an evaluator that died mid-evaluation come back
    // as stalled (logged `recovered a stalled evaluate job`) and run again.
    this.host.createWorker<EvaluateJobData, ProcessedJob>(QueueName.evaluate, (job) => this.process(job), {
      concurrency: options.concurrency ?? 16,
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: options.stalledIntervalMs ?? 5000,
      // A stalled evaluation is simply run again; a job that keeps stalling is a tick: the next one comes.
      maxStalledCount: 3,
    });
  }

  /** Connects, installs the tick schedulers of the config and starts taking jobs. */
  static async start(options: EvaluatorOptions): Promise<Evaluator> {
    const evaluator = new Evaluator(options);
    try {
      const connectTimeout = options.connectTimeoutMs ?? 10_000;
      await waitUntilConnected(evaluator.host.commands, connectTimeout);
      await waitUntilConnected(evaluator.storeConnection, connectTimeout);
      const sync = await syncTickSchedulers(evaluator.evaluateQueue, evaluator.config, evaluator.tickMs);
      if (sync.removed.length > 0) {
        evaluator.logger.log('info', 'tick schedulers removed for services not in the config', {
          services: sync.removed.join(','),
        });
      }
      // ---- scheduled drills (src/drill/drill-scheduler.ts): started before the first evaluation, so the
      // evaluator is fully up (and a caller's signal handlers installed) soon after it starts evaluating.
      if (options.drills !== undefined && options.drills !== false) {
        evaluator.drillScheduler = await DrillScheduler.start({
          ...(options.drills === true ? {} : options.drills),
          config: () => evaluator.config,
          redisUrl: options.redisUrl,
          id: evaluator.id,
          logger: options.logger,
        });
      }
      // ---- end of scheduled drills
      await evaluator.host.start();
      evaluator.watchTickSchedulers();
      const crashRecovery = {
        ...(options.lockDurationMs !== undefined ? { lockDurationMs: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs !== undefined ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
      };
      if (options.apply !== undefined && options.apply !== false) {
        evaluator.applyWorker = await ApplyWorker.start({
          // A killed evaluator's apply must be picked up as fast as its evaluations: the same lock and stalled
          // check, and a per-target lease that a crashed holder blocks for 10 s at most.
          ...crashRecovery,
          leaseTtlMs: 10_000,
          ...(options.apply === true ? {} : options.apply),
          config: () => evaluator.config,
          redisUrl: options.redisUrl,
          id: evaluator.id,
          logger: options.logger,
          registry: evaluator.registry,
        });
      }
      if (options.notify !== undefined && options.notify !== false) {
        evaluator.notifyWorker = await NotifyWorker.start({
          ...crashRecovery,
          ...(options.notify === true ? {} : options.notify),
          config: () => evaluator.config,
          redisUrl: options.redisUrl,
          id: evaluator.id,
          logger: options.logger,
          registry: evaluator.registry,
        });
      }
    } catch (error) {
      await evaluator.close();
      throw error;
    }
    return evaluator;
  }

  /**
   * Re-creates the tick schedulers when they are gone. They live in Redis: a Redis that restarts without its
   * data (no persistence, a failover to an empty replica) loses them, and then only probe flips would trigger
   * evaluations — a decision taken while every region still looked stale would never be looked at again, and
   * no failback would ever run (scheduled drills are lost alike). Counting them is one ZCARD, cheap enough to do
   * every few seconds.
   */
  private watchTickSchedulers(): void {
    let checking = false;
    this.schedulerWatch = setInterval(() => {
      if (checking || this.closing !== undefined) return;
      checking = true;
      void (async () => {
        const expected = Object.keys(this.config.services).length;
        const present = await this.evaluateQueue.getJobSchedulersCount();
        if (present >= expected) return;
        this.logger.log('warn', 'tick schedulers missing in Redis (was its data lost?): re-creating them', {
          present,
          expected,
        });
        await syncTickSchedulers(this.evaluateQueue, this.config, this.tickMs);
        // The drill schedulers live in the same Redis: lost with the ticks, re-created with them.
        await this.drillScheduler?.sync(this.config);
      })()
        .catch((error: unknown) =>
          this.logger.log('warn', 'could not check the tick schedulers', {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          checking = false;
        });
    }, this.schedulerWatchMs);
    this.schedulerWatch.unref();
  }

  currentConfig(): Config {
    return this.config;
  }

  getStats(): EvaluatorStats {
    return { ...this.stats };
  }

  /** Evaluates one service now, outside the queue (tests, benchmarks, `--once`). */
  async evaluateNow(service: string): Promise<EvaluationResult> {
    const definition = this.config.services[service];
    if (definition === undefined) throw new Error(`service ${service} is not in the configuration`);
    return this.serializer.run(service, () => this.serviceEvaluator.evaluate(definition, this.config.hash));
  }

  /**
   * Swaps in a new config (validated by the caller): schedulers of new services are added, those of removed
   * services deleted. Refused (old config stays) when the Redis deployment would change: that needs a restart.
   */
  async reload(next: Config): Promise<{ added: string[]; removed: string[] }> {
    if (next.deployment.redis.keyPrefix !== this.config.deployment.redis.keyPrefix) {
      this.metrics.configReloads.inc({ result: 'refused' });
      throw new ReloadRefusedError(
        `deployment.redis.keyPrefix changed (${this.config.deployment.redis.keyPrefix} -> ${next.deployment.redis.keyPrefix}): restart the evaluator to move to another key space`,
      );
    }
    const before = new Set(Object.keys(this.config.services));
    await syncTickSchedulers(this.evaluateQueue, next, this.tickMs);
    await this.drillScheduler?.sync(next);
    const previousHash = this.config.hash;
    this.config = next;
    this.metrics.managedServices.set(Object.keys(next.services).length);
    this.metrics.configInfo.remove({ hash: previousHash });
    this.metrics.configInfo.set({ hash: next.hash }, 1);
    this.metrics.configReloads.inc({ result: 'applied' });
    const after = new Set(Object.keys(next.services));
    return {
      added: [...after].filter((service) => !before.has(service)),
      removed: [...before].filter((service) => !after.has(service)),
    };
  }

  /** Ready = Redis answers and the workers run (the config is loaded by construction). */
  async readiness(): Promise<Readiness> {
    const reasons: string[] = [];
    if (this.closing !== undefined) reasons.push('shutting down');
    if (!this.host.isRunning()) reasons.push('evaluate worker is not running');
    if (this.applyWorker !== undefined) reasons.push(...(await this.applyWorker.readinessProblems()));
    if (this.notifyWorker !== undefined && !this.notifyWorker.isRunning())
      reasons.push('notify worker is not running');
    if (this.drillScheduler !== undefined && !this.drillScheduler.isRunning())
      reasons.push('drill scheduler is not running');
    try {
      await Promise.all([this.host.commands.ping(), this.storeConnection.ping()]);
    } catch (error) {
      reasons.push(`Redis unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  /**
   * Graceful stop: no new jobs are taken, in-flight evaluations finish (their jobs complete), then the
   * connections close. `force` abandons in-flight jobs: they are recovered as stalled by another evaluator.
   */
  close(force = false): Promise<void> {
    this.closing ??= (async () => {
      // Running drills are aborted first: their overlays are removed while Redis is still connected.
      clearInterval(this.schedulerWatch);
      await this.drillScheduler?.close().catch(() => undefined);
      // The evaluate worker (in-flight evaluations finish), the apply and notify workers, the queues, the
      // host's connections; the stores' connection last, as the evaluations in flight used it.
      await this.host.close(force);
      await this.storeConnection.quit().catch(() => undefined);
      this.storeConnection.disconnect();
    })();
    return this.closing;
  }

  private async process(job: Job<EvaluateJobData>): Promise<ProcessedJob> {
    const serviceName: unknown = job.data?.service;
    if (job.name !== EVALUATE_JOB_NAME || typeof serviceName !== 'string') {
      this.metrics.evaluations.inc({ outcome: 'skipped' });
      return { outcome: 'skipped: not an evaluate job' };
    }
    const config = this.config;
    const service = config.services[serviceName];
    if (service === undefined) {
      // A flip job of a service this evaluator's config does not manage (removed, or a newer config elsewhere).
      this.metrics.evaluations.inc({ outcome: 'skipped' });
      return { outcome: 'skipped: not in the configuration' };
    }
    const reason = typeof job.data.reason === 'string' ? job.data.reason : 'unknown';
    const started = performance.now();
    const startedAt = Date.now();
    try {
      const result = await this.serializer.run(serviceName, () =>
        this.serviceEvaluator.evaluate(service, config.hash),
      );
      this.stats.evaluations += 1;
      this.metrics.evaluationSeconds.observe({ reason }, (performance.now() - started) / 1000);
      this.record(result);
      this.onEvaluated?.(result, { reason, dueAt: job.timestamp + (job.opts.delay ?? 0), startedAt });
      return { outcome: result.outcome, generation: result.generation };
    } catch (error) {
      this.stats.errors += 1;
      this.metrics.evaluations.inc({ outcome: 'error' });
      const message = error instanceof Error ? error.message : String(error);
      if (this.lastError.get(serviceName) !== message) {
        this.lastError.set(serviceName, message);
        this.logger.log('error', `evaluation failed: ${message}`, { service: serviceName });
      }
      throw error;
    }
  }

  private record(result: EvaluationResult): void {
    const { service } = result;
    this.metrics.evaluations.inc({ outcome: result.outcome });
    this.metrics.generation.set({ service }, result.generation);
    if (result.conflicts > 0) this.metrics.commitConflicts.inc(result.conflicts);
    if (result.jobs.apply.length > 0)
      this.metrics.jobsAdded.inc({ queue: QueueName.apply }, result.jobs.apply.length);
    if (result.jobs.notify.length > 0)
      this.metrics.jobsAdded.inc({ queue: QueueName.notify }, result.jobs.notify.length);
    if (this.lastError.delete(service)) this.logger.log('info', 'evaluations work again', { service });
    if (result.outcome === 'decision-changed') {
      this.metrics.decisions.inc({ service });
      this.logger.log('info', 'decision changed', {
        service,
        generation: result.generation,
        applyJobs: result.jobs.apply.length,
        notifyJobs: result.jobs.notify.length,
      });
    }
    for (const event of result.events) {
      this.metrics.events.inc({ kind: event.kind, severity: event.severity });
      const level = event.severity === 'critical' ? 'error' : event.severity === 'warning' ? 'warn' : 'info';
      this.logger.log(level, event.message, {
        service,
        event: event.kind,
        generation: event.generation,
        id: event.id,
      });
    }
  }

  private async queueCounts(): Promise<QueueCounts> {
    const states = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;
    const entries = await Promise.all(
      [this.evaluateQueue, this.applyQueue, this.notifyQueue].map(
        async (queue) => [queue.name, await queue.getJobCounts(...states)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}

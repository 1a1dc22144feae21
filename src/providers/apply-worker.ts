/**
 * The BullMQ worker of the `apply` queue: one job applies one decision generation of a service to one
 * provider target (`ApplyJobData`), through `ApplyProcessor`. It runs inside `quorumdns evaluate`.
 *
 * How job outcomes map to BullMQ:
 * - applied / unchanged / dry-run / dropped (fencing) / skipped (not in the config): the job completes, its
 *   return value says which;
 * - the target's lease is busy (another apply of the same target runs): the job is moved back to delayed for a
 *   short while (`DelayedError`), which costs no attempt: the two applies take turns, never interleave;
 * - a transient failure (throttled, 5xx, sync timeout, Redis): thrown, so BullMQ retries with the backoff of
 *   `applyJobOptions`;
 * - a permanent failure (forbidden, rejected, not owner, unsafe plan): `UnrecoverableError`, no retry.
 *
 * Every job is independent: a target whose provider is down only occupies its own jobs, never another
 * target's (the worker runs several jobs at once).
 */
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { Registry } from 'prom-client';
import type { Config, Provider } from '../config/types';
import { JobDispatcher } from '../evaluator/job-dispatcher';
import { APPLY_JOB_NAME, type ApplyJobData, type NotifyJobData, QueueName } from '../evaluator/queues';
import { type ApplyMetrics, createApplyMetrics } from '../metrics/apply-metrics';
import type { Logger } from '../probe/logger';
import { QueueWorkerHost } from '../queue/queue-worker-host';
import { redisKeys } from '../redis/keys';
import { ApplyLease } from './apply-lease';
import {
  ApplyProcessor,
  type ApplyProcessorOptions,
  type ApplyResult,
  isTransientApplyError,
} from './apply-processor';
import { AdapterPool, type AdapterDeps, createAdapter } from './create-adapter';
import type { DnsProviderAdapter } from './provider-adapter';

export interface ApplyWorkerOptions {
  /** The config in force; called per job, so a reloaded config applies to the next job. */
  config: () => Config;
  /** Resolved Redis URL (never logged unredacted). */
  redisUrl: string;
  /** Who applies: shows in lease tokens, events' `by`, jobs' `processedBy`. */
  id: string;
  logger: Logger;
  /** Metrics go here. Absent: none are registered. */
  registry?: Registry;
  /** Applies in flight at once (different targets; one target is applied one at a time). @defaultValue 8 */
  concurrency?: number;
  /**
   * BullMQ job lock. Applies wait for the provider's sync (a minute or more): BullMQ renews the lock while
   * the job runs, so this only bounds how soon a crashed worker's job runs elsewhere. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** @defaultValue 15000 */
  stalledIntervalMs?: number;
  /** The per-target lease: how long it lasts without renewal (a crashed holder blocks this long). @defaultValue 30000 */
  leaseTtlMs?: number;
  /** How long a job whose target is busy waits before it runs again (jittered up to 2x). @defaultValue 1000 */
  busyDelayMs?: number;
  /** Environment of the cloud SDKs' credential chains. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Builds adapters (tests hand in adapters of their own). @defaultValue createAdapter */
  createAdapter?: (provider: Provider, deps: AdapterDeps) => DnsProviderAdapter;
  /** Passed through to syncTarget (tests make retries fast). */
  sync?: ApplyProcessorOptions['sync'];
  /** Called after every job with its result or error (tests, embedding); must not throw. */
  onJob?: (data: ApplyJobData, outcome: ApplyResult | { outcome: 'error'; error: unknown }) => void;
}

/** What an apply job returns (kept with the completed job). */
export interface ApplyJobResult {
  outcome: string;
  generation?: number;
  changeIds?: string[];
  reason?: string;
}

export class ApplyWorker {
  readonly metrics: ApplyMetrics | undefined;
  readonly processor: ApplyProcessor;
  private readonly host: QueueWorkerHost;
  private readonly busyDelayMs: number;
  private readonly logger: Logger;
  private readonly onJob: ApplyWorkerOptions['onJob'];

  private constructor(options: ApplyWorkerOptions) {
    this.logger = options.logger;
    this.onJob = options.onJob;
    this.busyDelayMs = options.busyDelayMs ?? 1000;
    const config = options.config();
    const keys = redisKeys(config.deployment.redis.keyPrefix);
    this.host = new QueueWorkerHost({
      role: 'apply',
      id: options.id,
      redisUrl: options.redisUrl,
      queuePrefix: keys.queuePrefix,
      logger: options.logger,
    });
    const commands = this.host.commands;
    const applyQueue = this.host.queue<ApplyJobData>(QueueName.apply);
    const notifyQueue = this.host.queue<NotifyJobData>(QueueName.notify);
    this.metrics = options.registry === undefined ? undefined : createApplyMetrics(options.registry);
    const adapterDeps: AdapterDeps = { redis: commands, keyPrefix: config.deployment.redis.keyPrefix };
    if (options.env !== undefined) adapterDeps.env = options.env;
    const adapters = new AdapterPool(adapterDeps, options.createAdapter ?? createAdapter);
    this.host.closeWith(adapters);
    const processorOptions: ApplyProcessorOptions = {
      redis: commands,
      keys,
      config: options.config,
      adapters,
      lease: new ApplyLease(commands, keys, { ttlMs: options.leaseTtlMs ?? 30_000 }),
      logger: options.logger,
      dispatcher: new JobDispatcher(applyQueue, notifyQueue),
      id: options.id,
    };
    if (this.metrics !== undefined) processorOptions.metrics = this.metrics;
    if (options.sync !== undefined) processorOptions.sync = options.sync;
    this.processor = new ApplyProcessor(processorOptions);
    this.host.createWorker<ApplyJobData, ApplyJobResult>(
      QueueName.apply,
      (job, token, signal) => this.process(job, token, signal),
      {
        concurrency: options.concurrency ?? 8,
        lockDuration: options.lockDurationMs ?? 30_000,
        stalledInterval: options.stalledIntervalMs ?? 15_000,
        // A stalled apply (its worker died) simply runs again: fencing and the lease make that safe.
        maxStalledCount: 3,
      },
    );
  }

  /** Starts taking apply jobs. */
  static async start(options: ApplyWorkerOptions): Promise<ApplyWorker> {
    const worker = new ApplyWorker(options);
    await worker.host.start();
    return worker;
  }

  /** Why the worker is not ready (empty when it is): for `/readyz`. */
  async readinessProblems(): Promise<string[]> {
    const reasons: string[] = [];
    if (!this.host.isRunning()) reasons.push('apply worker is not running');
    try {
      await this.host.commands.ping();
    } catch (error) {
      reasons.push(
        `apply worker: Redis unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return reasons;
  }

  /** Graceful: in-flight applies finish (their jobs complete); `force` abandons them (they run again elsewhere). */
  close(force = false): Promise<void> {
    return this.host.close(force);
  }

  private async process(
    job: Job<ApplyJobData, ApplyJobResult>,
    token?: string,
    signal?: AbortSignal,
  ): Promise<ApplyJobResult> {
    const data = readJobData(job);
    if (typeof data === 'string') {
      this.logger.log('warn', 'apply job skipped', { jobId: job.id, reason: data });
      return { outcome: 'skipped', reason: data };
    }
    let result: ApplyResult;
    try {
      result = await this.processor.apply({
        ...data,
        jobGeneration: data.generation,
        attempt: { number: job.attemptsMade + 1, of: job.opts.attempts ?? 1 },
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      this.onJob?.(data, { outcome: 'error', error });
      if (!isTransientApplyError(error)) {
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
    this.onJob?.(data, result);
    switch (result.outcome) {
      case 'busy': {
        // Not an attempt: the other apply finishes and this job runs again, then sees its generation fenced
        // or applies the newest decision.
        const delay = Math.round(this.busyDelayMs * (1 + Math.random()));
        await job.moveToDelayed(Date.now() + delay, token);
        throw new DelayedError(`target busy (lease held by ${result.holder}); runs again in ${delay} ms`);
      }
      case 'skipped':
        this.logger.log('info', 'apply job skipped', { jobId: job.id, reason: result.reason });
        return { outcome: 'skipped', reason: result.reason };
      case 'dropped':
        return { outcome: 'dropped', reason: result.reason };
      default:
        return { outcome: result.outcome, generation: result.generation, changeIds: result.changeIds };
    }
  }
}

/** The job's payload, checked (a job added by another tool may be anything); a reason string when unusable. */
function readJobData(job: Job<ApplyJobData>): ApplyJobData | string {
  if (job.name !== APPLY_JOB_NAME) return `not an apply job (name ${JSON.stringify(job.name)})`;
  const data: unknown = job.data;
  if (typeof data !== 'object' || data === null) return 'job data is not an object';
  const { service, provider, zone, generation } = data as Record<string, unknown>;
  if (typeof service !== 'string' || typeof provider !== 'string' || typeof zone !== 'string') {
    return 'job data lacks service, provider or zone';
  }
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 0) {
    return `job generation is not a non-negative integer: ${JSON.stringify(generation)}`;
  }
  return { service, provider, zone, generation };
}

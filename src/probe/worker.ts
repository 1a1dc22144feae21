import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Readiness } from '../api/health-server';
import type { Config } from '../config/types';
import { createRedisClient, redactRedisUrl, resolveRedisUrl, whenReady } from '../redis/connect';
import type { StoredOpinion } from '../redis/keys';
import { runCheck } from './checks/run-check';
import type { CheckRunner } from './check-runner';
import { type Clock, systemClock } from './clock';
import { DrillOverlayReader } from './drill-overlay-reader';
import { EvaluateTrigger, type EvaluateTriggerStats } from './evaluate-trigger';
import { HeartbeatWriter, heartbeatPeriod, heartbeatTtl } from './heartbeat';
import { type Logger, jsonLineLogger } from './logger';
import { ObservationSink, type SinkEvent, type SinkStats } from './observation-sink';
import { type ProbeTarget, probeTargetsFor } from './probe-target';
import { ObservationRecorder, type RecordedObservation } from './recorder';
import {
  type CheckOutcomeClass,
  DEFAULT_CONCURRENCY,
  ProbeScheduler,
  type SchedulerStats,
} from './scheduler';
import type { SlipHistogramSnapshot } from './slip-histogram';
import { quorumdnsVersion } from './version';

export interface ProbeWorkerOptions {
  config: Config;
  /** The probe region this worker speaks for; must be one of `config.probeRegions`. */
  region: string;
  /** Stable name of this worker in heartbeats. @defaultValue `<hostname>-<pid>` */
  workerId?: string;
  /** @defaultValue 512 */
  concurrency?: number;
  /** Observations kept while Redis is unreachable. @defaultValue 10000 */
  bufferCapacity?: number;
  /**
   * A fail-fast client (see `createRedisClient`). When omitted the worker connects to the config's Redis
   * (or `REDIS_URL`) and closes the connection on stop; an injected client is left open.
   */
  redis?: Redis;
  /** @defaultValue the real `runCheck` of src/probe/checks */
  runCheck?: CheckRunner;
  clock?: Clock;
  /** @defaultValue JSON lines on stdout */
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** @defaultValue the package version */
  version?: string;
  /** Samples in the slip percentiles. @defaultValue 10000 */
  slipWindow?: number;
  /** How long `create` waits for the first Redis connection before it starts anyway. @defaultValue 3000 */
  connectWaitMs?: number;
  /** How often drill overlays are read (one pipelined read for all services). @defaultValue 500 */
  drillRefreshMs?: number;
}

export interface WorkerStats {
  scheduler: SchedulerStats;
  sink: SinkStats;
  evaluate: EvaluateTriggerStats;
  heartbeat: { beats: number; failures: number; lastRedisTime: number | undefined };
}

export type ReloadResult =
  | { ok: true; added: number; removed: number; changed: number; unchanged: number }
  | { ok: false; error: string };

export interface StopOptions {
  /** How long in-flight checks may take before they are aborted. @defaultValue longest check timeout + 1 s */
  graceMs?: number;
  /** How long to keep trying to write what is buffered. @defaultValue 5000 */
  flushTimeoutMs?: number;
  /**
   * Beat once more and leave the worker's heartbeat key to expire, instead of deleting it: for a worker that
   * is about to be started again (the per-minute Lambda), so its region never looks gone in between.
   * @defaultValue false
   */
  finalBeat?: boolean;
}

export interface StopSummary {
  checks: number;
  recorded: number;
  /** Observations that could not be written before the flush timeout (Redis unreachable at exit). */
  unwritten: number;
  dropped: number;
}

/** `<hostname>-<pid>`: unique per running process, readable in `CLIENT LIST` and heartbeats. */
export function defaultWorkerId(): string {
  return `${hostname()}-${process.pid}`;
}

function longestTimeout(targets: readonly ProbeTarget[]): number {
  return targets.reduce((max, t) => Math.max(max, t.check.timeout), 0);
}

/**
 * A probe worker for one region: schedules every check the region owns, records each observation through
 * the Redis script, enqueues an evaluation on every opinion flip, writes heartbeats, rides out Redis outages,
 * reloads its config without losing streaks (they live in Redis), and stops gracefully.
 */
export class ProbeWorker {
  readonly region: string;
  readonly workerId: string;
  /** Unique per process run: with a sequence number it makes replayed observations idempotent. */
  readonly runId: string;
  private config: Config;
  private targets: ProbeTarget[];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly env: NodeJS.ProcessEnv;
  private readonly redis: Redis;
  private readonly ownsRedis: boolean;
  private readonly redisForLogs: string;
  private readonly scheduler: ProbeScheduler;
  private readonly sink: ObservationSink;
  private readonly recorder: ObservationRecorder;
  private readonly trigger: EvaluateTrigger;
  private readonly heartbeat: HeartbeatWriter;
  /** Drill overlays: drilled pools' endpoints report class `drill` instead of running their check. */
  private readonly drillOverlays: DrillOverlayReader;
  private readonly onRedisReady = () => this.sink.wake();
  private stopping: Promise<StopSummary> | undefined;
  private started = false;
  private rejectedCount = 0;
  /** Opinion flips by service and new opinion since start (rare: one small record per service that flipped). */
  private readonly flipsByService = new Map<string, Record<StoredOpinion, number>>();

  /** Resolves the region's targets (header secrets included) and connects; throws on an unknown region. */
  static async create(options: ProbeWorkerOptions): Promise<ProbeWorker> {
    const env = options.env ?? process.env;
    const targets = await probeTargetsFor(options.config, options.region, env);
    let redis = options.redis;
    let redisForLogs: string;
    if (redis === undefined) {
      const url = await resolveRedisUrl(options.config, env);
      redisForLogs = redactRedisUrl(url);
      redis = createRedisClient(url, { connectionName: `quorumdns-probe-${options.region}` });
    } else {
      redisForLogs = `${redis.options.host ?? '?'}:${redis.options.port ?? '?'}`;
    }
    // Give the connection a moment so the first observations do not report a Redis that is merely still
    // connecting as unreachable; a Redis that is really down must not keep the worker from probing.
    await whenReady(redis, options.connectWaitMs ?? 3000).catch(() => undefined);
    const worker = new ProbeWorker(options, targets, redis, options.redis === undefined, redisForLogs);
    // A drill running when the worker starts (a Lambda invocation) applies to its very first checks.
    await worker.drillOverlays.refresh();
    return worker;
  }

  private constructor(
    options: ProbeWorkerOptions,
    targets: ProbeTarget[],
    redis: Redis,
    ownsRedis: boolean,
    redisForLogs: string,
  ) {
    this.config = options.config;
    this.region = options.region;
    this.targets = targets;
    this.workerId = options.workerId ?? defaultWorkerId();
    this.runId = `${this.workerId}/${randomBytes(6).toString('hex')}`;
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    this.logger =
      options.logger ??
      jsonLineLogger((line) => process.stdout.write(line), { region: this.region, workerId: this.workerId });
    this.redis = redis;
    this.ownsRedis = ownsRedis;
    this.redisForLogs = redisForLogs;
    const keyPrefix = this.config.deployment.redis.keyPrefix;
    this.recorder = new ObservationRecorder(redis, { keyPrefix, runId: this.runId, workerId: this.workerId });
    this.trigger = new EvaluateTrigger({
      connection: redis,
      prefix: this.recorder.keys.queuePrefix,
      requestedBy: `probe:${this.region}:${this.workerId}`,
      clock: this.clock,
      onStateChange: (state, error) =>
        state === 'failing'
          ? this.logger.log('warn', 'evaluate jobs cannot be added; retrying', { error: error?.message })
          : this.logger.log('info', 'evaluate jobs added again'),
    });
    this.sink = new ObservationSink({
      recorder: this.recorder,
      capacity: options.bufferCapacity,
      clock: this.clock,
      onRecorded: (recorded) => this.onRecorded(recorded),
      onEvent: (event) => this.onSinkEvent(event),
    });
    this.drillOverlays = new DrillOverlayReader({
      redis,
      keys: this.recorder.keys,
      logger: this.logger,
      clock: this.clock,
      refreshMs: options.drillRefreshMs,
    });
    this.drillOverlays.setServices(this.config, new Set(targets.map((t) => t.service)));
    this.scheduler = new ProbeScheduler({
      runCheck: options.runCheck ?? runCheck,
      forcedResult: (target) => this.drillOverlays.forcedResult(target.service, target.endpoint),
      clock: this.clock,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      slipWindow: options.slipWindow,
      onObservation: (observation) => this.sink.push(observation, this.thresholdsOf(observation.service)),
      onInternalError: (error, target) =>
        this.logger.log('error', 'check runner failed (bug)', {
          service: target.service,
          endpoint: target.endpoint,
          error: error instanceof Error ? error.message : String(error),
        }),
    });
    this.scheduler.setTargets(targets);
    const version = options.version ?? quorumdnsVersion();
    this.heartbeat = new HeartbeatWriter({
      recorder: this.recorder,
      region: this.region,
      workerId: this.workerId,
      version,
      clock: this.clock,
      settings: () => {
        const period = heartbeatPeriod(this.config, this.region);
        return {
          configHash: this.config.hash,
          period,
          ttlMs: heartbeatTtl(this.config, this.region, period),
        };
      },
    });
  }

  /** Starts probing and heartbeats. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.redis.on('ready', this.onRedisReady);
    this.drillOverlays.start();
    this.scheduler.start();
    this.heartbeat.start();
    this.logger.log('info', 'probe worker started', {
      targets: this.targets.length,
      services: new Set(this.targets.map((t) => t.service)).size,
      configHash: this.config.hash,
      redis: this.redisForLogs,
      keyPrefix: this.config.deployment.redis.keyPrefix,
      runId: this.runId,
      pid: process.pid,
    });
    if (this.targets.length === 0) {
      this.logger.log('warn', 'no service lists this probe region; only heartbeats are written');
    }
  }

  /**
   * Switches to a new (already validated) config. Unchanged endpoints keep their slots; changed ones take
   * their new check; streaks and opinions are untouched (they live in Redis). A config this worker cannot run
   * (region gone, header secret missing, different Redis) is refused and the old one stays.
   */
  async reload(config: Config): Promise<ReloadResult> {
    const refuse = (error: string): ReloadResult => {
      this.logger.log('error', 'config reload refused; keeping the running config', { error });
      return { ok: false, error };
    };
    if (config.deployment.redis.keyPrefix !== this.config.deployment.redis.keyPrefix) {
      return refuse('deployment.redis.keyPrefix changed; restart the worker to move to the new prefix');
    }
    let targets: ProbeTarget[];
    try {
      targets = await probeTargetsFor(config, this.region, this.env);
    } catch (error) {
      return refuse(error instanceof Error ? error.message : String(error));
    }
    if (this.stopping) return refuse('worker is stopping');
    const change = this.scheduler.setTargets(targets);
    this.drillOverlays.setServices(config, new Set(targets.map((t) => t.service)));
    const previousHash = this.config.hash;
    this.config = config;
    this.targets = targets;
    this.logger.log('info', 'config reloaded', {
      added: change.added.length,
      removed: change.removed.length,
      changed: change.changed.length,
      unchanged: change.unchanged,
      configHash: config.hash,
      previousConfigHash: previousHash,
    });
    // Publish the new config hash now rather than at the next period.
    void this.heartbeat.beat();
    return {
      ok: true,
      added: change.added.length,
      removed: change.removed.length,
      changed: change.changed.length,
      unchanged: change.unchanged,
    };
  }

  /**
   * Graceful stop: no new checks, in-flight checks finish (or are aborted after the grace period), buffered
   * observations are written (within `flushTimeoutMs`), flips still pending are enqueued, then the Redis
   * connection is closed if the worker opened it. Idempotent.
   */
  stop(options: StopOptions = {}): Promise<StopSummary> {
    this.stopping ??= this.doStop(options);
    return this.stopping;
  }

  stats(): WorkerStats {
    return {
      scheduler: this.scheduler.stats(),
      sink: this.sink.stats(),
      evaluate: this.trigger.stats(),
      heartbeat: this.heartbeat.stats(),
    };
  }

  /** Forgets slip samples so far (a benchmark's warm-up). */
  resetSlipWindow(): void {
    this.scheduler.resetSlipWindow();
  }

  get currentConfig(): Config {
    return this.config;
  }

  /** Finished checks by service and result class since start (live counters, for metrics at scrape time). */
  checksByService(): ReadonlyMap<string, Readonly<Record<CheckOutcomeClass, number>>> {
    return this.scheduler.checksByService();
  }

  /** Opinion flips this worker recorded, by service and new opinion, since start (live counters). */
  flipsByServiceAndOpinion(): ReadonlyMap<string, Readonly<Record<StoredOpinion, number>>> {
    return this.flipsByService;
  }

  /** Every check's slip since start, in fixed buckets. */
  slipHistogram(): SlipHistogramSnapshot {
    return this.scheduler.slipHistogramSnapshot();
  }

  /** The Redis client is connected and ready for commands (as ioredis sees it; no round trip). */
  redisConnected(): boolean {
    return this.redis.status === 'ready';
  }

  /**
   * Whether the worker can do its job: started and not stopping, Redis answering a PING, and observations
   * being written (a Redis that answers PING but refuses writes, e.g. a read-only replica after a failover,
   * is not ready). The config is loaded by construction: a worker only exists with a valid config.
   */
  async readiness(): Promise<Readiness> {
    const reasons: string[] = [];
    if (!this.started) reasons.push('probe worker not started');
    if (this.stopping) reasons.push('probe worker shutting down');
    if (this.redis.status !== 'ready') {
      // The client is fail-fast: a PING now would only echo "stream isn't writeable".
      reasons.push(`Redis unreachable at ${this.redisForLogs} (client ${this.redis.status})`);
    } else {
      try {
        await this.redis.ping();
      } catch (error) {
        reasons.push(
          `Redis unreachable at ${this.redisForLogs}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    const sink = this.sink.stats();
    if (sink.redis === 'down') {
      reasons.push(`observations cannot be written to Redis (${sink.buffered} buffered)`);
    }
    return { ready: reasons.length === 0, reasons };
  }

  private async doStop(options: StopOptions): Promise<StopSummary> {
    this.logger.log('info', 'probe worker stopping', { inFlight: this.scheduler.stats().inFlight });
    this.heartbeat.stop();
    this.drillOverlays.stop();
    await this.scheduler.stop(options.graceMs ?? longestTimeout(this.targets) + 1000);
    const unwritten = await this.sink.flush(options.flushTimeoutMs ?? 5000);
    this.sink.close();
    await this.raceTimeout(this.trigger.drain(), 2000);
    await this.trigger.close();
    this.redis.off('ready', this.onRedisReady);
    if (options.finalBeat) {
      await this.raceTimeout(
        this.heartbeat.beat().then(() => undefined),
        1000,
      );
    } else if (unwritten === 0) {
      // A clean exit says so at once instead of letting the worker key expire.
      await this.raceTimeout(
        this.redis.del(this.recorder.keys.workerHeartbeat(this.region, this.workerId)).then(() => undefined),
        1000,
      );
    }
    if (this.ownsRedis) {
      await this.raceTimeout(
        this.redis.quit().then(() => undefined),
        1000,
      );
      this.redis.disconnect();
    }
    const stats = this.stats();
    const summary: StopSummary = {
      checks: stats.scheduler.checks,
      recorded: stats.sink.recorded,
      unwritten,
      dropped: stats.sink.dropped,
    };
    this.logger.log(unwritten > 0 ? 'warn' : 'info', 'probe worker stopped', { ...summary });
    return summary;
  }

  private thresholdsOf(service: string): { failureThreshold: number; successThreshold: number } {
    const configured = this.config.services[service];
    // A service removed by a reload while its last check ran: the design's defaults.
    return {
      failureThreshold: configured?.failureThreshold ?? 3,
      successThreshold: configured?.successThreshold ?? 2,
    };
  }

  private onRecorded(recorded: RecordedObservation): void {
    if (!recorded.flipped) return;
    const o = recorded.observation;
    let flips = this.flipsByService.get(o.service);
    if (flips === undefined) {
      flips = { up: 0, down: 0, unknown: 0 };
      this.flipsByService.set(o.service, flips);
    }
    flips[recorded.opinion] += 1;
    this.trigger.request(o.service);
    this.logger.log(recorded.opinion === 'down' ? 'warn' : 'info', 'opinion flipped', {
      service: o.service,
      endpoint: o.endpoint,
      from: recorded.previous,
      to: recorded.opinion,
      streak: recorded.streak,
      checkedAt: new Date(o.startedAt).toISOString(),
      class: o.failureClass,
      detail: o.detail,
    });
  }

  private onSinkEvent(event: SinkEvent): void {
    switch (event.kind) {
      case 'redis-unreachable':
        this.logger.log('error', 'redis unreachable; buffering observations', {
          error: event.error.message,
          buffered: event.buffered,
          redis: this.redisForLogs,
        });
        return;
      case 'redis-back':
        this.logger.log('info', `redis back, flushed ${event.flushed}, dropped ${event.dropped}`, {
          flushed: event.flushed,
          dropped: event.dropped,
          downForMs: event.downForMs,
        });
        return;
      case 'observation-rejected':
        // A script bug would reject every observation: log the 1st, 10th, 100th, ... not each one.
        this.rejectedCount += 1;
        if (Number.isInteger(Math.log10(this.rejectedCount))) {
          this.logger.log('error', 'redis rejected an observation; dropped', {
            service: event.observation.service,
            endpoint: event.observation.endpoint,
            error: event.error.message,
            rejectedSoFar: this.rejectedCount,
          });
        }
        return;
    }
  }

  private raceTimeout(promise: Promise<void>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimer(resolve, ms);
      promise.then(
        () => {
          cancel();
          resolve();
        },
        () => {
          cancel();
          resolve();
        },
      );
    });
  }
}

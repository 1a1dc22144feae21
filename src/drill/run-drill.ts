/**
 * `runDrill`: one region outage drill of one service, end to end. Used by `quorumdns drill run` and by the
 * evaluator's drill scheduler.
 *
 * 1. validates the service and pools (clear errors), places the overlay with SET NX PX (refused while another
 *    drill of the service runs), writes `drill-started` (notified like any event) and asks for an evaluation;
 * 2. polls Redis (one pipeline per poll) and records the timeline on the Redis clock: first flip, quorum,
 *    decision, change submitted / in sync per provider target, answer at the authoritative name servers,
 *    notification delivered (timeline-tracker.ts says where each time comes from);
 * 3. at the end of `duration` (or at once when a safety rule blocks the failover: the drill has its answer)
 *    removes the overlay, then records the pool coming back up, the failback decision and its apply;
 * 4. judges the timeline (drill-judge.ts), writes `drill-ended`, stores the report in `drillRuns`.
 *
 * The overlay is removed whatever happens: on abort (the CLI's SIGINT/SIGTERM handlers abort the signal), on
 * any error (`finally`), and, should the process die, by its PX expiry (`endsAt` + 60 s).
 */
import type { Redis } from 'ioredis';
import type { Config, Millis, Service } from '../config/types';
import { decodeEvent, type StreamEntry } from '../evaluator/event-codec';
import type { ServiceRecord, StoredEvent } from '../evaluator/service-record';
import { parseStateHash } from '../evaluator/state-store';
import type { Logger } from '../probe/logger';
import { type AppliedTarget, appliedTargetSchema } from '../providers/applied-target';
import { formatDuration } from '../quorum/format-duration';
import { redisKeys, type RedisKeyLayout } from '../redis/keys';
import { AnswerWatcher, discoverNameServers, type NameServerLookup } from './answer-observer';
import { DrillAlreadyRunningError, DrillRequestError } from './drill-errors';
import { DrillQueues } from './drill-events';
import { judgeDrill } from './drill-judge';
import type { DrillOverlay } from './drill-overlay';
import type { DrillReport, TimelineStep } from './drill-report';
import { DrillStore, OVERLAY_GRACE_MS } from './drill-store';
import { DrillTimeline } from './drill-timeline';
import { RedisClock, timeReplyMs } from './redis-clock';
import { type DrillSnapshot, TimelineTracker } from './timeline-tracker';

/** No drill lasts longer than this: an outage simulation is not a maintenance mode. */
export const MAX_DRILL_DURATION: Millis = 24 * 3_600_000;
export const DEFAULT_DRILL_DURATION: Millis = 5 * 60_000;

export interface RunDrillOptions {
  config: Config;
  /** A commands connection to the deployment's Redis (the runner does not close it). */
  redis: Redis;
  service: string;
  /** The pool (or pools) to report failing. */
  pool: string | string[];
  /** @defaultValue 'dry' */
  mode?: 'dry' | 'live';
  /** How long the pools are reported failing. @defaultValue 5 min */
  durationMs?: Millis;
  /** Who runs it (`--by`, the OS user, `scheduler:<id>`). */
  by: string;
  reason?: string;
  /** `cli` (default) or `scheduler:<schedule id>`. */
  trigger?: string;
  /** @defaultValue `drill-<yyyymmdd>-<hhmmss>-<service>-<pool>` (UTC, Redis clock) */
  id?: string;
  /** Aborting it ends the drill early: the overlay is removed and the report says it was interrupted. */
  signal?: AbortSignal;
  /** Told of every step as it resolves (the CLI prints the timeline live). */
  onStep?: (step: TimelineStep) => void;
  /** Told once the overlay is in place. */
  onStarted?: (overlay: DrillOverlay) => void;
  logger?: Logger;
  /** Between two reads of Redis. @defaultValue 100 */
  pollMs?: number;
  /** Between two rounds of name server queries. @defaultValue 250 */
  answerPollMs?: number;
  /** One DNS query's timeout. @defaultValue 1000 */
  dnsTimeoutMs?: number;
  /**
   * How long to wait after the restore for the pool to come up and fail back. @defaultValue the pool's
   * failbackAfter (or the failbackWithin objective, if longer) plus 60 s; 60 s when no failback is followed.
   */
  postRestoreWaitMs?: Millis;
  /** How the name servers are found when no provider lists them (tests inject loopback answers). */
  nameServerLookup?: NameServerLookup;
  /** The overlay's expiry beyond its end. @defaultValue 60 s */
  overlayGraceMs?: Millis;
}

const NO_LOGGER: Logger = { log: () => undefined };

/** `drill-20261126-020105-api-aws-use1`: sortable, unique per second and pool, safe as a file name. */
export function drillId(service: string, pools: readonly string[], at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `drill-${stamp}-${service}-${pools.join('+')}`.replace(/[^A-Za-z0-9._+-]/g, '-');
}

/** Validates what a drill names; throws `DrillRequestError` naming what is wrong and what exists. */
export function validateDrillRequest(
  config: Config,
  serviceName: string,
  pool: string | string[],
  durationMs: number,
): { service: Service; pools: string[] } {
  const service = Object.prototype.hasOwnProperty.call(config.services, serviceName)
    ? config.services[serviceName]
    : undefined;
  if (service === undefined) {
    const known = Object.keys(config.services).sort();
    throw new DrillRequestError(
      `unknown service "${serviceName}"; known services: ${known.join(', ') || '(none)'}`,
      'EUNKNOWN_SERVICE',
    );
  }
  const pools = [...new Set(Array.isArray(pool) ? pool : [pool])];
  const known = service.pools.map((candidate) => candidate.name);
  if (pools.length === 0) {
    throw new DrillRequestError(
      `name a pool to drill; pools of ${service.name}: ${known.join(', ')}`,
      'EDRILL_POOLS',
    );
  }
  for (const name of pools) {
    if (!known.includes(name)) {
      throw new DrillRequestError(
        `service ${service.name} has no pool "${name}"; its pools: ${known.join(', ')}`,
        'EUNKNOWN_POOL',
      );
    }
  }
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new DrillRequestError(
      `drill duration must be longer than 0, got ${durationMs} ms`,
      'EDRILL_DURATION',
    );
  }
  if (durationMs > MAX_DRILL_DURATION) {
    throw new DrillRequestError(
      `drill duration ${formatDuration(durationMs)} is longer than the ${formatDuration(MAX_DRILL_DURATION)} limit`,
      'EDRILL_DURATION',
    );
  }
  return { service, pools };
}

export async function runDrill(options: RunDrillOptions): Promise<DrillReport> {
  const mode = options.mode ?? 'dry';
  const durationMs = options.durationMs ?? DEFAULT_DRILL_DURATION;
  const { service, pools } = validateDrillRequest(options.config, options.service, options.pool, durationMs);
  const logger = options.logger ?? NO_LOGGER;
  const { redis } = options;
  const keys = redisKeys(options.config.deployment.redis.keyPrefix);
  const serviceKeys = keys.service(service.name);
  const store = new DrillStore(redis, keys);
  const clock = new RedisClock();

  const startedAt = await clock.sync(redis);
  const id = options.id ?? drillId(service.name, pools, startedAt);
  if (!/^[A-Za-z0-9._+-]{1,200}$/.test(id)) {
    throw new DrillRequestError(
      `drill id "${id}" must be letters, digits, . _ + - (a file name)`,
      'EDRILL_ID',
    );
  }
  const [initialRecord, initialOpinions] = await Promise.all([
    readRecord(redis, serviceKeys.state),
    redis.hgetall(serviceKeys.opinions),
  ]);
  const overlay: DrillOverlay = {
    id,
    service: service.name,
    pools,
    mode,
    startedAt,
    endsAt: startedAt + durationMs,
    by: options.by,
  };
  const placed = await store.place(overlay, options.overlayGraceMs ?? OVERLAY_GRACE_MS);
  if (!placed.placed)
    throw new DrillAlreadyRunningError(service.name, placed.existing?.id, placed.remainingMs);

  const queues = new DrillQueues(redis, keys);
  let restored = false;
  const restore = async (): Promise<{ at: number; detail?: string }> => {
    restored = true;
    const outcome = await store.removeOwn(service.name, id);
    const at = clock.now();
    await queues.requestEvaluation(service.name, `drill:${id}`).catch(() => undefined);
    if (outcome === 'removed') return { at };
    return {
      at,
      detail:
        outcome === 'absent'
          ? 'the overlay was already gone (expired, or removed by `quorumdns drill stop`)'
          : 'another drill had replaced the overlay; it was left in place',
    };
  };
  try {
    options.onStarted?.(overlay);
    const timeline = new DrillTimeline(startedAt, options.onStep);
    const tracker = new TimelineTracker({
      service,
      pools,
      mode,
      injectedAt: startedAt,
      timeline,
      initialRecord,
      initialOpinions,
    });
    await queues.emit(service, {
      kind: 'drill-started',
      severity: 'info',
      overlay,
      at: startedAt,
      generation: tracker.generationBefore,
      message: `drill ${id} (${mode}) started by ${options.by}: pool ${pools.join(', ')} of ${service.name} reported failing for ${formatDuration(durationMs)}${options.reason ? `; reason: ${options.reason}` : ''}`,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    });
    await queues.requestEvaluation(service.name, `drill:${id}`).catch((error: unknown) =>
      logger.log('warn', 'could not ask for an evaluation; the next tick will see the drill', {
        service: service.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    logger.log('info', 'drill started', { service: service.name, drill: id, mode, pools: pools.join(',') });

    const interrupted = await followDrill({
      options,
      service,
      pools,
      overlay,
      timeline,
      tracker,
      clock,
      keys,
      restore,
    });

    const finishedAt = clock.now();
    const steps = timeline.list();
    const judgement = judgeDrill({
      timeline: steps,
      objectives: service.drill,
      mode,
      ...(interrupted !== undefined ? { interrupted } : {}),
    });
    const report: DrillReport = {
      version: 1,
      id,
      service: service.name,
      pools,
      mode,
      by: options.by,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      trigger: options.trigger ?? 'cli',
      dnsNames: service.dnsNames,
      targets: tracker.targets.map((target) => target.label),
      startedAt,
      plannedEndAt: overlay.endsAt,
      finishedAt,
      durationMs,
      generations: {
        before: tracker.generationBefore,
        ...(tracker.failoverGeneration !== undefined ? { failover: tracker.failoverGeneration } : {}),
        ...(tracker.failbackGeneration !== undefined ? { failback: tracker.failbackGeneration } : {}),
      },
      timeline: steps,
      ...judgement,
      ...(interrupted !== undefined ? { interrupted } : {}),
    };
    await queues
      .emit(service, {
        kind: 'drill-ended',
        severity: report.verdict === 'pass' ? 'info' : 'warning',
        overlay,
        at: finishedAt,
        generation: tracker.failbackGeneration ?? tracker.failoverGeneration ?? tracker.generationBefore,
        message:
          `drill ${id} (${mode}) of pool ${pools.join(', ')} ${report.verdict === 'pass' ? 'PASSED' : 'FAILED'}` +
          `${interrupted !== undefined ? ` (interrupted: ${interrupted})` : ''}` +
          `${report.reasons.length > 0 ? `: ${report.reasons.join('; ')}` : ''}`,
      })
      .catch((error: unknown) =>
        logger.log('warn', 'could not write the drill-ended event', {
          service: service.name,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    await store.appendRun(service.name, report).catch((error: unknown) =>
      logger.log('warn', 'could not store the drill report in Redis', {
        service: service.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    logger.log(report.verdict === 'pass' ? 'info' : 'warn', `drill ${report.verdict}`, {
      service: service.name,
      drill: id,
      reasons: report.reasons.join('; ') || undefined,
    });
    return report;
  } finally {
    if (!restored) await store.removeOwn(service.name, id).catch(() => undefined);
    await queues.close();
  }
}

interface FollowInput {
  options: RunDrillOptions;
  service: Service;
  pools: string[];
  overlay: DrillOverlay;
  timeline: DrillTimeline;
  tracker: TimelineTracker;
  clock: RedisClock;
  keys: RedisKeyLayout;
  restore: () => Promise<{ at: number; detail?: string }>;
}

/** The poll loop. Returns why it was interrupted, or `undefined` when it ran to its end. */
async function followDrill(input: FollowInput): Promise<string | undefined> {
  const { options, service, pools, overlay, timeline, tracker, clock, keys } = input;
  const pollMs = options.pollMs ?? 100;
  const signal = options.signal;
  const serviceKeys = keys.service(service.name);
  // Events from the injection's millisecond on: an evaluation may commit between the SET and drill-started.
  let lastEventId = `${overlay.startedAt}-0`;
  let inclusive = true;
  let restoreDeadline: number | undefined;
  const answers = startAnswerWatch(input);
  let interrupted: string | undefined;
  try {
    for (;;) {
      const read = await readSnapshot(options.redis, serviceKeys, lastEventId, inclusive, tracker, clock);
      inclusive = false;
      lastEventId = read.lastEventId;
      tracker.update(read.snapshot);
      const now = read.snapshot.now;
      if (signal?.aborted && interrupted === undefined) interrupted = abortReason(signal);
      if (tracker.restoredAt === undefined) {
        const early = tracker.blocked !== undefined || interrupted !== undefined;
        // An overlay removed by `drill stop` ends the drill too (its runner learns it here).
        const gone = !overlayIs(read.overlayText, overlay.id);
        if (now >= overlay.endsAt || early || gone) {
          if (gone && interrupted === undefined) interrupted = 'stopped by an operator (overlay removed)';
          const restored = await input.restore();
          tracker.markRestored(restored.at, restored.detail);
          restoreDeadline =
            restored.at + postRestoreWait(options, service, pools, tracker, read.snapshot.record);
        }
      }
      if (interrupted !== undefined) break;
      if (restoreDeadline !== undefined && (timeline.pending().length === 0 || now >= restoreDeadline)) break;
      await sleep(pollMs, signal);
    }
  } finally {
    answers.stop();
  }
  await answers.done;
  const end =
    interrupted !== undefined ? `the drill was interrupted (${interrupted})` : 'the drill stopped waiting';
  timeline.resolveRemaining((step) => ({
    status: step.detail?.startsWith('apply failed') ? 'failed' : 'missed',
    detail: step.detail ?? `did not happen before ${end}`,
  }));
  return interrupted;
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'aborted';
}

function overlayIs(text: string | null, id: string): boolean {
  if (text === null) return false;
  try {
    return (JSON.parse(text) as { id?: unknown }).id === id;
  } catch {
    return false;
  }
}

/** How long to follow the failback after the restore (see `postRestoreWaitMs`). */
function postRestoreWait(
  options: RunDrillOptions,
  service: Service,
  pools: string[],
  tracker: TimelineTracker,
  record: ServiceRecord | undefined,
): number {
  if (options.postRestoreWaitMs !== undefined) return options.postRestoreWaitMs;
  const followsFailback =
    options.mode === 'live' &&
    service.safety.failback === 'auto' &&
    tracker.blocked === undefined &&
    tracker.failoverGeneration !== undefined;
  if (!followsFailback) return 60_000;
  const failbackAfter = Math.max(
    service.safety.failbackAfter,
    ...pools.map((pool) => record?.state.pools[pool]?.failbackAfter ?? 0),
  );
  return Math.max(service.drill.failbackWithin ?? 0, failbackAfter) + 60_000;
}

/** Watches the name servers once the failover decision is known (live drills whose DNS changes). */
function startAnswerWatch(input: FollowInput): { stop: () => void; done: Promise<void> } {
  const { options, service, pools, timeline, tracker, clock } = input;
  let stopped = false;
  const controller = new AbortController();
  const stop = (): void => {
    stopped = true;
    controller.abort();
  };
  if (!timeline.isPending('answer')) return { stop, done: Promise.resolve() };
  const done = (async () => {
    while (!stopped && tracker.failoverGeneration === undefined && timeline.isPending('answer')) {
      await sleep(options.pollMs ?? 100, controller.signal);
    }
    if (stopped || !timeline.isPending('answer')) return;
    const discovery = await discoverNameServers(options.config, service, options.nameServerLookup).catch(
      (error: unknown) => ({
        servers: [] as [],
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
    if ('reason' in discovery) {
      timeline.resolve('answer', { status: 'skipped', detail: discovery.reason });
      return;
    }
    const watcher = new AnswerWatcher(service, discovery.servers, pools, options.dnsTimeoutMs ?? 1000);
    if (!watcher.observable) {
      timeline.resolve('answer', {
        status: 'skipped',
        detail: `the drilled pool's ${service.recordType} values cannot be seen in a plain DNS answer (alias targets)`,
      });
      return;
    }
    let everReachable = false;
    let last = '';
    while (!stopped && timeline.isPending('answer')) {
      const round = await watcher.observe();
      if (round.reachable > 0) everReachable = true;
      if (!everReachable) {
        const tried = round.observations.map((o) => `${o.server.label}: ${o.detail}`).join('; ');
        timeline.resolve('answer', { status: 'skipped', detail: `no name server answered (${tried})` });
        return;
      }
      last = round.observations.map((o) => `${o.server.label} ${o.state}: ${o.detail}`).join('; ');
      if (round.done) {
        timeline.resolve('answer', {
          status: 'done',
          at: clock.now(),
          detail: `${discovery.source}: ${round.observations
            .filter((o) => o.state === 'changed')
            .map((o) => o.server.label)
            .join(', ')}`,
        });
        return;
      }
      timeline.note('answer', `still the old answer: ${last}`);
      // The answer can only change while the pool is drained: after the failback it never will.
      if (!timeline.isPending('failback-decision') && timeline.get('failback-decision')?.status === 'done')
        break;
      await sleep(options.answerPollMs ?? 250, controller.signal);
    }
  })().catch((error: unknown) => {
    timeline.note(
      'answer',
      `name server queries failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  return { stop, done };
}

/** One poll: every read in one pipeline (TIME first, so the snapshot has its Redis time). Also the lab's poll. */
export async function readSnapshot(
  redis: Redis,
  serviceKeys: ReturnType<RedisKeyLayout['service']>,
  fromId: string,
  inclusive: boolean,
  tracker: TimelineTracker,
  clock: RedisClock,
): Promise<{ snapshot: DrillSnapshot; lastEventId: string; overlayText: string | null }> {
  const wantsOpinions = tracker.wantsOpinions;
  const wantsNotify = tracker.wantsNotify;
  const pipeline = redis.pipeline();
  pipeline.time();
  pipeline.xrange(serviceKeys.events, inclusive ? fromId : `(${fromId}`, '+', 'COUNT', 500);
  pipeline.hgetall(serviceKeys.state);
  pipeline.hgetall(serviceKeys.applied);
  pipeline.get(serviceKeys.drill);
  if (wantsOpinions) {
    pipeline.hgetall(serviceKeys.opinions);
    pipeline.hgetall(serviceKeys.last);
    pipeline.hgetall(serviceKeys.streaks);
  }
  if (wantsNotify) pipeline.hgetall(serviceKeys.notify);
  const before = Date.now();
  const replies = (await pipeline.exec()) ?? [];
  const after = Date.now();
  const reply = (index: number): unknown => {
    const [error, value] = replies[index] ?? [new Error('no reply'), null];
    if (error) throw error;
    return value;
  };
  const now = clock.observe(timeReplyMs(reply(0)), before, after);
  const events: StoredEvent[] = [];
  let lastEventId = fromId;
  for (const entry of reply(1) as StreamEntry[]) {
    lastEventId = entry[0];
    try {
      events.push(decodeEvent(serviceKeys.events, entry));
    } catch {
      // An unreadable entry is somebody else's problem (status reports it); the drill reads on.
    }
  }
  let record: ServiceRecord | undefined;
  try {
    record = parseStateHash(serviceKeys.state, reply(2) as Record<string, string>)?.record;
  } catch {
    record = undefined;
  }
  const applied = new Map<string, AppliedTarget>();
  for (const [field, text] of Object.entries(reply(3) as Record<string, string>)) {
    try {
      const parsed = appliedTargetSchema.safeParse(JSON.parse(text));
      if (parsed.success) applied.set(field, parsed.data as AppliedTarget);
    } catch {
      // Not JSON: ignored like a record that does not parse.
    }
  }
  const overlayText = reply(4) as string | null;
  let index = 5;
  const snapshot: DrillSnapshot = { now, events, record, applied };
  if (wantsOpinions) {
    snapshot.opinions = reply(index) as Record<string, string>;
    snapshot.last = reply(index + 1) as Record<string, string>;
    snapshot.streaks = reply(index + 2) as Record<string, string>;
    index += 3;
  }
  if (wantsNotify) snapshot.notify = reply(index) as Record<string, string>;
  return { snapshot, lastEventId, overlayText };
}

async function readRecord(redis: Redis, key: string): Promise<ServiceRecord | undefined> {
  try {
    return parseStateHash(key, await redis.hgetall(key))?.record;
  } catch {
    // A corrupt record reads as none: the drill still runs and its timeline shows what the evaluator does.
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

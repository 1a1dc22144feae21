/**
 * Applies a service's current decision to ONE provider target, with fencing, a per-target lease, the applied
 * status and the audit events. Shared by the apply worker (one BullMQ job per (service, target, generation))
 * and by `quorumdns sync` / `plan`, so an operator's sync goes through exactly the steps an evaluator's apply
 * does.
 *
 * Steps of an apply:
 * 1. fencing: a job whose generation is at or below the target's applied generation is dropped;
 * 2. the target's lease (one apply at a time per target; busy -> the caller retries shortly);
 * 3. fencing again under the lease (an apply that just finished may have moved the generation);
 * 4. the service's CURRENT decision and generation G (>= the job's; no record: the all-healthy answer, G = 0):
 *    an old job never publishes an old answer, it publishes the newest one;
 * 5. a dry drill overlay turns the apply into a plan (status `dry-run`, generation unchanged);
 * 6. syncTarget: read, plan, submit (status `pending` with the change id), wait for sync, verify;
 * 7. status `in-sync` at G, or `failed` with the error; a `dns-applied` / `dns-apply-failed` event in the
 *    service's stream, with its notify jobs.
 */
import type { Redis } from 'ioredis';
import type { Config, Provider, ProviderTarget, Service, Severity } from '../config/types';
import { overlayActive, parseDrillOverlay } from '../drill/drill-overlay';
import { CorruptDataError } from '../evaluator/errors';
import { EventLog } from '../evaluator/event-log';
import type { JobDispatcher } from '../evaluator/job-dispatcher';
import { redisTimeMs } from '../evaluator/redis-time';
import type { DnsChangeSummary, StoredEvent, StoredEventInput } from '../evaluator/service-record';
import { StateStore } from '../evaluator/state-store';
import type { ApplyMetrics, ApplyOutcome } from '../metrics/apply-metrics';
import type { Logger } from '../probe/logger';
import type { Decision } from '../quorum/types';
import type { RedisKeyLayout } from '../redis/keys';
import { AppliedStore } from './applied-store';
import { type AppliedTarget, type AppliedTargetError, targetLabel } from './applied-target';
import { type ApplyLease, type HeldLease, LeaseLostError } from './apply-lease';
import { appliedMessage, type AppliedTargetRef, changeSummary, failureSummary } from './apply-summary';
import type { AdapterPool } from './create-adapter';
import { desiredRecordSets, initialDecision } from './desired-records';
import type { Plan } from './plan';
import { isProviderError } from './provider-errors';
import type { RecordSet } from './record-set';
import { type SyncResult, syncTarget, type SyncTargetInput } from './sync-target';

export interface ApplyProcessorOptions {
  /** A commands connection (not a BullMQ blocking one). */
  redis: Redis;
  keys: RedisKeyLayout;
  /** The config in force (the evaluator's changes on reload). */
  config: () => Config;
  adapters: AdapterPool;
  lease: ApplyLease;
  logger: Logger;
  /** Adds the notify jobs of apply events. Absent: events are written to the stream only. */
  dispatcher?: JobDispatcher;
  metrics?: ApplyMetrics;
  /** Who applies (evaluator id, `cli:<user>`): in lease tokens, events' `by` and logs. */
  id: string;
  /** Retry policy and clock handed to syncTarget (tests make retries fast). */
  sync?: Pick<SyncTargetInput, 'retry' | 'clock'>;
}

export interface ApplyRequest {
  service: string;
  provider: string;
  zone: string;
  /**
   * The apply job's generation (fencing). Absent for `quorumdns sync`: it realigns the target with the
   * decision in Redis whatever the stored bookkeeping says (after a reset state it may even lower it).
   */
  jobGeneration?: number;
  /** Plan only: no lease, nothing written, no event (`quorumdns plan`, `sync --dry-run`). */
  planOnly?: boolean;
  /** How long to wait for a busy lease; 0 (jobs) = answer `busy` at once. @defaultValue 0 */
  leaseWaitMs?: number;
  /** Which attempt of the job this is, to tell a first failure from a repeated or final one. */
  attempt?: { number: number; of: number };
  signal?: AbortSignal;
}

/** The target as the config defines it. */
export interface ResolvedTarget {
  service: Service;
  target: ProviderTarget;
  provider: Provider;
}

interface Fenced {
  reason: string;
  appliedGeneration: number;
}

interface Planned {
  generation: number;
  /** `decision`: the evaluator's record; `initial`: no record yet, the all-healthy answer. */
  source: 'decision' | 'initial';
  plan: Plan;
  changeIds: string[];
  durationMs: number;
  /** A drill overlay in `dry` mode turned the apply into a plan. */
  drillDry: boolean;
  sync: SyncResult;
  /** The `dns-applied` event's message, when something changed (or would have, in a dry drill). */
  message?: string;
}

export type ApplyResult =
  /** The service, target or provider is not in the config (any more). */
  | { outcome: 'skipped'; reason: string }
  /** Fencing: this generation (or a newer one) is already applied at the target. */
  | { outcome: 'dropped'; reason: string; appliedGeneration: number }
  /** Another apply holds the target's lease. */
  | { outcome: 'busy'; holder: string; remainingMs: number }
  | ({ outcome: 'applied' | 'unchanged' | 'dry-run' | 'planned' } & Planned);

/** What an apply failure looks like in status, events and command output. */
export function describeApplyError(error: unknown): AppliedTargetError {
  if (isProviderError(error)) {
    const described: AppliedTargetError = {
      code: error.code,
      message: error.message,
      transient: error.transient,
    };
    if (error.remoteCode !== undefined) described.remoteCode = error.remoteCode;
    return described;
  }
  if (error instanceof LeaseLostError) return { code: error.code, message: error.message, transient: true };
  if (error instanceof CorruptDataError) return { code: error.code, message: error.message, transient: true };
  const message = error instanceof Error ? error.message || error.name : String(error);
  const ownCode: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  const code = typeof ownCode === 'string' && ownCode !== '' ? ownCode : 'EAPPLY';
  // Anything else (Redis unreachable, an aborted wait) may pass: retried like a provider outage.
  return { code, message, transient: true };
}

/** Whether retrying can help: provider errors say so; everything else is assumed to be passing. */
export function isTransientApplyError(error: unknown): boolean {
  return describeApplyError(error).transient !== false;
}

export class ApplyProcessor {
  private readonly applied: AppliedStore;
  private readonly stateStore: StateStore;
  private readonly eventLog: EventLog;

  constructor(private readonly options: ApplyProcessorOptions) {
    this.applied = new AppliedStore(options.redis, options.keys);
    this.stateStore = new StateStore(options.redis, options.keys);
    this.eventLog = new EventLog(options.redis, options.keys);
  }

  /** The service, target and provider of a request in the config in force; a reason when one is missing. */
  resolve(request: Pick<ApplyRequest, 'service' | 'provider' | 'zone'>): ResolvedTarget | string {
    const config = this.options.config();
    const service = Object.prototype.hasOwnProperty.call(config.services, request.service)
      ? config.services[request.service]
      : undefined;
    if (service === undefined) return `service ${request.service} is not in the configuration`;
    const target = service.providers.find(
      (candidate) => candidate.provider === request.provider && candidate.zone === request.zone,
    );
    if (target === undefined) {
      return `service ${request.service} has no provider target ${targetLabel(request.provider, request.zone)} in the configuration`;
    }
    const provider = Object.prototype.hasOwnProperty.call(config.providers, target.provider)
      ? config.providers[target.provider]
      : undefined;
    if (provider === undefined) return `provider ${target.provider} is not in the configuration`;
    return { service, target, provider };
  }

  /** Runs one apply (or plan). Failures are recorded (unless plan-only) and rethrown. */
  async apply(request: ApplyRequest): Promise<ApplyResult> {
    const resolved = this.resolve(request);
    if (typeof resolved === 'string') return { outcome: 'skipped', reason: resolved };
    if (request.planOnly === true) {
      const { decision, generation, source } = await this.currentDecision(resolved.service);
      const planned = await this.runSync(resolved, decision, true, request.signal);
      return { outcome: 'planned', generation, source, drillDry: false, ...planned };
    }
    const fenced = this.fence(request, await this.readApplied(resolved));
    if (fenced !== undefined) return this.dropped(resolved, request, fenced);

    let lease: HeldLease;
    const { service, target } = resolved;
    if ((request.leaseWaitMs ?? 0) > 0) {
      lease = await this.options.lease.acquire(
        service.name,
        target.provider,
        target.zone,
        this.options.id,
        request.leaseWaitMs ?? 0,
        request.signal,
      );
    } else {
      const taken = await this.options.lease.tryAcquire(
        service.name,
        target.provider,
        target.zone,
        this.options.id,
      );
      if (!taken.acquired) {
        this.count(resolved, 'busy');
        return { outcome: 'busy', holder: taken.holder, remainingMs: taken.remainingMs };
      }
      lease = taken.lease;
    }
    try {
      return await this.applyUnderLease(resolved, request, lease);
    } finally {
      await lease.release();
    }
  }

  private async applyUnderLease(
    resolved: ResolvedTarget,
    request: ApplyRequest,
    lease: HeldLease,
  ): Promise<ApplyResult> {
    const { service, target, provider } = resolved;
    const previous = await this.readApplied(resolved);
    const { decision, generation, source } = await this.currentDecision(service);
    // Fencing again, now that no other apply of this target can run: against the job's generation, and
    // against the generation it would publish (a reset state never rolls DNS back through a job).
    const fenced =
      this.fence(request, previous) ??
      (request.jobGeneration !== undefined ? this.fenceGeneration(generation, previous) : undefined);
    if (fenced !== undefined) return this.dropped(resolved, request, fenced);
    if (request.jobGeneration !== undefined && generation < request.jobGeneration) {
      this.options.logger.log('warn', 'the service record is older than the apply job: applying the record', {
        service: service.name,
        target: targetLabel(target.provider, target.zone),
        jobGeneration: request.jobGeneration,
        generation,
      });
    }
    const drill = await this.readDrillOverlay(service.name);
    const signal =
      request.signal === undefined ? lease.signal : AbortSignal.any([lease.signal, request.signal]);
    const ref: AppliedTargetRef = {
      provider: target.provider,
      providerType: provider.type,
      zone: target.zone,
    };
    let latest: AppliedTarget = previous ?? {
      provider: target.provider,
      zone: target.zone,
      generation: null,
      changeIds: [],
      syncState: 'pending',
      updatedAt: 0,
    };
    const submitted: string[] = [];
    const started = Date.now();
    let result: Omit<Planned, 'generation' | 'source' | 'drillDry'>;
    try {
      result = await this.runSync(resolved, decision, drill.dry, signal, async (changeId) => {
        submitted.push(changeId);
        latest = {
          ...latest,
          changeIds: [...submitted],
          syncState: 'pending',
          attemptedGeneration: generation,
          updatedAt: await redisTimeMs(this.options.redis),
        };
        delete latest.error;
        await this.applied.write(service.name, latest, { force: request.jobGeneration === undefined });
      });
    } catch (error) {
      if (lease.signal.aborted) {
        // Someone else may own the target now: write nothing, let the job run again.
        this.count(resolved, 'failed-transient');
        throw lease.signal.reason instanceof Error ? lease.signal.reason : error;
      }
      await this.recordFailure(
        resolved,
        request,
        ref,
        latest,
        previous,
        generation,
        decision,
        drill.drill,
        error,
        started,
      );
      throw error;
    }
    const now = await redisTimeMs(this.options.redis);
    const changed = result.plan.changes.length > 0;
    if (drill.dry) {
      latest = { ...latest, syncState: 'dry-run', attemptedGeneration: generation, updatedAt: now };
      delete latest.error;
      await this.applied.write(service.name, latest, { force: request.jobGeneration === undefined });
    } else {
      latest = {
        provider: target.provider,
        zone: target.zone,
        generation,
        // The change ids of the last apply that changed something: an unchanged apply keeps them.
        changeIds: result.changeIds.length > 0 ? result.changeIds : changed ? [] : latest.changeIds,
        syncState: 'in-sync',
        updatedAt: now,
        appliedAt: now,
      };
      await this.applied.write(service.name, latest, { force: request.jobGeneration === undefined });
      this.options.metrics?.appliedGeneration.set(
        { service: service.name, provider: target.provider, zone: target.zone },
        generation,
      );
    }
    const outcome: ApplyOutcome = drill.dry ? 'dry-run' : changed ? 'applied' : 'unchanged';
    this.count(resolved, outcome);
    this.options.metrics?.applySeconds.observe({ provider: target.provider }, result.durationMs / 1000);
    let message: string | undefined;
    // After a failure, an apply that finds nothing left to change (the failed attempt's change did land, e.g. a
    // sync timeout) still says so: the failure's all-clear must not depend on there being a change.
    const recovered = previous?.syncState === 'failed' && !drill.dry;
    if (changed || recovered) {
      const sync = result.sync;
      const inSyncAfterMs =
        sync.inSyncAt !== undefined && sync.submittedAt !== undefined
          ? sync.inSyncAt - sync.submittedAt
          : undefined;
      message = appliedMessage({
        target: ref,
        plan: result.plan,
        changeIds: result.changeIds,
        inSyncAfterMs,
        dryRun: drill.dry,
      });
      const summary: DnsChangeSummary = {
        ...changeSummary(ref, result.plan, result.changeIds),
        ...(recovered ? { recovered: true as const } : {}),
      };
      // DNS changed and the status says so: a lost event must not fail the apply (its retry would be fenced).
      await this.emit(service, generation, drill.drill, 'info', message, summary, 'dns-applied', now).catch(
        (error: unknown) => this.logEmitFailure(service.name, error),
      );
    }
    this.options.logger.log(
      'info',
      drill.dry ? 'dry drill: apply planned only' : changed ? 'dns applied' : 'dns already in sync',
      {
        service: service.name,
        target: targetLabel(target.provider, target.zone),
        generation,
        changes: result.plan.changes.length,
        changeIds: result.changeIds.join(',') || undefined,
        ms: Math.round(Date.now() - started),
      },
    );
    return {
      outcome: drill.dry ? 'dry-run' : changed ? 'applied' : 'unchanged',
      generation,
      source,
      drillDry: drill.dry,
      ...result,
      ...(message === undefined ? {} : { message }),
    };
  }

  private logEmitFailure(service: string, error: unknown): void {
    this.options.logger.log('warn', 'could not write an apply event', {
      service,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  /** The decision to publish: the service's record (any generation), else the all-healthy answer at 0. */
  private async currentDecision(
    service: Service,
  ): Promise<{ decision: Decision; generation: number; source: 'decision' | 'initial' }> {
    const record = await this.stateStore.read(service.name);
    if (record === undefined) return { decision: initialDecision(service), generation: 0, source: 'initial' };
    return { decision: record.state.decision, generation: record.generation, source: 'decision' };
  }

  private async runSync(
    resolved: ResolvedTarget,
    decision: Decision,
    dryRun: boolean,
    signal: AbortSignal | undefined,
    onSubmitted?: (changeId: string) => Promise<void>,
  ): Promise<Omit<Planned, 'generation' | 'source' | 'drillDry'>> {
    const { service, target, provider } = resolved;
    const started = Date.now();
    const input: SyncTargetInput = {
      ...this.options.sync,
      service,
      target,
      provider,
      deploymentId: this.options.config().deployment.id,
      decision,
      adapter: this.options.adapters.get(provider),
      dryRun,
    };
    if (signal !== undefined) input.signal = signal;
    if (onSubmitted !== undefined) input.onSubmitted = (change) => onSubmitted(change.changeId);
    const sync = await syncTarget(input);
    return { plan: sync.plan, changeIds: sync.changeIds, durationMs: Date.now() - started, sync };
  }

  private async readApplied(resolved: ResolvedTarget): Promise<AppliedTarget | undefined> {
    return this.applied.read(resolved.service.name, resolved.target.provider, resolved.target.zone);
  }

  /** Why a job must be dropped (its generation is not newer than the applied one); `undefined` to go on. */
  private fence(request: ApplyRequest, applied: AppliedTarget | undefined): Fenced | undefined {
    if (request.jobGeneration === undefined) return undefined;
    return this.fenceGeneration(request.jobGeneration, applied, 'job');
  }

  private fenceGeneration(
    generation: number,
    applied: AppliedTarget | undefined,
    what: 'job' | 'record' = 'record',
  ): Fenced | undefined {
    if (applied === undefined || applied.generation === null || generation > applied.generation)
      return undefined;
    const reason =
      what === 'job'
        ? `job generation ${generation} <= applied generation ${applied.generation}`
        : `the service's decision (generation ${generation}) is already applied (generation ${applied.generation})`;
    return { reason, appliedGeneration: applied.generation };
  }

  private dropped(resolved: ResolvedTarget, request: ApplyRequest, fenced: Fenced): ApplyResult {
    const { service, target } = resolved;
    this.count(resolved, 'dropped');
    this.options.metrics?.fenced.inc({ provider: target.provider });
    this.options.logger.log('info', 'apply job dropped (fencing)', {
      service: service.name,
      target: targetLabel(target.provider, target.zone),
      jobGeneration: request.jobGeneration,
      reason: fenced.reason,
    });
    return { outcome: 'dropped', ...fenced };
  }

  private async recordFailure(
    resolved: ResolvedTarget,
    request: ApplyRequest,
    ref: AppliedTargetRef,
    latest: AppliedTarget,
    previous: AppliedTarget | undefined,
    generation: number,
    decision: Decision,
    drill: boolean,
    error: unknown,
    started: number,
  ): Promise<void> {
    const { service, target } = resolved;
    const described = describeApplyError(error);
    const final =
      described.transient === false ||
      (request.attempt !== undefined && request.attempt.number >= request.attempt.of);
    this.count(resolved, final ? 'failed-permanent' : 'failed-transient');
    this.options.metrics?.applySeconds.observe({ provider: target.provider }, (Date.now() - started) / 1000);
    const now = await redisTimeMs(this.options.redis).catch(() => Date.now());
    const failed: AppliedTarget = {
      ...latest,
      syncState: 'failed',
      error: described,
      attemptedGeneration: generation,
      updatedAt: now,
    };
    try {
      await this.applied.write(service.name, failed, { force: request.jobGeneration === undefined });
    } catch (writeError) {
      this.options.logger.log('warn', 'could not record the apply failure', {
        service: service.name,
        target: targetLabel(target.provider, target.zone),
        error: writeError instanceof Error ? writeError.message : String(writeError),
      });
    }
    // One event when a failure starts (warning), one when it is final (critical); retries in between are
    // quiet, or one provider outage would page once per backoff step.
    const repeated =
      previous?.syncState === 'failed' &&
      previous.attemptedGeneration === generation &&
      previous.error?.code === described.code;
    const severity: Severity | undefined = final ? 'critical' : repeated ? undefined : 'warning';
    const level = final ? 'error' : 'warn';
    const attempts =
      request.attempt === undefined ? '' : ` (attempt ${request.attempt.number} of ${request.attempt.of})`;
    const how = described.transient === false ? 'failed' : final ? 'failed, giving up' : 'failed, will retry';
    const message = `${service.dnsNames.join(', ')} ${service.recordType} at ${ref.providerType} ${targetLabel(ref.provider, ref.zone)}: apply of generation ${generation} ${how}${attempts}: ${described.message}`;
    this.options.logger.log(level, 'dns apply failed', {
      service: service.name,
      target: targetLabel(target.provider, target.zone),
      generation,
      code: described.code,
      remoteCode: described.remoteCode,
      error: described.message,
      attempt: request.attempt?.number,
    });
    if (severity === undefined) return;
    let desired: RecordSet[] | undefined;
    try {
      desired = desiredRecordSets({
        service,
        decision,
        target,
        provider: resolved.provider,
        capabilities: this.options.adapters.get(resolved.provider).capabilities,
        deploymentId: this.options.config().deployment.id,
      }).filter((set) => !set.name.startsWith('_'));
    } catch {
      desired = undefined;
    }
    const summary = failureSummary(ref, desired, { code: described.code, message: described.message });
    await this.emit(service, generation, drill, severity, message, summary, 'dns-apply-failed', now).catch(
      (emitError: unknown) => this.logEmitFailure(service.name, emitError),
    );
  }

  /** Appends one apply event to the service's stream and adds its notify jobs (routing by severity). */
  private async emit(
    service: Service,
    generation: number,
    drill: boolean,
    severity: Severity,
    message: string,
    dns: DnsChangeSummary,
    kind: 'dns-applied' | 'dns-apply-failed',
    at: number,
  ): Promise<void> {
    const event: StoredEventInput = {
      kind,
      severity,
      service: service.name,
      message,
      at,
      generation,
      dns,
      by: this.options.id,
    };
    if (drill) event.drill = true;
    const [id] = await this.eventLog.append(service.name, [event]);
    if (id === undefined || this.options.dispatcher === undefined) return;
    const stored: StoredEvent = { ...event, id };
    try {
      await this.options.dispatcher.dispatch(service, generation, false, [stored]);
    } catch (error) {
      // The event is in the audit log; a lost notification must not turn a DNS change into a failure.
      this.options.logger.log('warn', 'could not add the notify jobs of an apply event', {
        service: service.name,
        event: id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * The drill overlay (src/drill/drill-overlay.ts): a drill in progress tags the apply's events, and a dry one
   * makes the apply a plan. An unreadable overlay is ignored and logged: a damaged key must not stop DNS
   * from following the decision, and must not be mistaken for a dry drill either.
   */
  private async readDrillOverlay(service: string): Promise<{ drill: boolean; dry: boolean }> {
    const key = this.options.keys.service(service).drill;
    const none = { drill: false, dry: false };
    let text: string | null;
    try {
      text = await this.options.redis.get(key);
    } catch (error) {
      if (error instanceof Error && /WRONGTYPE/.test(error.message)) {
        this.options.logger.log('warn', 'unreadable drill overlay: ignored by apply', {
          service,
          key,
          error: 'not a string',
        });
        return none;
      }
      throw error;
    }
    if (text === null) return none;
    const parsed = parseDrillOverlay(key, text);
    if (!parsed.ok) {
      this.options.logger.log('warn', 'unreadable drill overlay: ignored by apply', {
        service,
        key,
        error: parsed.problem,
      });
      return none;
    }
    // The key outlives the drill by a grace period (its expiry is the backstop): past `endsAt` it is over.
    if (!overlayActive(parsed.overlay, await redisTimeMs(this.options.redis))) return none;
    return { drill: true, dry: parsed.overlay.mode === 'dry' };
  }

  private count(resolved: ResolvedTarget, outcome: ApplyOutcome): void {
    this.options.metrics?.applies.inc({ provider: resolved.target.provider, outcome });
  }
}

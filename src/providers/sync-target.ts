/**
 * One sync of one (service, provider target) to a decision: read -> ownership -> plan -> safety -> (dry run
 * stops here) -> batches -> apply each with retry -> wait for sync -> verify by re-reading.
 *
 * The rules that make it safe to run again at any time:
 * - every adapter call goes through the provider's rate limiter and is counted;
 * - a throttled write was refused, so it is sent again after a jittered backoff (never shorter than the
 *   provider's Retry-After);
 * - a write that failed ambiguously (5xx, connection lost: it may have landed) or hit a conflict (the provider
 *   moved under us) is never re-sent: the target is re-read and the remaining work re-planned, so a change
 *   that landed is not applied twice;
 * - the owner records and the unsafe-plan threshold are checked again on every re-plan.
 */
import type { Provider, ProviderTarget, Service } from '../config/types';
import type { Decision } from '../quorum/types';
import { batchChanges, ChangeTooLargeError, effectiveLimits } from './batching';
import { type Clock, systemClock, throwIfAborted } from './clock';
import { desiredRecordSets, managedNames } from './desired-records';
import { assertOwnership } from './ownership';
import { computePlan, isEmptyPlan, type Plan } from './plan';
import type { DnsProviderAdapter } from './provider-adapter';
import { isProviderError, ProviderError } from './provider-errors';
import { RateLimitedAdapter } from './rate-limited-adapter';
import { effectiveRate, type RateLimiter, sharedRateLimiter, TokenBucket } from './rate-limiter';
import type { RecordChange, RecordSet, SubmittedChange } from './record-set';
import { describeRecordSet } from './record-set-equality';
import { isRetryable, retryDelay, type RetryPolicy, retryPolicy, withRetry } from './retry';
import { assertVerified } from './verify';

export interface SyncTargetInput {
  service: Service;
  target: ProviderTarget;
  provider: Provider;
  deploymentId: string;
  decision: Decision;
  adapter: DnsProviderAdapter;
  /** Read, check and plan only: no call that writes is made. */
  dryRun: boolean;
  retry?: Partial<RetryPolicy>;
  /** @default systemClock */
  clock?: Clock;
  signal?: AbortSignal;
  /** Called once per submitted batch (the apply processor records "pending" with the change id). */
  onSubmitted?: (change: SubmittedChange, batchIndex: number, batches: number) => void | Promise<void>;
  /**
   * Rate limiter for this provider's calls. @default the process-wide bucket of the provider (by name) at
   * min(capabilities.requestsPerSecond, provider.requestsPerSecond); with an injected `clock`, a bucket of
   * that rate on that clock.
   */
  rateLimiter?: RateLimiter;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

export interface SyncResult {
  /** The plan made from the first read: what this sync set out to change (empty: nothing to do). */
  plan: Plan;
  dryRun: boolean;
  /** One per accepted batch, in submission order. */
  changeIds: string[];
  /** When the provider accepted the first batch. */
  submittedAt?: number;
  /** When every submitted change was in sync (clock of the caller). */
  inSyncAt?: number;
  /** When a read showed the desired record sets (also set when the plan was empty: that read verified it). */
  verifiedAt?: number;
  /** Adapter calls made (reads, applies, status polls), failed ones included. */
  apiCalls: number;
  /** Calls sent again after a transient failure (throttled reads and writes, failed status polls). */
  retries: number;
  /** Re-reads and re-plans after a conflict or an ambiguous write failure. */
  replans: number;
}

/** The plan would delete more record sets than `provider.maxDeletes`: refused, nothing written. */
export class UnsafePlanError extends ProviderError {
  constructor(
    message: string,
    provider: string,
    readonly plan: Plan,
  ) {
    super('UNSAFE_PLAN', message, { provider });
    this.name = 'UnsafePlanError';
  }
}

export async function syncTarget(input: SyncTargetInput): Promise<SyncResult> {
  const { service, target, provider, signal } = input;
  const clock = input.clock ?? systemClock;
  const random = input.random ?? Math.random;
  const policy = retryPolicy(input.retry);
  const adapter = new RateLimitedAdapter(input.adapter, input.rateLimiter ?? limiterFor(input, clock));
  const capabilities = input.adapter.capabilities;
  const names = managedNames(service, provider);
  const desired = desiredRecordSets({
    service,
    decision: input.decision,
    target,
    provider,
    capabilities,
    deploymentId: input.deploymentId,
  });
  let retries = 0;
  const retryOptions = {
    policy,
    clock,
    random,
    ...(signal !== undefined ? { signal } : {}),
    onRetry: () => {
      retries += 1;
    },
  };

  const read = (): Promise<RecordSet[]> =>
    withRetry(() => adapter.read({ zone: target.zone, names }, signal), retryOptions);
  const planAgainst = (current: RecordSet[]): Plan => {
    if (provider.ownerRecords) {
      assertOwnership({
        current,
        names: service.dnsNames,
        deploymentId: input.deploymentId,
        provider: provider.name,
      });
    }
    const plan = computePlan({
      service: service.name,
      provider: provider.name,
      zone: target.zone,
      mode: target.mode,
      current,
      desired,
      managedNames: names,
    });
    assertSafe(plan, provider);
    return plan;
  };

  const firstPlan = planAgainst(await read());
  const result = (extra: Partial<SyncResult>): SyncResult => ({
    plan: firstPlan,
    dryRun: input.dryRun,
    changeIds: [],
    apiCalls: adapter.total,
    retries,
    replans: 0,
    ...extra,
  });
  if (input.dryRun) return result({});
  if (isEmptyPlan(firstPlan)) return result({ verifiedAt: clock.now() });

  const limits = effectiveLimits(capabilities.limits, provider.limits);
  const submitted: SubmittedChange[] = [];
  /** Our clock at each submission: each change gets syncTimeout from its own submission. */
  const acceptedAt: number[] = [];
  let replans = 0;
  let plan = firstPlan;
  let remaining = toBatches(plan.changes);
  while (remaining.length > 0) {
    const batches = remaining;
    remaining = [];
    for (const [index, batch] of batches.entries()) {
      throwIfAborted(signal);
      try {
        // Only a refusal (throttled) is re-sent as it is; see shouldResend.
        const change = await withRetry(() => adapter.apply(target.zone, batch, signal), {
          ...retryOptions,
          retryable: shouldResend,
        });
        acceptedAt.push(clock.now());
        submitted.push(change);
        await input.onSubmitted?.(change, index, batches.length);
      } catch (error) {
        if (!needsReplan(error) || replans >= policy.maxReplans) throw error;
        replans += 1;
        await clock.sleep(retryDelay(replans, policy, random, error.retryAfterMs), signal);
        plan = planAgainst(await read());
        remaining = toBatches(plan.changes);
        break;
      }
    }
  }

  let inSyncAt: number | undefined;
  if (submitted.length > 0) {
    if (capabilities.hasSyncStatus) {
      for (const [index, change] of submitted.entries()) {
        const deadline = (acceptedAt[index] as number) + provider.syncTimeout;
        retries += await waitForSync(adapter, change.changeId, deadline, policy, clock, signal);
      }
    }
    inSyncAt = clock.now();
  }

  assertVerified(plan, await read(), names);
  return {
    ...result({ replans }),
    changeIds: submitted.map((change) => change.changeId),
    ...(submitted[0] !== undefined ? { submittedAt: submitted[0].submittedAt } : {}),
    ...(inSyncAt !== undefined ? { inSyncAt } : {}),
    verifiedAt: clock.now(),
    apiCalls: adapter.total,
    retries,
  };

  function toBatches(changes: RecordChange[]): RecordChange[][] {
    try {
      return batchChanges(changes, limits, capabilities.updateCost);
    } catch (error) {
      if (!(error instanceof ChangeTooLargeError)) throw error;
      throw new ProviderError(
        'REJECTED',
        `provider "${provider.name}" zone ${target.zone}: ${error.message}`,
        {
          provider: provider.name,
          cause: error,
        },
      );
    }
  }
}

/** A throttled write was refused before it was processed: sending it again cannot apply it twice. */
function shouldResend(error: unknown): boolean {
  return isProviderError(error) && error.code === 'THROTTLED';
}

/**
 * A write that may have landed (5xx, connection lost) or that met a changed provider state (conflict): the
 * only safe next step is to look again.
 */
function needsReplan(error: unknown): error is ProviderError {
  return isProviderError(error) && (error.code === 'CONFLICT' || error.code === 'UNAVAILABLE');
}

/**
 * Polls one change until in sync, waiting first (a change the provider has just accepted is pending, and a
 * poll now would be wasted) with growing waits. Always polls at least once, so a change submitted late in a
 * long sync is still looked at. Returns how many polls failed transiently; throws SYNC_TIMEOUT when the
 * change is still pending at the deadline.
 */
async function waitForSync(
  adapter: DnsProviderAdapter,
  changeId: string,
  deadline: number,
  policy: RetryPolicy,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<number> {
  let failedPolls = 0;
  let interval = policy.syncPollInitialMs;
  let lastError: unknown;
  for (;;) {
    await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now())), signal);
    interval = Math.min(policy.syncPollMaxMs, interval * 1.5);
    try {
      if ((await adapter.changeStatus(changeId, signal)) === 'in-sync') return failedPolls;
      lastError = undefined;
    } catch (error) {
      throwIfAborted(signal);
      if (!isRetryable(error)) throw error;
      failedPolls += 1;
      lastError = error;
    }
    if (clock.now() >= deadline) {
      throw new ProviderError(
        'SYNC_TIMEOUT',
        `provider "${adapter.name}": change ${changeId} was not in sync within the sync timeout` +
          (lastError instanceof Error ? ` (last status poll failed: ${lastError.message})` : ''),
        { provider: adapter.name, ...(lastError !== undefined ? { cause: lastError } : {}) },
      );
    }
  }
}

function assertSafe(plan: Plan, provider: Provider): void {
  const deletions = plan.changes.filter((change) => change.action === 'delete');
  if (deletions.length <= provider.maxDeletes) return;
  const shown = deletions.slice(0, 5).map((change) => describeRecordSet(change.before));
  throw new UnsafePlanError(
    `provider "${provider.name}" zone ${plan.zone}: the plan for service "${plan.service}" would delete ` +
      `${deletions.length} record sets, more than maxDeletes (${provider.maxDeletes}): ${shown.join('; ')}` +
      `${deletions.length > shown.length ? '; ...' : ''}. Nothing was written; raise maxDeletes if this is intended.`,
    provider.name,
    plan,
  );
}

function limiterFor(input: SyncTargetInput, clock: Clock): RateLimiter {
  const rate = effectiveRate(input.adapter.capabilities.requestsPerSecond, input.provider.requestsPerSecond);
  if (input.clock !== undefined) return new TokenBucket({ ratePerSecond: rate, clock });
  return sharedRateLimiter(input.provider.name, rate);
}

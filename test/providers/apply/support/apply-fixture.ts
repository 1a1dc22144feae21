/**
 * Fixtures of the apply tests: a failover service over two pools with distinct addresses (so the answer in
 * DNS tells which generation's decision it is), service records committed through the real StateStore, and
 * memory adapters (test/providers/support/memory-adapter.ts) standing in for providers — real providers,
 * not mocks: they validate batches, keep changes pending and fail on demand.
 */
import { randomBytes } from 'node:crypto';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  APPLY_JOB_NAME,
  type ApplyJobData,
  applyJobId,
  applyJobOptions,
} from '../../../../src/evaluator/queues';
import type { ApplyJobResult } from '../../../../src/providers/apply-worker';
import { waitFor } from '../../../support/wait-for';
import type { Config, Provider, ProviderTarget, Service } from '../../../../src/config/types';
import { StateStore } from '../../../../src/evaluator/state-store';
import type { ServiceRecord } from '../../../../src/evaluator/service-record';
import type { DnsProviderAdapter } from '../../../../src/providers/provider-adapter';
import type { RecordChange, RecordSet } from '../../../../src/providers/record-set';
import { initialState } from '../../../../src/quorum/initial-state';
import type { Decision } from '../../../../src/quorum/types';
import { redisKeys, type RedisKeyLayout } from '../../../../src/redis/keys';
import { buildConfig, endpoint, service as buildService, tcpCheck } from '../../../support/config-builder';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../../support/redis-test-keys';
import { MemoryAdapter } from '../../support/memory-adapter';
import { MEMORY_ZONE, memoryProvider } from '../../support/memory-harness';

export { MEMORY_ZONE, SHARED_REDIS_URL };

/** The address each pool contributes: DNS holding it says which pool serves. */
export const POOL_ADDRESS: Record<string, string> = { a: '192.0.2.10', b: '198.51.100.20' };

/** Failover `a` -> `b`, one endpoint each, at `<name>.example.com`, with the given provider targets. */
export function applyService(name: string, providers: string[]): Service {
  const check = tcpCheck({ port: 9 });
  const base = buildService(name, {
    pools: { a: [endpoint('a1', check)], b: [endpoint('b1', check)] },
    probeRegions: ['r1', 'r2', 'r3'],
  });
  return {
    ...base,
    pools: base.pools.map((pool) => ({
      ...pool,
      endpoints: pool.endpoints.map((e) => ({
        ...e,
        target: { kind: 'address', address: POOL_ADDRESS[pool.name] as string },
      })),
    })),
    providers: providers.map((provider): ProviderTarget => ({
      provider,
      zone: MEMORY_ZONE,
      mode: 'rewrite',
    })),
  };
}

/** A config of `services` whose providers are memory providers named `providers`. */
export function applyConfig(prefix: string, services: Service[], providers: string[]): Config {
  const base = buildConfig({ services, keyPrefix: prefix, probeRegions: ['r1', 'r2', 'r3'] });
  const entries: Record<string, Provider> = {};
  for (const name of providers) entries[name] = memoryProvider({ name, syncTimeout: 20_000 });
  return { ...base, deployment: { ...base.deployment, id: 'apply-test' }, providers: entries };
}

/** The decision serving `pool` only (failover). */
export function servingDecision(pool: 'a' | 'b'): Decision {
  return {
    pools: [
      { pool: 'a', weight: pool === 'a' ? 1 : 0, endpoints: ['a1'] },
      { pool: 'b', weight: pool === 'b' ? 1 : 0, endpoints: ['b1'] },
    ],
  };
}

/**
 * Commits a record at `generation` whose decision serves `pool`, as an evaluator would (compare-and-set on the
 * current position). Generations may jump: the test says which one it wants.
 */
export async function commitDecision(
  states: StateStore,
  service: Service,
  generation: number,
  pool: 'a' | 'b' | Decision,
): Promise<void> {
  const now = Date.now();
  const current = await states.readVersioned(service.name);
  const decision = typeof pool === 'string' ? servingDecision(pool) : pool;
  const state = { ...initialState(service, now), decision };
  const record: ServiceRecord = {
    state,
    generation,
    decidedAt: now,
    evaluatedAt: now,
    explanation: {
      service: service.name,
      evaluatedAt: now,
      regions: [],
      endpoints: [],
      pools: [],
      lines: [`test decision of generation ${generation}`],
      rules: [],
    },
    configHash: 'test',
    evaluatedBy: 'test',
  };
  const position =
    current === undefined
      ? { generation: 0, version: 0 }
      : { generation: current.record.generation, version: current.version };
  const result = await states.commit(service.name, position, record, [], { dispatch: false });
  if (result.outcome !== 'committed')
    throw new Error(`commit of ${service.name} at ${generation} conflicted`);
}

/** The addresses DNS answers for `name` A at a memory adapter (empty when there is no such set). */
export function answerOf(memory: MemoryAdapter, name: string): string[] {
  const set = memory
    .snapshot(MEMORY_ZONE)
    .find((candidate) => candidate.name === name && candidate.type === 'A');
  return set?.values ?? [];
}

export function newMemory(name: string, syncDelayMs = 30): MemoryAdapter {
  const memory = new MemoryAdapter({ name, syncDelayMs });
  memory.createZone(MEMORY_ZONE);
  return memory;
}

/** One call an adapter received, tagged with who made it. */
export interface TaggedCall {
  by: string;
  operation: 'read' | 'apply' | 'changeStatus';
  changes?: RecordChange[];
}

/**
 * An adapter that forwards to a shared memory adapter and logs every call with its tag (which worker made
 * it); `close` does not close the shared one (each worker closes its own adapters).
 */
export function taggedAdapter(memory: MemoryAdapter, by: string, log: TaggedCall[]): DnsProviderAdapter {
  return {
    type: memory.type,
    name: memory.name,
    capabilities: memory.capabilities,
    read: (request, signal): Promise<RecordSet[]> => {
      log.push({ by, operation: 'read' });
      return memory.read(request, signal);
    },
    apply: (zone, changes, signal) => {
      log.push({ by, operation: 'apply', changes });
      return memory.apply(zone, changes, signal);
    },
    changeStatus: (changeId, signal) => {
      log.push({ by, operation: 'changeStatus' });
      return memory.changeStatus(changeId, signal);
    },
    close: async () => undefined,
  };
}

/** Fast retries and status polls for syncTarget: tests wait for behaviour, not for production backoffs. */
export const FAST_SYNC = {
  retry: { baseDelayMs: 5, maxDelayMs: 20, syncPollInitialMs: 10, syncPollMaxMs: 30 },
};

/** A Redis client and key layout under a prefix of its own; `dispose` deletes its keys. */
export function applyRedis(name: string): {
  redis: Redis;
  prefix: string;
  keys: RedisKeyLayout;
  dispose(): Promise<void>;
} {
  const prefix = randomPrefix(`apply-${name}-${randomBytes(2).toString('hex')}`);
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
  return {
    redis,
    prefix,
    keys: redisKeys(prefix),
    async dispose() {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/**
 * Waits for an apply job to complete or fail and returns it as it finally stands. The state is read FIRST
 * and the job after: a job object read before its state turned final carries a stale attempt count and no
 * return value.
 */
export async function settledJob(
  queue: Queue<ApplyJobData>,
  jobId: string,
  timeoutMs = 20_000,
): Promise<{ state: 'completed' | 'failed'; job: Job<ApplyJobData> | undefined }> {
  return waitFor(
    async () => {
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      return { state, job: await queue.getJob(jobId) };
    },
    { what: `apply job ${jobId} to settle`, timeoutMs },
  );
}

/** The result of an apply job that must complete (a failure throws with its reason). */
export async function completedResult(queue: Queue<ApplyJobData>, jobId: string): Promise<ApplyJobResult> {
  const { state, job } = await settledJob(queue, jobId);
  if (state === 'failed') throw new Error(`apply job ${jobId} failed: ${job?.failedReason}`);
  return job?.returnvalue as ApplyJobResult;
}

/**
 * Adds an apply job for the memory zone with its deterministic id, plus `suffix` to stand for a re-added or
 * second job (as a second evaluator would add it). Returns the job id.
 */
export async function addApplyJob(
  queue: Queue<ApplyJobData>,
  job: { service: string; provider?: string; generation: number; suffix?: string; attempts?: number },
): Promise<string> {
  const data: ApplyJobData = {
    service: job.service,
    provider: job.provider ?? 'mem',
    zone: MEMORY_ZONE,
    generation: job.generation,
  };
  const jobId = `${applyJobId(data)}${job.suffix ?? ''}`;
  await queue.add(APPLY_JOB_NAME, data, {
    ...applyJobOptions,
    ...(job.attempts !== undefined ? { attempts: job.attempts } : {}),
    jobId,
  });
  return jobId;
}

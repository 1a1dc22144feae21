/**
 * syncTarget against the in-memory provider on a virtual clock: every path of read -> plan -> apply -> sync
 * -> verify, with the failures a real provider produces (throttling with Retry-After, outages, ambiguous
 * failures, conflicts, changes that never sync, a provider that loses writes), counted call by call.
 */
import type { Provider, ProviderTarget, Service } from '../../../src/config/types';
import { desiredRecordSets, initialDecision, ownerRecordValue } from '../../../src/providers/desired-records';
import type { DnsProviderAdapter } from '../../../src/providers/provider-adapter';
import { ProviderError } from '../../../src/providers/provider-errors';
import { unlimited } from '../../../src/providers/rate-limiter';
import type { RecordChange, RecordSet, SubmittedChange } from '../../../src/providers/record-set';
import { type SyncTargetInput, syncTarget, UnsafePlanError } from '../../../src/providers/sync-target';
import type { Decision } from '../../../src/quorum/types';
import { address, conformanceService, decisionWithWeights } from '../conformance/conformance-service';
import { FakeClock } from '../support/fake-clock';
import { MemoryAdapter, type MemoryAdapterOptions } from '../support/memory-adapter';
import { MEMORY_ZONE, memoryProvider } from '../support/memory-harness';

const DEPLOYMENT = 'prod';

function setup(options: MemoryAdapterOptions = {}, provider: Partial<Provider> = {}) {
  const clock = new FakeClock();
  const memory = new MemoryAdapter({ clock, syncDelayMs: 1_000, requestsPerSecond: 1000, ...options });
  memory.createZone(MEMORY_ZONE);
  const service = serviceFor('rewrite');
  const providerEntry = { ...memoryProvider(), ...provider } as Provider;
  const input = (extra: Partial<SyncTargetInput> = {}): SyncTargetInput => ({
    service,
    target: service.providers[0] as ProviderTarget,
    provider: providerEntry,
    deploymentId: DEPLOYMENT,
    decision: initialDecision(service),
    adapter: memory,
    dryRun: false,
    clock,
    random: () => 0.5,
    // Exact virtual times below; pacing has its own test.
    rateLimiter: unlimited,
    ...extra,
  });
  const desired = (decision: Decision = initialDecision(service), svc: Service = service): RecordSet[] =>
    desiredRecordSets({
      service: svc,
      decision,
      target: svc.providers[0] as ProviderTarget,
      provider: providerEntry,
      capabilities: memory.capabilities,
      deploymentId: DEPLOYMENT,
    });
  return { clock, memory, service, provider: providerEntry, input, desired };
}

function serviceFor(mode: ProviderTarget['mode'], dnsNames = ['www.example.com']): Service {
  return conformanceService({
    name: 'web',
    dnsNames,
    pools: [
      { name: 'east', targets: [address('192.0.2.10')] },
      { name: 'west', targets: [address('198.51.100.20')] },
    ],
    provider: 'memory',
    zone: MEMORY_ZONE,
    mode,
    policy: mode === 'weights' ? 'weighted' : 'failover',
  });
}

const sortByName = (sets: RecordSet[]): RecordSet[] => [...sets].sort((a, b) => a.name.localeCompare(b.name));

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected the sync to fail');
}

/** A provider wrapper that runs a hook before each apply (another writer, a lost write). */
function intercepting(
  inner: MemoryAdapter,
  beforeApply: (changes: RecordChange[], call: number) => SubmittedChange | undefined,
): DnsProviderAdapter {
  let calls = 0;
  return {
    type: inner.type,
    name: inner.name,
    capabilities: inner.capabilities,
    read: (request, signal) => inner.read(request, signal),
    apply: async (zone, changes, signal) => {
      calls += 1;
      return beforeApply(changes, calls) ?? inner.apply(zone, changes, signal);
    },
    changeStatus: (id, signal) => inner.changeStatus(id, signal),
    close: () => inner.close(),
  };
}

describe('syncTarget', () => {
  it('reads, applies one batch, waits for sync with backoff, verifies: five calls', async () => {
    const { memory, input, desired, clock } = setup();
    const start = clock.now();

    const result = await syncTarget(input());

    expect(sortByName(memory.snapshot(MEMORY_ZONE))).toEqual(sortByName(desired()));
    expect(result.plan.changes.map((c) => c.action)).toEqual(['create', 'create']);
    expect(result.changeIds).toEqual(['C000001']);
    expect(result.submittedAt).toBe(start);
    // Polls at +500 ms (pending) and +1250 ms (in sync after 1 s).
    expect(memory.count('changeStatus')).toBe(2);
    expect(result.inSyncAt).toBe(start + 1250);
    expect(result.verifiedAt).toBe(start + 1250);
    expect(result).toMatchObject({ apiCalls: 5, retries: 0, replans: 0, dryRun: false });
  });

  it('an empty plan makes one read and no write, and counts as verified', async () => {
    const { memory, input, desired } = setup();
    memory.seed(MEMORY_ZONE, desired());

    const result = await syncTarget(input());

    expect(result.plan.changes).toEqual([]);
    expect(result.plan.unchanged).toHaveLength(2);
    expect(result).toMatchObject({ changeIds: [], apiCalls: 1 });
    expect(result.verifiedAt).toBeDefined();
    expect(memory.count('apply')).toBe(0);
  });

  it('dry run: plans from one read and makes no write call', async () => {
    const { memory, input } = setup();
    const result = await syncTarget(input({ dryRun: true }));
    expect(result.plan.changes).toHaveLength(2);
    expect(result).toMatchObject({ dryRun: true, changeIds: [], apiCalls: 1 });
    expect(memory.count('apply')).toBe(0);
    expect(memory.snapshot(MEMORY_ZONE)).toEqual([]);
  });

  it('refuses a plan deleting more than maxDeletes, before any write and in dry run too', async () => {
    const { memory, input } = setup({}, { maxDeletes: 1 });
    const stale = ['old-1', 'old-2'].map((id): RecordSet => ({
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      values: ['192.0.2.99'],
      setIdentifier: id,
      weight: 1,
    }));
    memory.seed(MEMORY_ZONE, stale);
    const weighted = serviceFor('weights');
    const run = (dryRun: boolean) =>
      syncTarget(input({ service: weighted, target: weighted.providers[0] as ProviderTarget, dryRun }));

    for (const dryRun of [true, false]) {
      const error = await failure(run(dryRun));
      expect(error).toBeInstanceOf(UnsafePlanError);
      expect(error.code).toBe('UNSAFE_PLAN');
      expect(error.message).toMatch(/would delete 2 record sets, more than maxDeletes \(1\)/);
      expect((error as UnsafePlanError).plan.changes.filter((c) => c.action === 'delete')).toHaveLength(2);
    }
    expect(memory.count('apply')).toBe(0);
  });

  it('refuses names owned by another deployment; with ownerRecords off it neither checks nor writes owner records', async () => {
    const { memory, input } = setup();
    memory.seed(MEMORY_ZONE, [
      { name: '_quorumdns.www.example.com', type: 'TXT', ttl: 300, values: [ownerRecordValue('staging')] },
    ]);
    const error = await failure(syncTarget(input()));
    expect(error.code).toBe('NOT_OWNER');
    expect(memory.count('apply')).toBe(0);

    const off = setup({}, { ownerRecords: false });
    off.memory.seed(MEMORY_ZONE, [
      { name: '_quorumdns.www.example.com', type: 'TXT', ttl: 300, values: [ownerRecordValue('staging')] },
    ]);
    const result = await syncTarget(off.input());
    expect(result.plan.changes.map((c) => c.action)).toEqual(['create']);
    expect(off.memory.snapshot(MEMORY_ZONE).find((s) => s.type === 'TXT')?.values).toEqual([
      ownerRecordValue('staging'),
    ]);
  });

  it('re-sends a throttled write after at least its Retry-After, applying it once', async () => {
    const { memory, input, clock } = setup();
    memory.injectFault({ operation: 'apply', code: 'THROTTLED', count: 2, retryAfterMs: 3_000 });

    const result = await syncTarget(input());

    expect(clock.sleeps.slice(0, 2)).toEqual([3_000, 3_000]);
    expect(memory.count('apply')).toBe(3);
    expect(memory.count('apply', 'ok')).toBe(1);
    expect([...memory.writesPerSet.values()]).toEqual([1, 1]);
    expect(result).toMatchObject({ retries: 2, replans: 0 });
  });

  it('retries a throttled read with backoff', async () => {
    const { memory, input } = setup();
    memory.injectFault({ operation: 'read', code: 'THROTTLED', count: 2 });
    const result = await syncTarget(input());
    expect(result.retries).toBe(2);
    expect(memory.count('apply', 'ok')).toBe(1);
  });

  it('after an ambiguous failure (the write landed) re-reads instead of re-sending: nothing applied twice', async () => {
    const { memory, input, desired } = setup();
    memory.injectFault({ operation: 'apply', code: 'UNAVAILABLE', afterCommit: true });

    const result = await syncTarget(input());

    expect(memory.count('apply')).toBe(1);
    expect([...memory.writesPerSet.values()]).toEqual([1, 1]);
    expect(result).toMatchObject({ replans: 1, changeIds: [] });
    expect(result.verifiedAt).toBeDefined();
    expect(sortByName(memory.snapshot(MEMORY_ZONE))).toEqual(sortByName(desired()));
  });

  it('after an outage that did not land, re-plans and sends the remaining work', async () => {
    const { memory, input } = setup();
    memory.injectFault({ operation: 'apply', code: 'UNAVAILABLE' });
    const result = await syncTarget(input());
    expect(memory.count('apply')).toBe(2);
    expect(result).toMatchObject({ replans: 1, changeIds: ['C000001'] });
  });

  it('on a conflict (another writer moved the records), re-reads and re-plans the remaining work', async () => {
    const { memory, input, desired } = setup();
    const adapter = intercepting(memory, (_changes, call) => {
      if (call === 1)
        memory.seed(MEMORY_ZONE, [{ name: 'www.example.com', type: 'A', ttl: 60, values: ['203.0.113.1'] }]);
      return undefined;
    });

    const result = await syncTarget(input({ adapter }));

    expect(result.replans).toBe(1);
    expect(memory.requests.filter((r) => r.operation === 'apply').map((r) => r.outcome)).toEqual([
      'CONFLICT',
      'ok',
    ]);
    const second = memory.requests.filter((r) => r.operation === 'apply')[1]?.changes ?? [];
    expect(second.map((c) => c.action)).toEqual(['create', 'update']);
    expect(sortByName(memory.snapshot(MEMORY_ZONE))).toEqual(sortByName(desired()));
  });

  it('bounds the re-plans, then fails with the provider error', async () => {
    const { memory, input } = setup();
    memory.injectFault({ operation: 'apply', code: 'CONFLICT', count: 10 });
    const error = await failure(syncTarget(input({ retry: { maxReplans: 2 } })));
    expect(error.code).toBe('CONFLICT');
    expect(error.transient).toBe(true);
    expect(memory.count('apply')).toBe(3);
  });

  it('stops at once on a permanent error', async () => {
    const { memory, input } = setup();
    memory.injectFault({ operation: 'apply', code: 'FORBIDDEN' });
    const error = await failure(syncTarget(input()));
    expect(error).toMatchObject({ code: 'FORBIDDEN', remoteCode: 'AccessDenied' });
    expect(memory.count('apply')).toBe(1);
  });

  it('fails with SYNC_TIMEOUT when the change stays pending past syncTimeout, polling with growing waits', async () => {
    const { memory, input, clock } = setup({ syncDelayMs: 3_600_000 }, { syncTimeout: 10_000 });
    const start = clock.now();
    const error = await failure(syncTarget(input()));
    expect(error.code).toBe('SYNC_TIMEOUT');
    expect(error.message).toContain('C000001');
    expect(clock.now() - start).toBe(10_000);
    const polls = memory.count('changeStatus');
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(10);
  });

  it('polls a change at least once, even when its sync timeout has already passed', async () => {
    const { memory, input } = setup({ syncDelayMs: 0 }, { syncTimeout: 0 });
    const result = await syncTarget(input());
    expect(memory.count('changeStatus')).toBe(1);
    expect(result.inSyncAt).toBeDefined();
  });

  it('tolerates transient failures of status polls', async () => {
    const { memory, input } = setup();
    memory.injectFault({ operation: 'changeStatus', code: 'UNAVAILABLE', count: 2 });
    const result = await syncTarget(input());
    expect(result.retries).toBe(2);
    expect(result.inSyncAt).toBeDefined();
  });

  it('fails with VERIFY_FAILED when the provider accepted a write it does not show', async () => {
    const { memory, input } = setup();
    const lost = intercepting(memory, () => ({ changeId: 'LOST', submittedAt: 0 }));
    const adapter: DnsProviderAdapter = { ...lost, changeStatus: async () => 'in-sync' };
    const error = await failure(syncTarget(input({ adapter })));
    expect(error.code).toBe('VERIFY_FAILED');
    expect(error.message).toMatch(/missing www\.example\.com A/);
  });

  it('reports each submitted batch, in order, when the plan is above the request limits', async () => {
    const { memory, input, desired } = setup({}, { limits: { maxChanges: 2 } });
    const service = serviceFor('rewrite', ['a.example.com', 'b.example.com', 'c.example.com']);
    const seen: Array<[string, number, number]> = [];

    const result = await syncTarget(
      input({
        service,
        target: service.providers[0] as ProviderTarget,
        decision: initialDecision(service),
        onSubmitted: (change, index, total) => {
          seen.push([change.changeId, index, total]);
        },
      }),
    );

    expect(seen).toEqual([
      ['C000001', 0, 3],
      ['C000002', 1, 3],
      ['C000003', 2, 3],
    ]);
    expect(result.changeIds).toEqual(['C000001', 'C000002', 'C000003']);
    expect(sortByName(memory.snapshot(MEMORY_ZONE))).toEqual(
      sortByName(desired(initialDecision(service), service)),
    );
  });

  it('refuses a change larger than a whole request as REJECTED', async () => {
    const { input } = setup({}, { limits: { maxRecordValues: 1 } });
    const service = conformanceService({
      name: 'web',
      dnsNames: ['www.example.com'],
      pools: [{ name: 'east', targets: [address('192.0.2.1'), address('192.0.2.2')] }],
      provider: 'memory',
      zone: MEMORY_ZONE,
      mode: 'rewrite',
    });
    const error = await failure(
      syncTarget(
        input({
          service,
          target: service.providers[0] as ProviderTarget,
          decision: initialDecision(service),
        }),
      ),
    );
    expect(error.code).toBe('REJECTED');
    expect(error.message).toMatch(/alone exceeds the per-request limits/);
  });

  it('paces every call at min(capabilities, config) requests per second', async () => {
    const { memory, input } = setup({ requestsPerSecond: 5 }, { requestsPerSecond: 1 });
    await syncTarget(input({ retry: { syncPollInitialMs: 10 }, rateLimiter: undefined }));
    const times = memory.requests.map((r) => r.at);
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < times.length; i += 1) {
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('moves weights: drains a pool and restores it', async () => {
    const { memory, input, desired } = setup();
    const service = serviceFor('weights');
    const run = (decision: Decision) =>
      syncTarget(input({ service, target: service.providers[0] as ProviderTarget, decision }));
    await run(decisionWithWeights(service, { east: 1, west: 1 }));
    const drained = decisionWithWeights(service, { west: 1 });
    const result = await run(drained);
    expect(result.plan.changes.map((c) => c.action)).toEqual(['update']);
    expect(sortByName(memory.snapshot(MEMORY_ZONE))).toEqual(sortByName(desired(drained, service)));
  });

  it('stops when aborted, making no further call', async () => {
    const { memory, input } = setup();
    const controller = new AbortController();
    const reason = new Error('evaluator shutting down');
    const run = syncTarget(
      input({
        signal: controller.signal,
        onSubmitted: () => controller.abort(reason),
      }),
    );
    await expect(run).rejects.toBe(reason);
    expect(memory.count('changeStatus')).toBe(0);
    expect(memory.count('read')).toBe(1);
  });
});

/**
 * The conformance harness around the `local` adapter: a real Redis under a random key prefix, the zone read
 * and seeded through the zone store (the "server" side), throttling injected through the store's fault
 * counters. Write calls are counted at the adapter boundary: the store is in-process, so every apply call
 * reaches it.
 */
import { Redis } from 'ioredis';
import type { LocalProvider } from '../../../src/config/types';
import { createLocalAdapter, type LocalAdapter } from '../../../src/providers/local/local-adapter';
import type { LocalZoneStore } from '../../../src/providers/local/local-zone-store';
import type { DnsProviderAdapter } from '../../../src/providers/provider-adapter';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../support/redis-test-keys';
import type { ConformanceHarness } from '../conformance/adapter-conformance';

export const LOCAL_ZONE = 'example.com';

export function localProvider(overrides: Partial<LocalProvider> = {}): LocalProvider {
  return {
    type: 'local',
    name: 'lab',
    zone: LOCAL_ZONE,
    syncDelay: 30,
    ownerRecords: true,
    limits: {},
    syncTimeout: 10_000,
    maxDeletes: 10,
    ...overrides,
  };
}

export interface LocalHarness extends ConformanceHarness {
  redis: Redis;
  prefix: string;
  store: LocalZoneStore;
  /** The adapter itself (the harness's `adapter` wraps it to count calls). */
  local: LocalAdapter;
}

export async function localHarness(overrides: Partial<LocalProvider> = {}): Promise<LocalHarness> {
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = randomPrefix('local');
  const provider = localProvider(overrides);
  const local = createLocalAdapter(provider, { redis, keyPrefix: prefix }) as LocalAdapter;
  let writes = 0;
  let accepted = 0;
  const pending: Array<Promise<void>> = [];
  const adapter: DnsProviderAdapter = {
    type: local.type,
    name: local.name,
    capabilities: local.capabilities,
    read: (request, signal) => local.read(request, signal),
    apply: async (zone, changes, signal) => {
      writes += 1;
      const submitted = await local.apply(zone, changes, signal);
      accepted += 1;
      return submitted;
    },
    changeStatus: (id, signal) => local.changeStatus(id, signal),
    close: () => local.close(),
  };
  return {
    redis,
    prefix,
    store: local.store,
    local,
    adapter,
    zone: provider.zone,
    domain: provider.zone,
    provider,
    seed: async (sets) => {
      await local.store.seed(sets);
    },
    snapshot: async () => (await local.store.snapshot()).sets,
    // Not awaited (the suite's hook is synchronous), but sent on the adapter's own connection, so Redis
    // receives it before any call the suite makes next.
    injectThrottling: (count, operation) => {
      pending.push(
        local.store.injectFaults(
          operation === 'write' ? 'apply' : operation === 'read' ? 'read' : 'any',
          count,
        ),
      );
    },
    writeCalls: () => writes,
    acceptedWrites: () => accepted,
    teardown: async () => {
      await Promise.all(pending);
      await local.close();
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

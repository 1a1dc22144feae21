/**
 * The conformance harness around a MemoryAdapter, and the `Provider` config entry it stands for. Shared by the
 * memory adapter's conformance run and the shared layer's tests.
 */
import type { LocalProvider } from '../../../src/config/types';
import type { ConformanceHarness } from '../conformance/adapter-conformance';
import { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter';

export const MEMORY_ZONE = 'example.com';

/** A provider config entry for a memory adapter (typed as the lab's `local` provider: also one zone, no SDK). */
export function memoryProvider(overrides: Partial<LocalProvider> = {}): LocalProvider {
  return {
    type: 'local',
    name: 'memory',
    zone: MEMORY_ZONE,
    syncDelay: 0,
    ownerRecords: true,
    limits: {},
    syncTimeout: 10_000,
    maxDeletes: 10,
    ...overrides,
  };
}

export function memoryHarness(
  options: MemoryAdapterOptions = {},
): ConformanceHarness & { memory: MemoryAdapter } {
  const memory = new MemoryAdapter({ syncDelayMs: 30, pageSize: 100, ...options });
  memory.createZone(MEMORY_ZONE);
  return {
    memory,
    adapter: memory,
    zone: MEMORY_ZONE,
    domain: MEMORY_ZONE,
    provider: memoryProvider({ name: memory.name }),
    seed: async (sets) => memory.seed(MEMORY_ZONE, sets),
    snapshot: async () => memory.snapshot(MEMORY_ZONE),
    injectThrottling: (count, operation) =>
      memory.injectFault({
        code: 'THROTTLED',
        count,
        ...(operation !== undefined ? { operation: operation === 'write' ? 'apply' : 'read' } : {}),
      }),
    writeCalls: () => memory.count('apply'),
    acceptedWrites: () => memory.count('apply', 'ok'),
    teardown: () => memory.close(),
  };
}

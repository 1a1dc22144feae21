import type { Observation } from '../../src/probe/check-result';

export { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
export { waitFor } from '../support/wait-for';

export function observation(
  endpoint: string,
  ok: boolean,
  overrides: Partial<Observation> = {},
): Observation {
  return {
    ok,
    ...(ok ? {} : { failureClass: 'status' as const, detail: 'HTTP 503 (expected 200-399)' }),
    latencyMs: 12.34,
    service: 'api',
    endpoint,
    region: 'r1',
    startedAt: Date.now(),
    ...overrides,
  };
}

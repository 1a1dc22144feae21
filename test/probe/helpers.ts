import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Observation } from '../../src/probe/check-result';

export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file (or run) uses. */
export function randomPrefix(name: string): string {
  return `qdns-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN, never FLUSHDB: the Redis is shared). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns its last value. Never a tuned sleep. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

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

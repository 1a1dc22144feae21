import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The shared Redis the suite runs against (CI makes sure it answers). */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file (or run) uses. */
export function randomPrefix(name: string): string {
  return `qdns-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (SCAN, never FLUSHDB: the Redis is shared). Returns how many. */
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

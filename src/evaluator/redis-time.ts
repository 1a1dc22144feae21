import type { Redis } from 'ioredis';

/**
 * The Redis server clock in epoch ms (`TIME`). Heartbeat ages, override expiry and failback delays are all
 * measured on this one clock, so evaluators on hosts with skewed clocks still agree.
 */
export async function redisTimeMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

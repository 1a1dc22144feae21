/**
 * The Redis server clock, read without a round trip per reading: TIME once, then the local clock plus the
 * measured offset. Every time in a drill's timeline is on this clock, the one the probes' recorder, the
 * evaluator and the apply processor stamp their writes with, so steps measured by different processes line
 * up. Re-synced on every poll (the poll's pipeline carries a TIME anyway).
 */
import type { Redis } from 'ioredis';

export class RedisClock {
  private offsetMs = 0;

  constructor(private readonly localNow: () => number = Date.now) {}

  /** Measures the offset with one TIME (the reply is taken as the middle of the round trip). */
  async sync(redis: Redis): Promise<number> {
    const before = this.localNow();
    const [seconds, micros] = await redis.time();
    const after = this.localNow();
    return this.observe(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), before, after);
  }

  /** Records a TIME reply taken between `before` and `after` (local ms); returns the Redis time. */
  observe(redisMs: number, before: number, after: number): number {
    this.offsetMs = redisMs - (before + after) / 2;
    return redisMs;
  }

  /** Redis-clock epoch ms now (integer). */
  now(): number {
    return Math.round(this.localNow() + this.offsetMs);
  }
}

/** Parses a TIME reply (`[seconds, microseconds]`) into epoch ms. */
export function timeReplyMs(reply: unknown): number {
  const [seconds, micros] = reply as [string | number, string | number];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * The decision generation in force for a service, read straight from its state hash: an operator's event
 * (override, freeze, drill stop) belongs to the decision that was in force when they acted. A service the
 * evaluator never decided (or a damaged field) is generation 0, so the event is still written.
 */
import type { Redis } from 'ioredis';
import type { RedisKeyLayout } from '../redis/keys';

export async function generationInForce(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
): Promise<number> {
  const stored = await redis.hget(keys.service(service).state, 'generation');
  return stored !== null && /^\d+$/.test(stored) ? Number(stored) : 0;
}

import { Redis } from 'ioredis';
import { reconnectDelay } from '../redis/connect';

/**
 * The evaluator's Redis clients. Like `createRedisClient` (reconnect forever with jittered backoff, errors
 * never crash the process), plus auto-pipelining: an evaluator issues thousands of small commands a second
 * from many concurrent evaluations, and sending the commands of one event-loop turn in one write saves a
 * syscall per command (measured: about a fifth of the evaluator's CPU).
 *
 * - `commands`: fail-fast (no offline queue, a socket that stays silent for 10 s is dropped), for evaluations
 *   and queue adds: a failed evaluation is simply retried by the next tick, it must not wait in a queue;
 * - `worker`: what BullMQ workers require (`maxRetriesPerRequest: null`).
 */
export function createEvaluatorRedis(
  url: string,
  kind: 'commands' | 'worker',
  connectionName: string,
): Redis {
  const client = new Redis(url, {
    retryStrategy: (attempt) => reconnectDelay(attempt, 2000),
    connectionName,
    enableAutoPipelining: true,
    ...(kind === 'commands'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: 5000,
          // One timer per connection instead of one per command (commandTimeout): a Redis that stops
          // answering for 10 s gets its socket destroyed, which fails the commands waiting on it.
          socketTimeout: 10_000,
        }
      : { maxRetriesPerRequest: null }),
  });
  client.on('error', () => {
    // Errors surface as rejected commands and readiness; without a listener ioredis prints every reconnect failure.
  });
  return client;
}

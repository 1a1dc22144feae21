import { Redis, type RedisOptions } from 'ioredis';
import type { Config, MaybeSecret } from '../config/types';
import { redact, resolveSecret } from '../config/resolve-secret';

/** Used when neither the config nor `REDIS_URL` names a Redis. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL of a deployment: config (literal or secret ref), else `REDIS_URL`, else the local default. */
export async function resolveRedisUrl(
  config: Pick<Config, 'deployment'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const configured: MaybeSecret | undefined = config.deployment.redis.url;
  if (configured !== undefined) return resolveSecret(configured, env);
  return env.REDIS_URL && env.REDIS_URL.length > 0 ? env.REDIS_URL : DEFAULT_REDIS_URL;
}

/** A Redis URL fit for a log line: credentials (user, password, query) replaced by `***`. */
export function redactRedisUrl(url: string): string {
  return redact(url);
}

export interface RedisClientOptions {
  /**
   * `fail-fast`: commands reject at once while disconnected and after `commandTimeout`, so the probe keeps
   * its observations in its own bounded buffer instead of in ioredis' unbounded offline queue.
   * `bullmq-worker`: what BullMQ Workers require (`maxRetriesPerRequest: null`, commands wait for reconnect).
   * @defaultValue 'fail-fast'
   */
  mode?: 'fail-fast' | 'bullmq-worker';
  /** Per-command timeout in fail-fast mode; a black-holed connection fails instead of hanging. @defaultValue 3000 */
  commandTimeout?: number;
  /** Longest pause between reconnect attempts. @defaultValue 2000 */
  maxReconnectDelay?: number;
  /** CLIENT SETNAME, visible in `CLIENT LIST` when an operator asks who is connected. */
  connectionName?: string;
}

/**
 * Reconnect delay: exponential from 50 ms up to `max`, with jitter so a fleet of workers does not reconnect
 * in lockstep after a Redis restart. Never gives up: a probe worker must outlive any Redis outage.
 */
export function reconnectDelay(attempt: number, max: number): number {
  const exponential = Math.min(max, 50 * 2 ** Math.min(attempt, 16));
  return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
}

/**
 * An ioredis client for `url` (`redis://` or `rediss://`, AUTH user/password from the URL). The caller owns it
 * and must `quit()` it. An `error` listener is attached so connection errors never crash the process; callers
 * observe connectivity through the `ready` / `close` events or failing commands.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const mode = options.mode ?? 'fail-fast';
  const maxDelay = options.maxReconnectDelay ?? 2000;
  const common: RedisOptions = {
    retryStrategy: (attempt) => reconnectDelay(attempt, maxDelay),
    connectionName: options.connectionName,
    // ioredis waits this long for a socket that never opened before giving up on it; its 2 s default keeps a
    // stopping worker (and the test process) alive for no reason after Redis was unreachable.
    disconnectTimeout: 200,
  };
  const modeOptions: RedisOptions =
    mode === 'fail-fast'
      ? {
          enableOfflineQueue: false,
          // 0: a command in flight when the connection drops fails now; the caller replays it (idempotently).
          maxRetriesPerRequest: 0,
          commandTimeout: options.commandTimeout ?? 3000,
          connectTimeout: options.commandTimeout ?? 3000,
        }
      : { maxRetriesPerRequest: null };
  const client = new Redis(url, { ...common, ...modeOptions });
  client.on('error', () => {
    // Deliberately empty: errors surface as rejected commands and status changes; without a listener
    // ioredis would print every reconnect failure.
  });
  return client;
}

/** Resolves once the client is connected (at once when it already is); rejects after `timeoutMs`. */
export function whenReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

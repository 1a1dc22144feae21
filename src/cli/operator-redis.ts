import type { Redis } from 'ioredis';
import type { Config } from '../config/types';
import { redact, SecretUnavailableError } from '../config/resolve-secret';
import { createRedisClient, redactRedisUrl, resolveRedisUrl } from '../redis/connect';
import { redisKeys, type RedisKeyLayout } from '../redis/keys';
import { CorruptDataError } from '../evaluator/errors';
import type { CliIo } from './cli-io';
import { OperatorCommandError } from './operator-error';

/** How long an operator command waits for Redis before saying it is unreachable. */
export const OPERATOR_CONNECT_TIMEOUT_MS = 3000;

/** A connected Redis for one operator command, with the deployment's key layout. */
export interface OperatorRedis {
  redis: Redis;
  keys: RedisKeyLayout;
  /** The Redis URL with credentials hidden: the only form that is ever printed. */
  displayUrl: string;
  close(): Promise<void>;
}

/**
 * Connects to the deployment's Redis (config url, else REDIS_URL, else local) and waits until it answers.
 * Unreachable, refused AUTH or an unresolvable secret -> exit 1 with one line naming the redacted URL,
 * instead of ioredis reconnecting for ever while the operator waits.
 */
export async function connectOperatorRedis(
  config: Config,
  io: CliIo,
  timeoutMs = OPERATOR_CONNECT_TIMEOUT_MS,
): Promise<OperatorRedis> {
  let url: string;
  try {
    url = await resolveRedisUrl(config, io.env);
  } catch (error) {
    if (error instanceof SecretUnavailableError)
      throw new OperatorCommandError(`cannot resolve the Redis URL: ${error.message}`, 'EREDIS_URL', 1);
    throw error;
  }
  const displayUrl = redactRedisUrl(url);
  const redis = createRedisClient(url, {
    mode: 'fail-fast',
    commandTimeout: timeoutMs,
    connectionName: 'quorumdns-cli',
  });
  try {
    await waitUntilReady(redis, timeoutMs);
  } catch (error) {
    redis.disconnect();
    throw new OperatorCommandError(
      `Redis at ${displayUrl} is unreachable: ${redisErrorText(error)}`,
      'EREDIS',
      1,
    );
  }
  return {
    redis,
    keys: redisKeys(config.deployment.redis.keyPrefix),
    displayUrl,
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const onReady = (): void => finish(undefined);
    // The first error is the answer: a CLI reports it rather than retrying behind the operator's back.
    const onError = (error: Error): void => finish(error);
    function finish(error: Error | undefined): void {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** An error's message fit for a terminal: URLs in it redacted (ioredis may quote the connection string). */
export function redisErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return redact(text);
}

/**
 * Whether an error came from talking to Redis (connection lost, timeout, error reply) rather than from
 * quorumdns itself: those are reported as "Redis failed" (exit 1), not as an internal error.
 */
export function isRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError' || error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH)$/.test(code)
  )
    return true;
  return /Connection is closed|Stream isn't writeable|Command timed out/.test(error.message);
}

/**
 * Connects, runs `body`, always closes. A Redis failure in the middle (connection lost, timeout, error
 * reply) becomes exit 1 with one line naming the redacted URL, like an unreachable Redis at the start.
 */
export async function withOperatorRedis<T>(
  config: Config,
  io: CliIo,
  body: (connection: OperatorRedis) => Promise<T>,
): Promise<T> {
  const connection = await connectOperatorRedis(config, io);
  try {
    return await body(connection);
  } catch (error) {
    if (isRedisError(error)) {
      throw new OperatorCommandError(
        `Redis at ${connection.displayUrl} failed: ${redisErrorText(error)}`,
        'EREDIS',
        1,
      );
    }
    // Bad data is not a bug of this command: name the key and field so the operator can inspect it.
    if (error instanceof CorruptDataError) throw new OperatorCommandError(error.message, error.code, 1);
    throw error;
  } finally {
    await connection.close();
  }
}

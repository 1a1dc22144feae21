/**
 * A private `redis-server` for tests that must stop and restart Redis (never the shared one). The server
 * itself lives in src/lab/private-redis.ts (the lab starts the same one when REDIS_URL is unset).
 */
export { freePort } from '../../src/lab/free-port';
export { type PrivateRedis, type PrivateRedisOptions, startPrivateRedis } from '../../src/lab/private-redis';

/**
 * Probes honour the drill overlay: a real probe worker (real TCP checks against local servers that are up)
 * reports the drilled pool's endpoints as failing with class `drill`, tagged as a drill and naming the drill,
 * stops at the overlay's end, and ignores (logging once) a value that is not an overlay. The overlays of all
 * services are read in one pipeline per batch, not per check.
 */
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import type { DrillOverlay } from '../../src/drill/drill-overlay';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { DrillOverlayReader } from '../../src/probe/drill-overlay-reader';
import { memoryLogger } from '../../src/probe/logger';
import { ProbeWorker } from '../../src/probe/worker';
import { createRedisClient } from '../../src/redis/connect';
import { type LastObservation, opinionField, redisKeys } from '../../src/redis/keys';
import { buildConfig, endpoint, service, tcpCheck } from '../support/config-builder';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';

const prefix = randomPrefix('drill-probe');
const keys = redisKeys(prefix);
const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
const probeRedis = createRedisClient(SHARED_REDIS_URL);
const servers: Server[] = [];
const logger = memoryLogger();
let worker: ProbeWorker;

async function tcpServer(): Promise<number> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function lastOf(serviceName: string, endpointId: string): Promise<LastObservation | undefined> {
  const text = await redis.hget(keys.service(serviceName).last, opinionField(endpointId, 'r1'));
  return text === null ? undefined : (JSON.parse(text) as LastObservation);
}

beforeAll(async () => {
  const check = async () => tcpCheck({ port: await tcpServer(), interval: 100, timeout: 500 });
  const web = service('web', {
    pools: {
      a: [endpoint('a1', await check()), endpoint('a2', await check())],
      b: [endpoint('b1', await check())],
    },
    probeRegions: ['r1'],
  });
  const other = service('other', { pools: { a: [endpoint('o1', await check())] }, probeRegions: ['r1'] });
  const config = buildConfig({ services: [web, other], keyPrefix: prefix });
  worker = await ProbeWorker.create({
    config,
    region: 'r1',
    workerId: 'drill-probe',
    redis: probeRedis,
    logger,
  });
  worker.start();
  await waitFor(async () => (await lastOf('web', 'a1'))?.ok === true, { what: 'a first ok check of a1' });
}, 20_000);

afterAll(async () => {
  await worker?.stop({ graceMs: 500, flushTimeoutMs: 1000 });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await deleteKeys(redis, prefix);
  await Promise.all([redis.quit(), probeRedis.quit()]);
});

test('the drilled pool is reported failing with class drill while the overlay is active, then real results again', async () => {
  const now = await redisTimeMs(redis);
  const overlay: DrillOverlay = {
    id: 'drill-test-1',
    service: 'web',
    pools: ['a'],
    mode: 'live',
    startedAt: now,
    endsAt: now + 2500,
    by: 'test',
  };
  await redis.set(keys.service('web').drill, JSON.stringify(overlay), 'PX', 60_000);

  const drilled = await waitFor(
    async () => {
      const last = await lastOf('web', 'a1');
      return last?.drill === true ? last : undefined;
    },
    { what: 'a drill observation of a1', timeoutMs: 10_000 },
  );
  expect(drilled).toMatchObject({ ok: false, class: 'drill', drill: true });
  expect(drilled.detail).toContain('drill-test-1');
  expect(drilled.detail).toContain('pool a');
  // Recorded in the drill window, on the Redis clock.
  expect(drilled.recordedAt).toBeGreaterThanOrEqual(now);
  expect(drilled.recordedAt).toBeLessThan(overlay.endsAt + 1000);
  await waitFor(async () => (await lastOf('web', 'a2'))?.drill === true, { what: 'a2 drilled too' });
  // Other pools and other services are probed for real.
  expect(await lastOf('web', 'b1')).toMatchObject({ ok: true });
  expect((await lastOf('web', 'b1'))?.drill).toBeUndefined();
  expect((await lastOf('other', 'o1'))?.ok).toBe(true);
  // Enough drill failures flip the opinion down.
  await waitFor(
    async () => (await redis.hget(keys.service('web').opinions, opinionField('a1', 'r1'))) === 'down',
    { what: 'opinion of a1 down' },
  );
  expect(worker.checksByService().get('web')?.drill).toBeGreaterThan(0);

  // The key still exists (its expiry is the backstop), but endsAt has passed: real checks again.
  const back = await waitFor(
    async () => {
      const last = await lastOf('web', 'a1');
      return last?.ok === true ? last : undefined;
    },
    { what: 'a real ok check of a1 after endsAt', timeoutMs: 10_000 },
  );
  expect(back.drill).toBeUndefined();
  expect(back.recordedAt).toBeGreaterThanOrEqual(overlay.endsAt);
  expect(await redis.exists(keys.service('web').drill)).toBe(1);
  await redis.del(keys.service('web').drill);
}, 30_000);

test('a value that is not a drill overlay is ignored and logged once', async () => {
  const before = logger.entries.filter((e) => e.message === 'bad drill overlay ignored').length;
  await redis.set(keys.service('other').drill, '{"id": "half an overlay"}', 'PX', 60_000);
  const start = await redisTimeMs(redis);
  // Several refreshes (every 500 ms) and many checks later: still probed for real, logged once.
  await waitFor(async () => ((await lastOf('other', 'o1'))?.recordedAt ?? 0) > start + 1600, {
    what: 'checks of o1 over more than three refreshes',
  });
  const last = await lastOf('other', 'o1');
  expect(last).toMatchObject({ ok: true });
  expect(last?.drill).toBeUndefined();
  const logged = logger.entries.filter((e) => e.message === 'bad drill overlay ignored');
  expect(logged.length - before).toBe(1);
  expect(String(logged[logged.length - 1]?.fields.problem)).toContain('drill overlay field');
  await redis.del(keys.service('other').drill);
}, 20_000);

test('the reader reads every service in one pipelined batch per refresh, never per check', async () => {
  const services = Array.from({ length: 2500 }, (_, i) => `svc-${i}`);
  const config = buildConfig({
    services: services.map((name) =>
      service(name, { pools: { p: [endpoint(`${name}-e`, tcpCheck({ port: 9 }))] }, probeRegions: ['r1'] }),
    ),
    keyPrefix: prefix,
  });
  const counting = new Redis(SHARED_REDIS_URL);
  let pipelines = 0;
  const original = counting.pipeline.bind(counting);
  counting.pipeline = ((...args: Parameters<typeof original>) => {
    pipelines += 1;
    return original(...args);
  }) as typeof counting.pipeline;
  let gets = 0;
  const originalGet = counting.get.bind(counting);
  counting.get = ((...args: Parameters<typeof originalGet>) => {
    gets += 1;
    return originalGet(...args);
  }) as typeof counting.get;
  const reader = new DrillOverlayReader({ redis: counting, keys, logger: memoryLogger(), batchSize: 1000 });
  reader.setServices(config, services);
  const now = await redisTimeMs(redis);
  await redis.set(
    keys.service('svc-1234').drill,
    JSON.stringify({
      id: 'd-many',
      service: 'svc-1234',
      pools: ['p'],
      mode: 'dry',
      startedAt: now,
      endsAt: now + 60_000,
      by: 'test',
    }),
    'PX',
    60_000,
  );
  try {
    await reader.refresh();
    expect(pipelines).toBe(3);
    expect(gets).toBe(0);
    expect(reader.stats()).toMatchObject({ refreshes: 1, failures: 0, active: 1 });
    // Asking about endpoints costs nothing: no command at all.
    for (let i = 0; i < 10_000; i += 1) reader.forcedResult(`svc-${i % 2500}`, `svc-${i % 2500}-e`);
    expect(pipelines).toBe(3);
    expect(reader.forcedResult('svc-1234', 'svc-1234-e')).toMatchObject({
      failureClass: 'drill',
      drill: true,
    });
    expect(reader.forcedResult('svc-1233', 'svc-1233-e')).toBeUndefined();
  } finally {
    await counting.quit();
  }
}, 20_000);

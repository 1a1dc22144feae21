/**
 * The whole pipeline against local endpoints: three probe workers (regions r1, r2, r3, the real TCP checks
 * and the real recorder) and an evaluator with the default 1 s tick, on the real Redis. A majority outage
 * becomes a new generation with its apply and notify jobs within one tick of the quorum being met; one
 * region seeing the pool down changes nothing.
 */
import { createServer, type Server } from 'node:net';
import { Registry } from 'prom-client';
import type { Check } from '../../src/config/types';
import { Evaluator } from '../../src/evaluator/evaluator';
import { EventLog } from '../../src/evaluator/event-log';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { StateStore } from '../../src/evaluator/state-store';
import type { CheckRunner } from '../../src/probe/check-runner';
import { runCheck } from '../../src/probe/checks/run-check';
import { memoryLogger } from '../../src/probe/logger';
import { ProbeWorker } from '../../src/probe/worker';
import { createRedisClient } from '../../src/redis/connect';
import { opinionField } from '../../src/redis/keys';
import { buildConfig, endpoint, service, tcpCheck } from '../support/config-builder';
import { jobQueues, REDIS_URL, REGIONS, testRedis, waitFor } from './support/fixtures';

const fixture = testRedis('e2e');
const { redis, keys, prefix } = fixture;
const states = new StateStore(redis, keys);
const eventLog = new EventLog(redis, keys);
const queues = jobQueues(redis, prefix);
const servers: Server[] = [];
const workers: ProbeWorker[] = [];
const probeRedis = createRedisClient(REDIS_URL);
let evaluator: Evaluator;
/** Ports that probe region r1 alone sees failing (its own network trouble). */
const failingForR1 = new Set<number>();

async function tcpServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

function runnerFor(region: string): CheckRunner {
  return async (check: Check, options) => {
    if (region === 'r1' && check.type === 'tcp' && failingForR1.has(check.port)) {
      return { ok: false, failureClass: 'timeout', detail: 'r1 cannot reach it', latencyMs: 1 };
    }
    return runCheck(check, options);
  };
}

/** Regions whose opinion of every given endpoint is `down`. */
async function regionsSayingDown(endpoints: string[]): Promise<string[]> {
  const opinions = await redis.hgetall(keys.service('web').opinions);
  return REGIONS.filter((region) => endpoints.every((id) => opinions[opinionField(id, region)] === 'down'));
}

let poolA: Array<{ server: Server; port: number }>;

beforeAll(async () => {
  poolA = [await tcpServer(), await tcpServer()];
  const poolB = [await tcpServer()];
  const check = (port: number) => tcpCheck({ port, interval: 200, timeout: 150 });
  const web = service('web', {
    pools: {
      a: poolA.map(({ port }, i) => endpoint(`a${i + 1}`, check(port))),
      b: poolB.map(({ port }, i) => endpoint(`b${i + 1}`, check(port))),
    },
    probeRegions: REGIONS,
    failureThreshold: 2,
    successThreshold: 1,
    staleAfter: 3000,
  });
  const config = buildConfig({
    services: [
      {
        ...web,
        providers: [{ provider: 'r53', zone: 'Z123', mode: 'rewrite' }],
        notify: [{ channel: 'ops', minSeverity: 'warning', quietPeriod: 0, maxReminders: 3 }],
      },
    ],
    keyPrefix: prefix,
    probeRegions: REGIONS,
  });
  evaluator = await Evaluator.start({
    config,
    redisUrl: REDIS_URL,
    id: 'e2e',
    registry: new Registry(),
    logger: memoryLogger(),
  });
  for (const region of REGIONS) {
    const worker = await ProbeWorker.create({
      config,
      region,
      workerId: `probe-${region}`,
      redis: probeRedis,
      runCheck: runnerFor(region),
      logger: memoryLogger(),
    });
    worker.start();
    workers.push(worker);
  }
  await waitFor(async () => (await states.read('web'))?.generation === 1, { what: 'generation 1' });
}, 30_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop({ graceMs: 500, flushTimeoutMs: 1000 })));
  await evaluator.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await probeRedis.quit();
  await queues.close();
  await fixture.dispose();
});

test('one probe region seeing pool a down changes nothing', async () => {
  for (const { port } of poolA) failingForR1.add(port);
  await waitFor(async () => (await regionsSayingDown(['a1', 'a2'])).includes('r1'), {
    what: 'r1 to say down',
  });
  const seenAt = await redisTimeMs(redis);
  // Two ticks later, still generation 1, still serving a.
  await waitFor(async () => ((await states.read('web'))?.evaluatedAt ?? 0) > seenAt + 2000, {
    what: 'two more ticks',
    timeoutMs: 6000,
  });
  const record = await states.read('web');
  expect(record?.generation).toBe(1);
  expect(record?.state.decision.pools.find((pool) => pool.weight > 0)?.pool).toBe('a');
  expect(await regionsSayingDown(['a1', 'a2'])).toEqual(['r1']);
  failingForR1.clear();
  await waitFor(async () => (await regionsSayingDown(['a1', 'a2'])).length === 0, { what: 'r1 to recover' });
});

test('a majority outage becomes a new generation with apply and notify jobs within one tick', async () => {
  await Promise.all(poolA.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  const quorumMetAt = await waitFor(
    async () => ((await regionsSayingDown(['a1', 'a2'])).length >= 2 ? redisTimeMs(redis) : undefined),
    { what: 'a majority of regions to say down', intervalMs: 5 },
  );
  const failedOver = await waitFor(
    async () => {
      const record = await states.read('web');
      return record !== undefined && record.generation >= 2 ? record : undefined;
    },
    { what: 'generation 2', intervalMs: 5 },
  );
  expect(failedOver.generation).toBe(2);
  expect(failedOver.state.decision.pools.find((pool) => pool.weight > 0)?.pool).toBe('b');
  // Within one tick (1 s) of the quorum being met; in practice the flip job makes it milliseconds.
  expect(failedOver.decidedAt - quorumMetAt).toBeLessThanOrEqual(1000);
  // The jobs are added right after the commit (the record says which it still owes), so poll briefly.
  await waitFor(() => queues.apply.getJob('apply/web/r53/Z123/2'), { what: 'the apply job of generation 2' });
  const warnings = (await eventLog.read({ services: ['web'] })).filter(
    (event) => event.generation === 2 && event.severity !== 'info',
  );
  expect(warnings.length).toBeGreaterThan(0);
  for (const event of warnings) {
    await waitFor(() => queues.notify.getJob(`notify/web/${event.id}/ops`), {
      what: `notify job of ${event.kind}`,
    });
  }
});

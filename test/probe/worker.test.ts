import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../src/config/types';
import { type EvaluateJobData, QueueName } from '../../src/evaluator/queues';
import { memoryLogger } from '../../src/probe/logger';
import { UnknownProbeRegionError } from '../../src/probe/probe-target';
import { ProbeWorker } from '../../src/probe/worker';
import { type HeartbeatRecord, type LastObservation, opinionField, redisKeys } from '../../src/redis/keys';
import { buildConfig, endpoint, httpCheck, service } from '../support/config-builder';
import {
  getClosedPort,
  type HttpTestServer,
  startHangingServer,
  startHttpServer,
  type TcpTestServer,
} from '../support/misbehaving-servers';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL, waitFor } from './helpers';

const REGIONS = ['r1', 'r2', 'r3'];
const prefix = randomPrefix('worker');
let admin: Redis;

/** An HTTP endpoint whose answer the test switches, counting what it served. */
async function switchableServer(initial: number) {
  const state = { status: initial, served: new Map<number, number>() };
  const server = await startHttpServer((_req, res) => {
    state.served.set(state.status, (state.served.get(state.status) ?? 0) + 1);
    res.writeHead(state.status, { 'content-type': 'text/plain' }).end('x');
  });
  return { server, state };
}

beforeAll(() => {
  admin = new Redis(SHARED_REDIS_URL);
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  await admin.quit();
});

describe('three probe workers, one per region, against real endpoints and Redis', () => {
  const servers: (HttpTestServer | TcpTestServer)[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('Redis holds opinions, streaks, last observations, heartbeats and evaluate jobs matching what the endpoints did', async () => {
    const keyPrefix = `${prefix}:three`;
    const good = await switchableServer(200);
    const flappy = await switchableServer(200);
    const bad = await switchableServer(503);
    const webGood = await switchableServer(200);
    const hanging = await startHangingServer();
    servers.push(good.server, flappy.server, bad.server, webGood.server, hanging);
    const closedPort = await getClosedPort();

    const check = (port: number) => httpCheck({ port, interval: 200, timeout: 150 });
    const config = buildConfig({
      keyPrefix,
      redisUrl: SHARED_REDIS_URL,
      probeRegions: REGIONS,
      services: [
        service('api', {
          probeRegions: REGIONS,
          failureThreshold: 2,
          successThreshold: 2,
          pools: {
            east: [endpoint('good', check(good.server.port)), endpoint('flappy', check(flappy.server.port))],
            west: [
              endpoint('bad', check(bad.server.port)),
              endpoint('hang', check(hanging.port)),
              endpoint('closed', check(closedPort)),
            ],
          },
        }),
        service('web', {
          probeRegions: ['r1', 'r2'],
          pools: { main: [endpoint('web-good', check(webGood.server.port))] },
        }),
      ],
    });

    const logs = REGIONS.map(() => memoryLogger());
    const workers = await Promise.all(
      REGIONS.map((region, i) =>
        ProbeWorker.create({ config, region, workerId: `worker-${region}`, logger: logs[i] }),
      ),
    );
    workers.forEach((w) => w.start());
    const keys = redisKeys(keyPrefix);
    const api = keys.service('api');
    const web = keys.service('web');
    try {
      const opinionsOf = async () => admin.hgetall(api.opinions);
      const expected: Record<string, string> = {};
      for (const region of REGIONS) {
        expected[opinionField('good', region)] = 'up';
        expected[opinionField('flappy', region)] = 'up';
        expected[opinionField('bad', region)] = 'down';
        expected[opinionField('hang', region)] = 'down';
        expected[opinionField('closed', region)] = 'down';
      }
      await waitFor(async () => sameMap(await opinionsOf(), expected), {
        what: 'every region to hold the expected opinions',
      });

      // The flappy endpoint starts failing: every region flips it to down.
      flappy.state.status = 503;
      await waitFor(
        async () => {
          const opinions = await opinionsOf();
          return REGIONS.every((r) => opinions[opinionField('flappy', r)] === 'down');
        },
        { what: 'flappy to be down in every region' },
      );

      const last = await admin.hgetall(api.last);
      const lastOf = (endpointId: string, region: string) =>
        JSON.parse(last[opinionField(endpointId, region)]!) as LastObservation;
      for (const region of REGIONS) {
        expect(lastOf('hang', region)).toMatchObject({
          ok: false,
          class: 'timeout',
          worker: `worker-${region}`,
        });
        expect(lastOf('closed', region)).toMatchObject({ ok: false, class: 'refused' });
        expect(lastOf('bad', region)).toMatchObject({ ok: false, class: 'status' });
        expect(lastOf('good', region)).toMatchObject({ ok: true });
      }

      // `web` is probed from r1 and r2 only.
      await waitFor(async () => Object.keys(await admin.hgetall(web.opinions)).length === 2, { what: 'web' });
      expect(Object.keys(await admin.hgetall(web.opinions)).sort()).toEqual([
        opinionField('web-good', 'r1'),
        opinionField('web-good', 'r2'),
      ]);

      // Heartbeats: one per region with the config hash, in Redis time, plus each worker's own key.
      const beats = await admin.hgetall(keys.heartbeats);
      const [seconds] = await admin.time();
      for (const region of REGIONS) {
        const beat = JSON.parse(beats[region]!) as HeartbeatRecord;
        expect(beat).toMatchObject({ region, workerId: `worker-${region}`, configHash: config.hash });
        expect(Math.abs(Number(seconds) * 1000 - beat.time)).toBeLessThan(10_000);
        expect(await admin.exists(keys.workerHeartbeat(region, `worker-${region}`))).toBe(1);
      }
    } finally {
      const summaries = await Promise.all(workers.map((w) => w.stop()));
      expect(summaries.map((s) => s.unwritten)).toEqual([0, 0, 0]);
    }

    // After a graceful stop every check the endpoints served is in the streaks: nothing lost, nothing doubled.
    const streaks = await admin.hgetall(api.streaks);
    const sumOver = (endpointId: string) =>
      REGIONS.reduce((sum, r) => sum + Number(streaks[opinionField(endpointId, r)] ?? 0), 0);
    expect(sumOver('good')).toBe(good.state.served.get(200));
    expect(sumOver('bad')).toBe(-(bad.state.served.get(503) ?? 0));
    expect(sumOver('flappy')).toBe(-(flappy.state.served.get(503) ?? 0));

    // Flips: unknown -> up -> down for flappy, logged once per region each.
    for (const [i, region] of REGIONS.entries()) {
      const flips = logs[i]!.entries.filter(
        (e) => e.message === 'opinion flipped' && e.fields.endpoint === 'flappy',
      );
      expect(flips.map((e) => `${e.fields.from}->${e.fields.to}`)).toEqual(['unknown->up', 'up->down']);
      expect(logs[i]!.entries.filter((e) => e.message.startsWith('redis unreachable'))).toHaveLength(0);
      expect(await admin.exists(keys.workerHeartbeat(region, `worker-${region}`))).toBe(0);
    }

    // The flips enqueued evaluations, deduplicated: one waiting job per service, under the deployment prefix.
    const queue = new Queue<EvaluateJobData>(QueueName.evaluate, {
      connection: admin,
      prefix: keys.queuePrefix,
    });
    try {
      const waiting = await queue.getWaiting();
      expect(waiting.map((j) => j.data.service).sort()).toEqual(['api', 'web']);
    } finally {
      await queue.close();
    }
  });
});

describe('one probe worker', () => {
  test('an unknown region is refused with the regions the config knows', async () => {
    const config = buildConfig({
      keyPrefix: `${prefix}:unknown`,
      services: [
        service('api', { probeRegions: ['r1'], pools: { p: [endpoint('a', httpCheck({ port: 1 }))] } }),
      ],
    });
    const error = await ProbeWorker.create({ config, region: 'mars' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownProbeRegionError);
    expect((error as Error).message).toBe('unknown probe region "mars"; the config defines "r1"');
  });

  test('reload keeps streaks of unchanged endpoints, adds and removes endpoints, and refuses a config it cannot run', async () => {
    const keyPrefix = `${prefix}:reload`;
    const a = await switchableServer(503);
    const b = await switchableServer(503);
    const c = await switchableServer(200);
    const check = (port: number, extra: Partial<Parameters<typeof httpCheck>[0]> = {}) =>
      httpCheck({ port, interval: 100, timeout: 80, ...extra });
    const configWith = (endpoints: ReturnType<typeof endpoint>[]): Config =>
      buildConfig({
        keyPrefix,
        redisUrl: SHARED_REDIS_URL,
        services: [service('api', { probeRegions: ['r1'], failureThreshold: 100, pools: { p: endpoints } })],
      });
    const logger = memoryLogger();
    const first = configWith([endpoint('a', check(a.server.port)), endpoint('b', check(b.server.port))]);
    const worker = await ProbeWorker.create({ config: first, region: 'r1', workerId: 'w', logger });
    worker.start();
    const streaks = redisKeys(keyPrefix).service('api').streaks;
    try {
      await waitFor(async () => Number(await admin.hget(streaks, opinionField('a', 'r1'))) <= -3, {
        what: 'a streak',
      });

      // `a` unchanged, `b` gets a header (changed), `c` is new.
      const second = configWith([
        endpoint('a', check(a.server.port)),
        endpoint('b', check(b.server.port, { headers: { 'x-probe': 'yes' } })),
        endpoint('c', check(c.server.port)),
      ]);
      expect(await worker.reload(second)).toEqual({
        ok: true,
        added: 1,
        removed: 0,
        changed: 1,
        unchanged: 1,
      });
      await waitFor(async () => Number(await admin.hget(streaks, opinionField('c', 'r1'))) >= 2, {
        what: 'c',
      });
      await waitFor(() => b.server.requests.some((r) => r.headers['x-probe'] === 'yes'), {
        what: 'new header',
      });

      // A header secret that cannot be resolved: refused, the old config keeps running.
      const broken = configWith([
        endpoint(
          'a',
          check(a.server.port, { headers: { authorization: { kind: 'env', name: 'QDNS_TEST_UNSET_1' } } }),
        ),
      ]);
      const refused = await worker.reload(broken);
      expect(refused).toEqual({
        ok: false,
        error:
          'services.api endpoint a: header authorization: environment variable QDNS_TEST_UNSET_1 is not set',
      });
      expect(worker.stats().scheduler.targets).toBe(3);

      // `b` removed: no more checks of it.
      expect(await worker.reload(configWith([endpoint('a', check(a.server.port))]))).toMatchObject({
        ok: true,
        removed: 2,
      });
    } finally {
      await worker.stop();
      await Promise.all([a.server.close(), b.server.close(), c.server.close()]);
    }
    // `a` was never rescheduled: its streak counts every check it got, across the three reloads.
    expect(Number(await admin.hget(streaks, opinionField('a', 'r1')))).toBe(-(a.state.served.get(503) ?? 0));
    const requestsOfB = b.server.requests.length;
    expect(Number(await admin.hget(streaks, opinionField('b', 'r1')))).toBe(-requestsOfB);
    expect(logger.entries.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'probe worker started',
        'config reloaded',
        'config reload refused; keeping the running config',
        'probe worker stopped',
      ]),
    );
    for (const entry of logger.entries) expect(JSON.stringify(entry)).not.toContain('QDNS_TEST_UNSET_1=');
  });
});

function sameMap(actual: Record<string, string>, expected: Record<string, string>): boolean {
  const keys = Object.keys(expected);
  return Object.keys(actual).length === keys.length && keys.every((k) => actual[k] === expected[k]);
}

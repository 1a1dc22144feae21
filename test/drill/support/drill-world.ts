/**
 * A small lab for drill tests, everything real and on loopback: two "data centers" (TCP servers) as pools `a`
 * and `b` of a failover service `web` at web.lab.test, three probe workers (regions r1-r3, in-process), the
 * evaluator with its apply and notify workers, the `local` provider served by quorumdns's own DNS server
 * (the config lists it as the zone's name server), and a webhook receiver for the notifications.
 *
 * The config is YAML on disk (so `quorumdns drill` in-process or as a child reads the same one) and loaded
 * through the real loader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfigFromString } from '../../../src/config/load-config';
import { formatProblem } from '../../../src/config/problem';
import type { Config } from '../../../src/config/types';
import { queryNameServer } from '../../../src/drill/answer-observer';
import { startDnsServer, type DnsServer } from '../../../src/dns-server/dns-server';
import { Evaluator } from '../../../src/evaluator/evaluator';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { ProbeWorker } from '../../../src/probe/worker';
import { createRedisClient } from '../../../src/redis/connect';
import { redisKeys, type RedisKeyLayout } from '../../../src/redis/keys';
import { startWebhookReceiver, type WebhookReceiver } from '../../notify/support/webhook-receiver';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../support/redis-test-keys';
import { waitFor } from '../../support/wait-for';

export { SHARED_REDIS_URL, waitFor };

export const POOL_A = '192.0.2.10';
export const POOL_B = '198.51.100.20';
export const REGIONS = ['r1', 'r2', 'r3'];

export interface DrillWorldOptions {
  /** The `drill:` objectives of `web` (YAML flow mapping). @defaultValue generous ones */
  objectives?: string;
  /** The `safety:` of `web` (YAML flow mapping). */
  safety?: string;
  /** Start probes, evaluator, apply and notify workers. @defaultValue true */
  pipeline?: boolean;
  /**
   * Extra YAML appended under `services:` (indented two spaces), given the ports of pool a's and pool b's
   * servers and a port nothing listens on (an endpoint there is down from the start).
   */
  extraServices?: (ports: WorldPorts) => string;
}

export interface WorldPorts {
  a: number;
  b: number;
  closed: number;
}

export interface DrillWorld {
  prefix: string;
  keys: RedisKeyLayout;
  /** A plain commands connection for the test (and for runDrill). */
  redis: Redis;
  config: Config;
  configPath: string;
  dir: string;
  dns: DnsServer;
  receiver: WebhookReceiver;
  /** The A records web.lab.test has at the DNS server now. */
  answer(name?: string): Promise<string[]>;
  dispose(): Promise<void>;
}

async function tcpServer(servers: Server[]): Promise<number> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

export function worldYaml(input: {
  prefix: string;
  dnsPort: number;
  hookUrl: string;
  portA: number;
  portB: number;
  closedPort: number;
  options: DrillWorldOptions;
}): string {
  const { options } = input;
  return `deployment:
  id: drill-test
  redis: { url: '${SHARED_REDIS_URL}', keyPrefix: ${input.prefix} }
probeRegions: [r1, r2, r3]
providers:
  lab: { type: local, zone: lab.test, nameServers: ['127.0.0.1:${input.dnsPort}'] }
notifications:
  hook: { type: webhook, url: '${input.hookUrl}', timeout: 2s }
defaults:
  check: { type: tcp, host: 127.0.0.1, interval: 200ms, timeout: 150ms }
  failureThreshold: 2
  successThreshold: 1
services:
  web:
    names: [web.lab.test]
    pools:
      a:
        endpoints:
          - { name: a1, address: ${POOL_A}, check: { port: ${input.portA} } }
      b:
        endpoints:
          - { name: b1, address: ${POOL_B}, check: { port: ${input.portB} } }
    safety: ${options.safety ?? '{ failbackAfter: 1s, flapWindow: 0s }'}
    providers:
      - { provider: lab }
    notify:
      - { channel: hook }
    drill: ${options.objectives ?? '{ failoverWithin: 20s, failbackWithin: 30s, notifyWithin: 20s }'}
${options.extraServices?.({ a: input.portA, b: input.portB, closed: input.closedPort }) ?? ''}`;
}

export async function startDrillWorld(name: string, options: DrillWorldOptions = {}): Promise<DrillWorld> {
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    return await buildWorld(name, options, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

async function buildWorld(
  name: string,
  options: DrillWorldOptions,
  cleanups: Array<() => Promise<unknown>>,
): Promise<DrillWorld> {
  const prefix = randomPrefix(`drill-${name}`);
  const keys = redisKeys(prefix);
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
  const probeRedis = createRedisClient(SHARED_REDIS_URL);
  const servers: Server[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'qdns-drill-'));
  const workers: ProbeWorker[] = [];
  let evaluator: Evaluator | undefined;
  cleanups.push(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await deleteKeys(redis, prefix);
    await Promise.all([redis.quit(), probeRedis.quit()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const receiver = await startWebhookReceiver();
  cleanups.push(() => receiver.close());
  const dns = await startDnsServer({ redis, keyPrefix: prefix, zones: ['lab.test'], refreshIntervalMs: 200 });
  cleanups.push(() => dns.close());
  cleanups.push(async () => {
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 500, flushTimeoutMs: 1000 })));
    await evaluator?.close();
  });
  const portA = await tcpServer(servers);
  const portB = await tcpServer(servers);
  const closedServers: Server[] = [];
  const closedPort = await tcpServer(closedServers);
  await new Promise((resolve) => closedServers[0]?.close(resolve));
  const yaml = worldYaml({
    prefix,
    dnsPort: dns.port,
    hookUrl: `${receiver.url}/hook`,
    portA,
    portB,
    closedPort,
    options,
  });
  const configPath = join(dir, 'quorumdns.yaml');
  writeFileSync(configPath, yaml);
  const loaded = loadConfigFromString(yaml, configPath);
  if (!loaded.ok) throw new Error(`test config invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);
  const config = loaded.config;
  if (options.pipeline !== false) {
    evaluator = await Evaluator.start({
      config,
      redisUrl: SHARED_REDIS_URL,
      id: `drill-${name}`,
      registry: new Registry(),
      logger: memoryLogger(),
      apply: {
        sync: { retry: { baseDelayMs: 5, maxDelayMs: 50, syncPollInitialMs: 10, syncPollMaxMs: 50 } },
      },
      // The notify worker's owner poll (5 s by default) would hold each grouped message that long; these tests
      // measure the pipeline, not that wait.
      notify: { ownerPollMs: 250 },
    });
    for (const region of REGIONS) {
      const worker = await ProbeWorker.create({
        config,
        region,
        workerId: `probe-${region}`,
        redis: probeRedis,
        logger: memoryLogger(),
      });
      worker.start();
      workers.push(worker);
    }
  }
  const answer = async (queried = 'web.lab.test'): Promise<string[]> =>
    (await queryNameServer({ address: '127.0.0.1', port: dns.port, label: 'lab' }, queried, 'A')).values;
  if (evaluator !== undefined) {
    const states = new StateStore(redis, keys);
    await waitFor(async () => (await states.read('web'))?.generation === 1, {
      what: 'the first decision of web',
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await answer()).join() === POOL_A, {
      what: 'web.lab.test A to answer pool a',
      timeoutMs: 20_000,
    });
  }
  return {
    prefix,
    keys,
    redis,
    config,
    configPath,
    dir,
    dns,
    receiver,
    answer,
    async dispose() {
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

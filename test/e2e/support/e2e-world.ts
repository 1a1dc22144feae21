/**
 * The world of the end-to-end tests, everything real and on loopback, quorumdns in separate processes:
 *
 * - data centers: one HTTP server per pool, each on its own 127.0.x.y address (data-center.ts);
 * - the local Route 53 and Cloud DNS API servers (in this process), hosting zone `e2e.test` on both; every
 *   service is steered on both at once (provider `endpoint` overrides in the config);
 * - a webhook receiver (the generic webhook channel) for the notifications;
 * - three probe workers (`quorumdns probe --region r1|r2|r3`) and the evaluator (`quorumdns evaluate`, which
 *   runs the apply and notify workers too) as child processes, with dummy cloud credentials in their
 *   environment;
 * - fault proxies (fault-proxy.ts) in region r1's path to chosen data centers (`probe --via`);
 * - Redis: the shared one or a private redis-server, under a random key prefix.
 *
 * Every service has two pools, `a` (priority 1, value 192.0.2.10) and `b` (198.51.100.20), one endpoint each,
 * http checks every second with a 500 ms timeout, failureThreshold 3, successThreshold 2.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfigFromString } from '../../../src/config/load-config';
import { formatProblem } from '../../../src/config/problem';
import { parseAppliedHash } from '../../../src/providers/applied-store';
import { StateStore } from '../../../src/evaluator/state-store';
import type { ServiceRecord } from '../../../src/evaluator/service-record';
import { opinionField, redisKeys, type RedisKeyLayout } from '../../../src/redis/keys';
import { startWebhookReceiver, type WebhookReceiver } from '../../notify/support/webhook-receiver';
import { type CloudDnsTestServer, startCloudDnsServer } from '../../providers/clouddns-server';
import {
  type RecordedRequest,
  startRoute53Server,
  type Route53TestServer,
} from '../../providers/route53-server';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy';
import { deleteKeys, randomPrefix } from '../../support/redis-test-keys';
import { waitFor } from '../../support/wait-for';
import { type DataCenter, startDataCenter } from './data-center';
import { childEnv, type QuorumdnsProcess, spawnQuorumdns } from '../../support/quorumdns-process';

export const ZONE = 'e2e.test';
export const GCP_PROJECT = 'qdns-e2e';
export const GCP_ZONE = 'e2e-test';
export const REGIONS = ['r1', 'r2', 'r3'] as const;
export const VALUE_A = '192.0.2.10';
export const VALUE_B = '198.51.100.20';
/** Probe interval and failure threshold of every service: the failover bound is interval x threshold + 2 s. */
export const INTERVAL_MS = 1000;
export const FAILURE_THRESHOLD = 3;

export interface E2eServiceSpec {
  name: string;
  /** YAML flow mapping of the service's `safety`. */
  safety?: string;
  /** Pools whose data center probe region r1 reaches through a fault proxy (`--via`). */
  proxiedPools?: Array<'a' | 'b'>;
}

export interface E2eWorldOptions {
  name: string;
  services: E2eServiceSpec[];
  /** The shared Redis, or a private redis-server (a test that restarts Redis). */
  redisUrl: string;
  /** A number from 1 to 200 that keeps this world's loopback addresses apart from other worlds'. */
  subnet: number;
}

export interface E2eWorld {
  prefix: string;
  keys: RedisKeyLayout;
  redis: Redis;
  configPath: string;
  /** By `<service>-<pool>`. */
  dataCenters: Record<string, DataCenter>;
  /** By `<service>-<pool>`: the proxy in r1's path to that data center. */
  proxies: Record<string, FaultProxy>;
  route53: Route53TestServer;
  zoneId: string;
  clouddns: CloudDnsTestServer;
  receiver: WebhookReceiver;
  probes: QuorumdnsProcess[];
  evaluator(): QuorumdnsProcess;
  /** Starts a new evaluator (after the previous one was killed). */
  restartEvaluator(): Promise<QuorumdnsProcess>;
  dc(service: string, pool: 'a' | 'b'): DataCenter;
  /** The A values of `<service>.e2e.test` at the Route 53 server now (sorted). */
  route53Values(service: string): string[];
  /** The A values of `<service>.e2e.test.` at the Cloud DNS server now (sorted). */
  clouddnsValues(service: string): string[];
  /** Accepted Route 53 change batches that touched `<service>.e2e.test` A, at or after `since`. */
  route53Changes(service: string, since?: number): RecordedRequest[];
  /** Accepted Cloud DNS changes that touched `<service>.e2e.test.` A, at or after `since`. */
  clouddnsChanges(service: string, since?: number): Array<{ at: number; body: unknown }>;
  record(service: string): Promise<ServiceRecord | undefined>;
  /** Applied generation per target (`<provider>\t<zone>` -> generation). */
  appliedGenerations(service: string): Promise<Record<string, number | null>>;
  opinion(service: string, endpoint: string, region: string): Promise<string | undefined>;
  /** Notifications (webhook bodies) received for `service`, in arrival order, with their arrival time. */
  notifications(service: string): Array<{ at: number; body: WebhookNotification }>;
  dispose(): Promise<void>;
}

/** What this suite reads of a generic webhook body (src/notify/notification.ts). */
export interface WebhookNotification {
  kind: string;
  severity: string;
  service: string;
  title: string;
  generation: number;
  drill: boolean;
}

export function serviceName(service: string): string {
  return `${service}.${ZONE}`;
}

function worldYaml(input: {
  prefix: string;
  redisUrl: string;
  route53Endpoint: string;
  zoneId: string;
  clouddnsEndpoint: string;
  hookUrl: string;
  services: E2eServiceSpec[];
  dataCenters: Record<string, DataCenter>;
}): string {
  const services = input.services
    .map((service) => {
      const endpoint = (pool: 'a' | 'b', value: string): string => {
        const dc = input.dataCenters[`${service.name}-${pool}`] as DataCenter;
        return `          - { name: ${pool}1, address: ${value}, check: { host: ${dc.host}, port: ${dc.port} } }`;
      };
      return `  ${service.name}:
    names: [${serviceName(service.name)}]
    pools:
      a:
        endpoints:
${endpoint('a', VALUE_A)}
      b:
        endpoints:
${endpoint('b', VALUE_B)}
    safety: ${service.safety ?? '{ failbackAfter: 5m }'}
    providers:
      - { provider: r53, mode: rewrite }
      - { provider: gcp, mode: rewrite }
    notify:
      - { channel: hook }`;
    })
    .join('\n');
  return `deployment:
  id: e2e
  redis: { url: '${input.redisUrl}', keyPrefix: ${input.prefix} }
probeRegions: [${REGIONS.join(', ')}]
providers:
  r53: { type: route53, hostedZoneId: ${input.zoneId}, endpoint: '${input.route53Endpoint}', syncTimeout: 30s }
  gcp: { type: clouddns, project: ${GCP_PROJECT}, managedZone: ${GCP_ZONE}, endpoint: '${input.clouddnsEndpoint}', syncTimeout: 30s }
notifications:
  hook: { type: webhook, url: '${input.hookUrl}', timeout: 2s }
defaults:
  check: { type: http, path: /healthz, interval: ${INTERVAL_MS}ms, timeout: 500ms }
  failureThreshold: ${FAILURE_THRESHOLD}
  successThreshold: 2
services:
${services}
`;
}

export async function startE2eWorld(options: E2eWorldOptions): Promise<E2eWorld> {
  const prefix = randomPrefix(`e2e-${options.name}`);
  const keys = redisKeys(prefix);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'qdns-e2e-'));
  const states = new StateStore(redis, keys);
  const dataCenters: Record<string, DataCenter> = {};
  const proxies: Record<string, FaultProxy> = {};
  const probes: QuorumdnsProcess[] = [];
  let evaluator: QuorumdnsProcess | undefined;
  let evaluatorRuns = 0;

  const route53 = await startRoute53Server({ syncDelayMs: 100 });
  const zoneId = route53.createHostedZone(ZONE);
  const clouddns = await startCloudDnsServer({ syncDelayMs: 100 });
  clouddns.createManagedZone(GCP_PROJECT, GCP_ZONE, `${ZONE}.`);
  const receiver = await startWebhookReceiver();

  const everyProcess: QuorumdnsProcess[] = [];
  const disposeAll = async (): Promise<void> => {
    await Promise.all(everyProcess.map((p) => p.stop('SIGKILL')));
    // Debugging a failure: QDNS_E2E_LOGS=<dir> keeps every process's output there.
    const logDir = process.env.QDNS_E2E_LOGS;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const p of everyProcess) {
        const lines = [...p.logs.map((line) => JSON.stringify(line)), ...p.text];
        writeFileSync(join(logDir, `${options.name}-${p.name}.log`), `${lines.join('\n')}\n`);
      }
    }
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
    await Promise.all(Object.values(dataCenters).map((dc) => dc.close()));
    await Promise.all([route53.close(), clouddns.close(), receiver.close()]);
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  };

  const track = (p: QuorumdnsProcess): QuorumdnsProcess => {
    everyProcess.push(p);
    return p;
  };

  try {
    let host = 1;
    for (const service of options.services) {
      for (const pool of ['a', 'b'] as const) {
        const name = `${service.name}-${pool}`;
        dataCenters[name] = await startDataCenter(name, `127.0.${options.subnet}.${host}`);
        if (service.proxiedPools?.includes(pool)) {
          const dc = dataCenters[name] as DataCenter;
          proxies[name] = await startFaultProxy({
            target: { host: dc.host, port: dc.port },
            host: `127.0.${options.subnet + 1}.${host}`,
          });
        }
        host += 1;
      }
    }
    const yaml = worldYaml({
      prefix,
      redisUrl: options.redisUrl,
      route53Endpoint: route53.endpoint,
      zoneId,
      clouddnsEndpoint: clouddns.baseUrl,
      hookUrl: `${receiver.url}/hook`,
      services: options.services,
      dataCenters,
    });
    const configPath = join(dir, 'quorumdns.yaml');
    writeFileSync(configPath, yaml);
    const loaded = loadConfigFromString(yaml, configPath);
    if (!loaded.ok) throw new Error(`e2e config invalid:\n${loaded.problems.map(formatProblem).join('\n')}`);

    const env = childEnv();
    const startEvaluator = (): QuorumdnsProcess => {
      evaluatorRuns += 1;
      evaluator = track(
        spawnQuorumdns(
          `evaluator#${evaluatorRuns}`,
          // A killed evaluator's jobs are handed on after about the lock duration: short, for the crash test.
          [
            'evaluate',
            '--config',
            configPath,
            '--tick',
            '1s',
            '--lock-duration',
            '2s',
            '--id',
            `e2e-${evaluatorRuns}`,
          ],
          env,
        ),
      );
      return evaluator;
    };
    for (const region of REGIONS) {
      const via =
        region === 'r1'
          ? Object.entries(proxies).flatMap(([name, proxy]) => {
              const dc = dataCenters[name] as DataCenter;
              return ['--via', `${dc.host}:${dc.port}=${proxy.address}`];
            })
          : [];
      probes.push(
        track(
          spawnQuorumdns(
            `probe-${region}`,
            ['probe', '--region', region, '--config', configPath, '--worker-id', `e2e-${region}`, ...via],
            env,
          ),
        ),
      );
    }
    startEvaluator();

    const world: E2eWorld = {
      prefix,
      keys,
      redis,
      configPath,
      dataCenters,
      proxies,
      route53,
      zoneId,
      clouddns,
      receiver,
      probes,
      evaluator: () => evaluator as QuorumdnsProcess,
      async restartEvaluator() {
        const next = startEvaluator();
        await next.waitForLog((line) => line.msg === 'evaluator started', 'evaluator started');
        return next;
      },
      dc: (service, pool) => dataCenters[`${service}-${pool}`] as DataCenter,
      route53Values: (service) =>
        route53
          .recordSets(zoneId)
          .filter((set) => set.name === serviceName(service) && set.type === 'A')
          .flatMap((set) => set.values ?? [])
          .sort(),
      clouddnsValues: (service) =>
        clouddns
          .rrsets(GCP_PROJECT, GCP_ZONE)
          .filter((set) => set.name === `${serviceName(service)}.` && set.type === 'A')
          .flatMap((set) => set.rrdatas ?? [])
          .sort(),
      route53Changes: (service, since = 0) =>
        route53.requests.filter(
          (request) =>
            request.operation === 'ChangeResourceRecordSets' &&
            request.accepted === true &&
            request.at >= since &&
            (request.batch?.changes ?? []).some(
              (change) => change.recordSet.name === serviceName(service) && change.recordSet.type === 'A',
            ),
        ),
      clouddnsChanges: (service, since = 0) =>
        clouddns.requests
          .filter(
            (request) =>
              request.method === 'POST' &&
              request.path.endsWith('/changes') &&
              request.status === 200 &&
              request.at >= since &&
              touchesName(request.body, `${serviceName(service)}.`),
          )
          .map((request) => ({ at: request.at, body: request.body })),
      record: (service) => states.read(service),
      async appliedGenerations(service) {
        const key = keys.service(service).applied;
        const records = parseAppliedHash(key, await redis.hgetall(key));
        return Object.fromEntries([...records].map(([field, record]) => [field, record.generation]));
      },
      async opinion(service, endpoint, region) {
        return (
          (await redis.hget(keys.service(service).opinions, opinionField(endpoint, region))) ?? undefined
        );
      },
      notifications: (service) =>
        receiver.requests
          .map((request) => ({ at: request.at, body: JSON.parse(request.body) as WebhookNotification }))
          .filter((entry) => entry.body.service === service),
      dispose: disposeAll,
    };

    await waitUntilSteady(world, options.services);
    return world;
  } catch (error) {
    const tails = [...probes, ...(evaluator ? [evaluator] : [])].map((p) => p.tail()).join('\n');
    await disposeAll();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails}`);
  }
}

/** Whether a Cloud DNS change body adds or deletes an A rrset named `name`. */
function touchesName(body: unknown, name: string): boolean {
  type WireRrset = { name?: string; type?: string };
  const change = body as { additions?: WireRrset[]; deletions?: WireRrset[] };
  return [...(change.additions ?? []), ...(change.deletions ?? [])].some(
    (rrset) => rrset.name === name && rrset.type === 'A',
  );
}

/**
 * Every service decided, applied at both providers (pool a), and every region holding an `up` opinion of
 * every endpoint: the start line of every scenario.
 */
async function waitUntilSteady(world: E2eWorld, services: E2eServiceSpec[]): Promise<void> {
  for (const service of services) {
    await waitFor(
      () =>
        world.route53Values(service.name).join() === VALUE_A &&
        world.clouddnsValues(service.name).join() === VALUE_A,
      { what: `${service.name} answering pool a at both providers`, timeoutMs: 60_000, intervalMs: 100 },
    );
    for (const endpoint of ['a1', 'b1']) {
      for (const region of REGIONS) {
        await waitFor(async () => (await world.opinion(service.name, endpoint, region)) === 'up', {
          what: `${region} to say ${service.name}/${endpoint} is up`,
          timeoutMs: 30_000,
          intervalMs: 100,
        });
      }
    }
  }
}

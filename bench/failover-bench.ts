/**
 * Failover-time benchmark: `npm run bench:failover` (add `-- --write-docs` to update docs/benchmarks.md).
 *
 * 20 injected outages of one data center, probe interval 2 s, failureThreshold 3: the floor is 6 s (the
 * third failed check of a region is at most 2 intervals after the first, which comes at most one interval
 * after the outage). Measured from the moment the data center starts answering 503, per outage:
 *  - quorum        a majority of the probe regions (2 of 3) holds a `down` opinion (Redis, polled every 20 ms);
 *  - decided       the new decision generation's `decidedAt` (written by the evaluator, Redis clock);
 *  - submitted     the DNS change arrives at the local Route 53 server (its request log);
 *  - answered      the answer of the local authoritative DNS server (`local` provider + `quorumdns dns-server`
 *                  code, polled every 20 ms with a fresh resolver) changed to the other pool.
 * The pipeline runs IN PROCESS (three `ProbeWorker`s with the real http checks, the `Evaluator` with its apply
 * worker) but through the real path: observations recorded in Redis by the probe script, flip jobs and apply
 * jobs through BullMQ, the real Route 53 adapter over HTTP, the local zone in Redis. Redis is a private
 * redis-server on loopback. Outages are injected at a random (seeded) phase of the probe interval; after each,
 * the data center comes back and the service fails back (failbackAfter 1 s, no flap damping) before the next.
 */
import { writeBenchmarksSection } from './benchmarks-doc';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfigFromString } from '../src/config/load-config';
import { formatProblem } from '../src/config/problem';
import { startDnsServer } from '../src/dns-server/dns-server';
import { Evaluator } from '../src/evaluator/evaluator';
import { StateStore } from '../src/evaluator/state-store';
import { memoryLogger } from '../src/probe/logger';
import { ProbeWorker } from '../src/probe/worker';
import { createRedisClient } from '../src/redis/connect';
import { opinionField, redisKeys } from '../src/redis/keys';
import { startDataCenter } from '../test/e2e/support/data-center';
import { startRoute53Server } from '../test/providers/route53-server';
import { startPrivateRedis } from '../test/support/redis-server';
import { seededRandom } from '../test/support/seeded-random';

const args = process.argv.slice(2);
const WRITE_DOCS = args.includes('--write-docs');
function numberArg(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}
const OUTAGES = numberArg('outages', 20);
const INTERVAL_MS = numberArg('interval', 2000);
const THRESHOLD = 3;
const FLOOR_MS = INTERVAL_MS * THRESHOLD;
const GOAL_MS = FLOOR_MS + 1000;
const POLL_MS = 20;
const REGIONS = ['r1', 'r2', 'r3'];
const VALUE_A = '192.0.2.10';
const VALUE_B = '198.51.100.20';
const NAME = 'bench.lab.test';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function progress(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Polls `condition` every POLL_MS until it holds; returns Date.now() at that poll. */
async function when(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return Date.now();
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

interface OutageTimes {
  quorum: number;
  decided: number;
  submitted: number;
  answered: number;
}

async function main(): Promise<void> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const loadBefore = loadavg()[0] ?? 0;
  const startedAt = Date.now();
  const random = seededRandom(42);
  const privateRedis = await startPrivateRedis();
  const prefix = 'qdns-bench-failover';
  const keys = redisKeys(prefix);
  const redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
  const probeRedis = createRedisClient(privateRedis.url);
  const dir = mkdtempSync(join(tmpdir(), 'qdns-bench-failover-'));
  const route53 = await startRoute53Server();
  const zoneId = route53.createHostedZone('lab.test');
  const dcA = await startDataCenter('dc-a', '127.0.60.1');
  const dcB = await startDataCenter('dc-b', '127.0.60.2');
  const dns = await startDnsServer({
    redis,
    keyPrefix: prefix,
    zones: ['lab.test'],
    refreshIntervalMs: 1000,
  });
  const workers: ProbeWorker[] = [];
  let evaluator: Evaluator | undefined;
  try {
    const yaml = `deployment:
  id: bench-failover
  redis: { url: '${privateRedis.url}', keyPrefix: ${prefix} }
probeRegions: [${REGIONS.join(', ')}]
providers:
  r53: { type: route53, hostedZoneId: ${zoneId}, endpoint: '${route53.endpoint}' }
  lab: { type: local, zone: lab.test }
defaults:
  check: { type: http, path: /healthz, interval: ${INTERVAL_MS}ms, timeout: 1s }
  failureThreshold: ${THRESHOLD}
  successThreshold: 2
services:
  bench:
    names: [${NAME}]
    pools:
      a:
        endpoints:
          - { name: a1, address: ${VALUE_A}, check: { host: ${dcA.host}, port: ${dcA.port} } }
      b:
        endpoints:
          - { name: b1, address: ${VALUE_B}, check: { host: ${dcB.host}, port: ${dcB.port} } }
    safety: { failbackAfter: 1s, flapWindow: 0s }
    providers:
      - { provider: r53, mode: rewrite }
      - { provider: lab, mode: rewrite }
`;
    const configPath = join(dir, 'quorumdns.yaml');
    writeFileSync(configPath, yaml);
    const loaded = loadConfigFromString(yaml, configPath);
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const config = loaded.config;

    evaluator = await Evaluator.start({
      config,
      redisUrl: privateRedis.url,
      id: 'bench-failover',
      registry: new Registry(),
      logger: memoryLogger(),
      apply: {
        env: {
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    });
    for (const region of REGIONS) {
      const worker = await ProbeWorker.create({
        config,
        region,
        workerId: `bench-${region}`,
        redis: probeRedis,
        logger: memoryLogger(),
      });
      worker.start();
      workers.push(worker);
    }

    const states = new StateStore(redis, keys);
    const serviceKeys = keys.service('bench');
    const answer = async (): Promise<string> => {
      // A fresh resolver per query: c-ares may cache answers per channel.
      const resolver = new Resolver({ timeout: 500, tries: 1 });
      resolver.setServers([`${dns.host}:${dns.port}`]);
      try {
        return (await resolver.resolve4(NAME)).sort().join();
      } catch {
        return '';
      } finally {
        resolver.cancel();
      }
    };
    const route53Value = (): string =>
      route53
        .recordSets(zoneId)
        .filter((set) => set.name === NAME && set.type === 'A')
        .flatMap((set) => set.values ?? [])
        .join();
    const downRegions = async (): Promise<number> => {
      const opinions = await redis.hmget(serviceKeys.opinions, ...REGIONS.map((r) => opinionField('a1', r)));
      return opinions.filter((opinion) => opinion === 'down').length;
    };
    const steady = async (): Promise<void> => {
      await when(async () => (await answer()) === VALUE_A && route53Value() === VALUE_A, 'pool a served');
      await when(async () => {
        const opinions = await redis.hgetall(serviceKeys.opinions);
        return REGIONS.every(
          (r) => opinions[opinionField('a1', r)] === 'up' && opinions[opinionField('b1', r)] === 'up',
        );
      }, 'every region to say up');
    };

    progress(
      `pipeline up; ${OUTAGES} outages at interval ${INTERVAL_MS} ms, threshold ${THRESHOLD} (floor ${FLOOR_MS} ms)`,
    );
    const results: OutageTimes[] = [];
    for (let index = 0; index < OUTAGES; index += 1) {
      await steady();
      const generation = (await states.read('bench'))?.generation ?? 0;
      await sleep(random() * INTERVAL_MS);
      const outageAt = dcA.set('down');
      const submittedChange = () =>
        route53.requests.find(
          (request) =>
            request.operation === 'ChangeResourceRecordSets' &&
            request.accepted === true &&
            request.at >= outageAt &&
            (request.batch?.changes ?? []).some((change) =>
              (change.recordSet.values ?? []).includes(VALUE_B),
            ),
        );
      // All watched at once, each polled every 20 ms (the two providers are applied by separate jobs).
      const [quorumAt, answeredAt] = await Promise.all([
        when(async () => (await downRegions()) >= 2, 'a majority to say down'),
        when(async () => (await answer()) === VALUE_B, 'the DNS answer to change'),
        when(() => submittedChange() !== undefined, 'the Route 53 change'),
      ]);
      const record = await states.read('bench');
      const submitted = submittedChange();
      if (record === undefined || record.generation <= generation || submitted === undefined) {
        throw new Error(`outage ${index + 1}: no new generation after the outage`);
      }
      const times: OutageTimes = {
        quorum: quorumAt - outageAt,
        decided: record.decidedAt - outageAt,
        submitted: submitted.at - outageAt,
        answered: answeredAt - outageAt,
      };
      results.push(times);
      progress(
        `outage ${index + 1}/${OUTAGES}: quorum ${times.quorum} ms, decided ${times.decided} ms, ` +
          `Route 53 change ${times.submitted} ms, DNS answer ${times.answered} ms`,
      );
      dcA.set('up');
    }
    await steady();

    const column = (key: keyof OutageTimes): number[] => results.map((r) => r[key]);
    const fmt = (value: number, digits = 0) =>
      value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const row = (label: string, values: number[]): string => {
      const p50 = percentile(values, 50);
      const p95 = percentile(values, 95);
      const max = percentile(values, 100);
      return `| ${label} | ${fmt(p50)} / ${fmt(p95)} / ${fmt(max)} | ${fmt(p50 / FLOOR_MS, 2)} / ${fmt(p95 / FLOOR_MS, 2)} / ${fmt(max / FLOOR_MS, 2)} |`;
    };
    const overhead = results.map((r) => r.answered - r.quorum);
    const submittedOk = percentile(column('submitted'), 95) <= GOAL_MS;
    const answeredOk = percentile(column('answered'), 95) <= GOAL_MS;
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const report = `<!-- failover-bench:start -->

## Failover time (\`npm run bench:failover\`)

- **Date:** ${new Date().toISOString().slice(0, 10)}
- **Machine:** ${cpu}, ${cpus().length} vCPU, Node ${process.version}, ${process.platform}; 1-minute load average ${fmt(loadBefore, 1)} before the run, ${fmt(loadavg()[0] ?? 0, 1)} after; ${fmt((Date.now() - startedAt) / 1000)} s in all
- **Command:** \`npm run bench:failover${WRITE_DOCS ? ' -- --write-docs' : ''}\` (${OUTAGES} outages, probe interval ${INTERVAL_MS / 1000} s, failureThreshold ${THRESHOLD}: floor ${FLOOR_MS / 1000} s)
- **Setup:** in process, through the real queue and Redis path: three probe workers (\`ProbeWorker\`, real http checks every ${INTERVAL_MS / 1000} s against two local HTTP "data centers", the recording script), the \`Evaluator\` (1 s tick, flip jobs, its apply worker) on a private redis-server; the service steers the local Route 53 server (real adapter and AWS SDK over HTTP) and a \`local\` zone served by quorumdns's authoritative DNS server. Each outage (the data center answers 503) starts at a random phase of the probe interval (seeded); the data center then recovers and the service fails back (failbackAfter 1 s, no flap damping) before the next one.

| from the outage to … (${OUTAGES} outages) | p50 / p95 / max, ms | ÷ floor (${FLOOR_MS / 1000} s): p50 / p95 / max |
| --- | --- | --- |
${row('a majority of regions holds a down opinion (quorum; Redis polled every 20 ms)', column('quorum'))}
${row('new decision generation (`decidedAt`)', column('decided'))}
${row('DNS change submitted (Route 53 server request log)', column('submitted'))}
${row('answer changed at the local name server (polled every 20 ms)', column('answered'))}

The pipeline after detection (answer changed − quorum), p50 / p95 / max: ${fmt(percentile(overhead, 50))} / ${fmt(percentile(overhead, 95))} / ${fmt(percentile(overhead, 100))} ms.

Goals: change submitted p95 ≤ floor + 1 s ${submittedOk ? '✅' : '❌'}; answer changed p95 ≤ floor + 1 s ${answeredOk ? '✅' : '❌'}.
<!-- failover-bench:end -->`;
    console.log(`\n${report}\n`);
    if (WRITE_DOCS) await writeBenchmarksSection('failover-bench', report);
    if (!submittedOk || !answeredOk) process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 1000, flushTimeoutMs: 1000 })));
    await evaluator?.close();
    await dns.close();
    await Promise.all([dcA.close(), dcB.close(), route53.close()]);
    await Promise.all([redis.quit().catch(() => undefined), probeRedis.quit().catch(() => undefined)]);
    await privateRedis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

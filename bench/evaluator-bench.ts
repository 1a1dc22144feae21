/**
 * Evaluator benchmark: `npm run bench:evaluator` (add `-- --write-docs` to update docs/benchmarks.md).
 *
 * 1,000 services x 10 endpoints (two pools of five) x 5 probe regions = 50,000 opinions in Redis, one
 * in-process evaluator (`Evaluator`, the same class `quorumdns evaluate` runs) with the default 1 s tick
 * and concurrency 16 (the default). Measured, in one run:
 *  1. steady  full evaluation passes from the tick schedulers: pass time (tick slot -> last of the 1,000
 *             evaluations done), CPU of the process per second and per pass, evaluations/s;
 *  2. flips   200 decisive opinion flips written as a probe writes them (HSET of the opinion + the
 *             deduplicated evaluate job), each timed until the new generation is written (the commit's
 *             XADD, awaited with XREAD BLOCK), while the ticks keep running;
 *  3. base    a plain Redis round trip (PING) and a single HSET, awaited one at a time, in the same run;
 *  4. memory  peak RSS of the process (populating Redis included).
 * Redis is a private redis-server on a free port (the shared one is left alone); loopback only.
 *
 * `--cpu-profile <file>` writes a V8 CPU profile (.cpuprofile, open in Chrome DevTools) of the steady window
 * only: `node --cpu-prof` would mix in populating, warm-up, the passes and the flips.
 */
import { writeBenchmarksSection } from './benchmarks-doc';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config, Service } from '../src/config/types';
import { Evaluator } from '../src/evaluator/evaluator';
import {
  EVALUATE_JOB_NAME,
  type EvaluateJobData,
  evaluateJobOptions,
  QueueName,
} from '../src/evaluator/queues';
import { redisTimeMs } from '../src/evaluator/redis-time';
import { memoryLogger } from '../src/probe/logger';
import { opinionField, redisKeys } from '../src/redis/keys';
import { type PrivateRedis, startPrivateRedis } from '../test/support/redis-server';

const args = process.argv.slice(2);
function stringArg(name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}
function numberArg(name: string, fallback: number): number {
  const value = stringArg(name);
  return value !== undefined ? Number(value) : fallback;
}
const SERVICES = numberArg('services', 1000);
const ENDPOINTS_PER_POOL = 5;
const REGIONS = ['r1', 'r2', 'r3', 'r4', 'r5'];
const STEADY_S = numberArg('seconds', 10);
const FLIPS = numberArg('flips', 200);
const PASSES = numberArg('passes', 5);
const CONCURRENCY = numberArg('concurrency', 16);
const WRITE_DOCS = args.includes('--write-docs');
const CPU_PROFILE = stringArg('cpu-profile');
const PREFIX = 'qdns-bench-evaluator';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const serviceName = (i: number) => `svc${String(i).padStart(4, '0')}`;
const endpointIds = (pool: string) => Array.from({ length: ENDPOINTS_PER_POOL }, (_, i) => `${pool}${i + 1}`);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function buildService(name: string): Service {
  const check = { type: 'tcp' as const, host: '127.0.0.1', port: 9, interval: 1000, timeout: 500 };
  const pool = (poolName: string, priority: number) => ({
    name: poolName,
    priority,
    weight: 1,
    minHealthy: { kind: 'count' as const, count: 1 },
    endpoints: endpointIds(poolName).map((id, i) => ({
      id,
      pool: poolName,
      target: { kind: 'address' as const, address: `192.0.2.${priority * 10 + i}` },
      check,
    })),
  });
  return {
    name,
    dnsNames: [`${name}.example.com`],
    recordType: 'A',
    ttl: 30,
    policy: 'failover',
    probeRegions: REGIONS,
    quorum: 'majority',
    failureThreshold: 3,
    successThreshold: 2,
    staleAfter: 10_000,
    pools: [pool('a', 1), pool('b', 2)],
    safety: { failback: 'auto', failbackAfter: 300_000, flapWindow: 1_800_000, maxFailbackAfter: 3_600_000 },
    providers: [{ provider: 'r53', zone: 'Z123', mode: 'rewrite' }],
    notify: [{ channel: 'ops', minSeverity: 'warning', quietPeriod: 0, maxReminders: 3 }],
    drill: {},
    drills: [],
  };
}

function buildConfig(): Config {
  const services = Object.fromEntries(
    Array.from({ length: SERVICES }, (_, i) => [serviceName(i), buildService(serviceName(i))]),
  );
  return {
    deployment: { id: 'bench', redis: { keyPrefix: PREFIX } },
    probeRegions: REGIONS,
    providers: {
      r53: {
        name: 'r53',
        type: 'route53',
        hostedZoneId: 'Z123',
        ownerRecords: true,
        limits: {},
        syncTimeout: 120_000,
        maxDeletes: 10,
      },
    },
    notifications: { ops: { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/', timeout: 10_000 } },
    services,
    sources: ['<bench>'],
    hash: 'bench',
  };
}

async function main(): Promise<void> {
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  const privateRedis: PrivateRedis = await startPrivateRedis();
  const redis = new Redis(privateRedis.url, { maxRetriesPerRequest: null });
  const keys = redisKeys(PREFIX);
  const config = buildConfig();
  let evaluator: Evaluator | undefined;
  const beat = setInterval(() => void heartbeats().catch(() => undefined), 1000);
  async function heartbeats(): Promise<void> {
    const time = await redisTimeMs(redis);
    const fields = REGIONS.flatMap((region) => [
      region,
      JSON.stringify({ workerId: `w-${region}`, region, version: 'bench', configHash: 'bench', time }),
    ]);
    await redis.hset(keys.heartbeats, ...fields);
  }
  try {
    // --- populate: 50,000 opinions, all up ---
    const populateStart = performance.now();
    for (let start = 0; start < SERVICES; start += 100) {
      const pipeline = redis.pipeline();
      for (let i = start; i < Math.min(SERVICES, start + 100); i += 1) {
        const fields: string[] = [];
        for (const id of [...endpointIds('a'), ...endpointIds('b')]) {
          for (const region of REGIONS) fields.push(opinionField(id, region), 'up');
        }
        pipeline.hset(keys.service(serviceName(i)).opinions, ...fields);
      }
      await pipeline.exec();
    }
    await heartbeats();
    const populateMs = performance.now() - populateStart;
    if (args.includes('--verbose'))
      console.log('after populate', process.memoryUsage().rss >> 20, process.resourceUsage().maxRSS >> 10);

    // --- the evaluator, ticking every second ---
    const tickLags: number[] = [];
    const outcomes = new Map<string, number>();
    let manualDone = 0;
    let recording = false;
    evaluator = await Evaluator.start({
      config,
      redisUrl: privateRedis.url,
      id: 'bench',
      tickMs: 1000,
      concurrency: CONCURRENCY,
      logger: memoryLogger(),
      onEvaluated: (result, job) => {
        outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
        if (job.reason === 'manual') manualDone += 1;
        // How long after its tick was due each service's evaluation was done: under 1 s = every service is
        // evaluated every second.
        if (recording && job.reason === 'tick') tickLags.push(Date.now() - job.dueAt);
      },
    });
    const started = evaluator;
    // Warm-up: every service decided once (generation 1), then a few ordinary passes.
    const warmupStart = performance.now();
    while (started.getStats().evaluations < SERVICES) await sleep(50);
    const firstPassMs = performance.now() - warmupStart;
    await sleep(3000);
    const verbose = args.includes('--verbose');
    const mem = (label: string) => {
      if (verbose) {
        const usage = process.memoryUsage();
        console.log(label, {
          rss: usage.rss >> 20,
          heapUsed: usage.heapUsed >> 20,
          heapTotal: usage.heapTotal >> 20,
          external: usage.external >> 20,
          maxRss: process.resourceUsage().maxRSS >> 10,
        });
      }
    };
    mem('after warm-up');

    // --- 1. steady state ---
    const profiler = CPU_PROFILE === undefined ? undefined : await startCpuProfile();
    recording = true;
    const redisCpuStart = await redisCpuSeconds(redis);
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const evaluationsStart = started.getStats().evaluations;
    await sleep(STEADY_S * 1000);
    const cpu = process.cpuUsage(cpuStart);
    const wallS = (performance.now() - wallStart) / 1000;
    const redisCpuPercent = (((await redisCpuSeconds(redis)) - redisCpuStart) / wallS) * 100;
    const evaluationsPerS = (started.getStats().evaluations - evaluationsStart) / wallS;
    recording = false;
    if (profiler !== undefined && CPU_PROFILE !== undefined) await profiler.stop(CPU_PROFILE);
    mem('after steady');
    if (verbose) console.log('outcomes', outcomes);
    const cpuPercent = ((cpu.user + cpu.system) / 1e6 / wallS) * 100;
    const cpuPerPassMs = ((cpu.user + cpu.system) / 1000 / (evaluationsPerS * wallS)) * SERVICES;

    // --- 2. full passes on demand: every service asked at the same instant (ticks keep running) ---
    const flipQueue = new Queue<EvaluateJobData>(QueueName.evaluate, {
      connection: redis,
      prefix: keys.queuePrefix,
    });
    const passMs: number[] = [];
    const passCpuMs: number[] = [];
    for (let pass = 0; pass < PASSES; pass += 1) {
      const target = manualDone + SERVICES;
      const passCpu = process.cpuUsage();
      const passStart = performance.now();
      await flipQueue.addBulk(
        Array.from({ length: SERVICES }, (_, i) => ({
          name: EVALUATE_JOB_NAME,
          data: {
            service: serviceName(i),
            reason: 'manual' as const,
            requestedAt: Date.now(),
            requestedBy: 'bench',
          },
          opts: evaluateJobOptions(serviceName(i)),
        })),
      );
      while (manualDone < target) await sleep(2);
      passMs.push(performance.now() - passStart);
      const used = process.cpuUsage(passCpu);
      passCpuMs.push((used.user + used.system) / 1000);
      await sleep(500);
    }

    // --- 3. flip -> generation latency ---
    const reader = redis.duplicate();
    const flipped = Array.from({ length: FLIPS }, (_, i) => serviceName(i));
    // Prepare: pool a down in r1 and r2, and in r3 for all but a5. Not yet a quorum on a5: no decision change.
    const prep = redis.pipeline();
    for (const service of flipped) {
      const fields: string[] = [];
      for (const id of endpointIds('a')) {
        for (const region of ['r1', 'r2']) fields.push(opinionField(id, region), 'down');
        if (id !== 'a5') fields.push(opinionField(id, 'r3'), 'down');
      }
      prep.hset(keys.service(service).opinions, ...fields);
    }
    await prep.exec();
    const prepAt = await redisTimeMs(redis);
    // Let a tick absorb the preparation (endpoint verdict events), so each flip below is the decisive one.
    for (;;) {
      const evaluated = await Promise.all(
        flipped.map((service) => redis.hget(keys.service(service).state, 'evaluatedAt')),
      );
      if (evaluated.every((at) => Number(at) > prepAt + 50)) break;
      await sleep(100);
    }
    const latencies: number[] = [];
    const observed: number[] = [];
    let wrongGeneration = 0;
    for (const service of flipped) {
      const serviceKeys = keys.service(service);
      const newest = (await redis.xrevrange(serviceKeys.events, '+', '-', 'COUNT', 1))[0];
      const waiting = reader.xread('BLOCK', 5000, 'STREAMS', serviceKeys.events, newest?.[0] ?? '0-0');
      const t0 = performance.now();
      // What a probe worker does on the decisive failed check: its opinion flips (written together with the
      // Redis clock reading, so both ends of the measure are on the Redis clock), then it asks for an evaluation.
      const written = await redis
        .multi()
        .time()
        .hset(serviceKeys.opinions, opinionField('a5', 'r3'), 'down')
        .exec();
      const [seconds, micros] = (written?.[0]?.[1] ?? [0, 0]) as [string, string];
      const flippedAt = Number(seconds) * 1000 + Number(micros) / 1000;
      await flipQueue.add(
        EVALUATE_JOB_NAME,
        { service, reason: 'flip', requestedAt: Date.now(), requestedBy: 'probe:r3:bench' },
        evaluateJobOptions(service),
      );
      const answer = (await waiting) as Array<[string, Array<[string, string[]]>]> | null;
      observed.push(performance.now() - t0);
      // The commit's XADD ids carry the Redis time of the commit script (ms).
      const commitId = answer?.[0]?.[1]?.[0]?.[0];
      if (commitId !== undefined) latencies.push(Math.max(0, Number(commitId.split('-')[0]) - flippedAt));
      if (answer === null || (await redis.hget(serviceKeys.state, 'generation')) !== '2')
        wrongGeneration += 1;
      await sleep(10 + Math.random() * 40);
    }
    reader.disconnect();
    await flipQueue.close();

    // --- 4. baseline round trips ---
    const ping: number[] = [];
    const hset: number[] = [];
    for (let i = 0; i < FLIPS; i += 1) {
      let t = performance.now();
      await redis.ping();
      ping.push(performance.now() - t);
      t = performance.now();
      await redis.hset(`${PREFIX}:baseline`, 'f', String(i));
      hset.push(performance.now() - t);
    }

    // --- 5. memory ---
    const peakRssMb = (process.resourceUsage().maxRSS * 1024) / 1024 / 1024;
    const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';

    const fmt = (value: number, digits = 0) =>
      value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const goals: Array<[string, boolean]> = [
      ['full pass ≤ 1 s', percentile(passMs, 100) <= 1000 && percentile(tickLags, 99) <= 1000],
      ['≤ 50% of one core', cpuPercent <= 50],
      ['flip-to-decision p99 ≤ 50 ms', percentile(latencies, 99) <= 50],
      ['RSS < 250 MB', peakRssMb < 250],
    ];
    const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
    const report = `<!-- evaluator-bench:start -->
## Evaluator (\`npm run bench:evaluator\`)

- **Machine:** ${cpus().length} vCPU ${cpuModel}, Node ${process.version}, Redis ${redisVersion} (private redis-server on loopback)
- **Date:** ${new Date().toISOString().slice(0, 10)}
- **Command:** \`npm run bench:evaluator${WRITE_DOCS ? ' -- --write-docs' : ''}\` (${fmt(SERVICES)} services × ${ENDPOINTS_PER_POOL * 2} endpoints × ${REGIONS.length} regions = ${fmt(SERVICES * ENDPOINTS_PER_POOL * 2 * REGIONS.length)} opinions; one evaluator, 1 s tick, concurrency ${CONCURRENCY}; ${STEADY_S} s measured; ${FLIPS} flips)

| measure | value | goal |
|---|---|---|
| full pass: all ${fmt(SERVICES)} services asked at once → all evaluated, p50 / max of ${PASSES} (ticks running) | ${fmt(percentile(passMs, 50))} / ${fmt(percentile(passMs, 100))} ms | ≤ 1,000 ms |
| CPU during such a pass (its evaluations plus the ticks meanwhile), p50 | ${fmt(percentile(passCpuMs, 50))} ms | |
| CPU of the evaluator process at a 1 s tick (steady) | ${fmt(cpuPercent, 1)} % of one core | ≤ 50 % |
| CPU per ${fmt(SERVICES)} evaluations (steady) | ${fmt(cpuPerPassMs)} ms | |
| CPU of Redis meanwhile (the private redis-server: the evaluator's commands and scripts, BullMQ's, the heartbeats) | ${fmt(redisCpuPercent, 1)} % of one core | |
| evaluations/s (steady) | ${fmt(evaluationsPerS)} | |
| tick due → evaluation done, p50 / p99 / max | ${fmt(percentile(tickLags, 50))} / ${fmt(percentile(tickLags, 99))} / ${fmt(percentile(tickLags, 100))} ms | |
| first pass (every service's first decision, generation 1, committed) | ${fmt(firstPassMs)} ms | |
| flip written → new generation written (both on the Redis clock), p50 / p99 (${FLIPS} flips, ticks running) | ${fmt(percentile(latencies, 50), 1)} / ${fmt(percentile(latencies, 99), 1)} ms | p99 ≤ 50 ms |
| the same as seen by a reader in the benchmark process (which shares its event loop with the evaluator), p50 / p99 | ${fmt(percentile(observed, 50), 1)} / ${fmt(percentile(observed, 99), 1)} ms | |
| flips that did not end at generation 2 | ${wrongGeneration} | 0 |
| baseline: one PING round trip, p50 / p99 | ${fmt(percentile(ping, 50), 2)} / ${fmt(percentile(ping, 99), 2)} ms | |
| baseline: one HSET round trip, p50 / p99 | ${fmt(percentile(hset, 50), 2)} / ${fmt(percentile(hset, 99), 2)} ms | |
| peak RSS of the process | ${fmt(peakRssMb)} MB | < 250 MB |
| RSS before populating (node and the modules loaded; the benchmark runs tsc-compiled: under tsx its loader would add about 40 MB) | ${fmt(startRssMb)} MB | |
| populating ${fmt(SERVICES * ENDPOINTS_PER_POOL * 2 * REGIONS.length)} opinions (pipelined HSET) | ${fmt(populateMs)} ms | |

Goals: ${goals.map(([name, ok]) => `${name} ${ok ? '✅' : '❌'}`).join('; ')}.
<!-- evaluator-bench:end -->`;
    console.log(`\n${report}\n`);
    if (WRITE_DOCS) {
      await writeBenchmarksSection('evaluator-bench', report);
    }
    if (goals.some(([, ok]) => !ok) || wrongGeneration > 0) process.exitCode = 1;
  } finally {
    clearInterval(beat);
    await evaluator?.close();
    await redis.quit().catch(() => undefined);
    await privateRedis.dispose();
  }
}

/** CPU time the Redis server has used so far (user + system), from INFO. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Profiles this process (the evaluator runs in it) until `stop`, which writes the .cpuprofile JSON. */
async function startCpuProfile(): Promise<{ stop: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      console.log(`CPU profile of the steady window written to ${file}`);
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Probe worker benchmark: `npm run bench:probe` (add `-- --write-docs` to update docs/benchmarks.md).
 *
 * Loopback only, bounded in time (about two minutes with the defaults):
 *  1. steady   one worker, 10,000 http endpoints at a 5 s interval (2,000 checks/s offered) against local
 *              servers in another process, fresh connection per check: checks/s, slip p50/p99, CPU, RSS.
 *  2. ceiling  autocannon with `Connection: close` against the same servers (wrk when installed).
 *  3. capacity the same worker offered 10,000 checks/s: the most checks/s it sustains; ratio to the ceiling.
 *  4. record   the recording path alone: observations/s through the Lua script, pipelined, against plain
 *              pipelined HSETs in the same run.
 * Redis is a private redis-server on a free port (the shared one is left alone).
 */
import { writeBenchmarksSection } from './benchmarks-doc';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../src/config/types';
import type { CheckRunner } from '../src/probe/check-runner';
import { runCheck } from '../src/probe/checks/run-check';
import type { Logger } from '../src/probe/logger';
import { SlipWindow } from '../src/probe/slip-window';
import { ObservationRecorder, type PendingObservation } from '../src/probe/recorder';
import { ProbeWorker, type WorkerStats } from '../src/probe/worker';
import { createRedisClient, whenReady } from '../src/redis/connect';
import { opinionField, redisKeys } from '../src/redis/keys';
import { buildConfig, endpoint, httpCheck, service } from '../test/support/config-builder';
import { type PrivateRedis, startPrivateRedis } from '../test/support/redis-server';

interface Listener {
  host: string;
  port: number;
}

const args = process.argv.slice(2);
function numberArg(name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}
const ENDPOINTS = numberArg('endpoints', 10_000);
const INTERVAL = numberArg('interval', 5000);
const WARMUP_S = numberArg('warmup', 10);
const MEASURE_S = numberArg('seconds', 30);
const CEILING_S = numberArg('ceiling-seconds', 10);
const CAPACITY_S = numberArg('capacity-seconds', 15);
const RECORD_N = numberArg('observations', 200_000);
const WRITE_DOCS = args.includes('--write-docs');
/** `--only steady,capacity` runs just those phases (exploration); the report needs all four. */
const ONLY = (() => {
  const at = args.indexOf('--only');
  return at >= 0 ? new Set((args[at + 1] ?? '').split(',')) : undefined;
})();
const CAPACITY_INTERVAL = numberArg('capacity-interval', 1000);
const CONCURRENCY = numberArg('concurrency', 512);
/**
 * In flight during the capacity phase. On loopback a check takes a few ms, so 64 in flight saturate the
 * servers; 512 only queue connections at them and lower throughput (checks wait for the server, not the worker).
 */
const CAPACITY_CONCURRENCY = numberArg('capacity-concurrency', 64);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServers(): Promise<{ child: ChildProcess; listeners: Listener[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'probe-bench-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { child, listeners: (JSON.parse(line) as { listeners: Listener[] }).listeners };
}

function benchConfig(listeners: Listener[], redisUrl: string, keyPrefix: string, interval: number): Config {
  const perService = 100;
  const services = [];
  for (let s = 0; s < ENDPOINTS / perService; s += 1) {
    const endpoints = [];
    for (let e = 0; e < perService; e += 1) {
      const n = s * perService + e;
      const target = listeners[n % listeners.length]!;
      endpoints.push(
        endpoint(
          `e${n}`,
          httpCheck({ host: target.host, port: target.port, interval, timeout: 2000, path: '/healthz' }),
        ),
      );
    }
    services.push(service(`svc${s}`, { probeRegions: ['bench'], pools: { main: endpoints } }));
  }
  return buildConfig({ keyPrefix, redisUrl, probeRegions: ['bench'], services });
}

function percentOfOneCore(usage: NodeJS.CpuUsage, wallMs: number): number {
  return ((usage.user + usage.system) / 1000 / wallMs) * 100;
}

interface RunFigures {
  /** Duration of each check as the check measured it (connect to verdict). */
  checkLatency: { p50: number; p99: number; max: number; samples: number };
  checksPerSecond: number;
  slip: WorkerStats['scheduler']['slip'];
  cpuPercent: number;
  peakRssMb: number;
  missedSlots: number;
  failures: Record<string, number>;
  recordedPerSecond: number;
  buffered: number;
  dropped: number;
}

/** Runs the worker over `config`: warm-up, then a measured window. */
async function runWorker(
  config: Config,
  warmupS: number,
  measureS: number,
  concurrency = CONCURRENCY,
): Promise<RunFigures> {
  // Counts instead of keeping log entries: the figures are about the worker's memory, not a test logger's.
  let logLines = 0;
  const logger: Logger = { log: () => void (logLines += 1) };
  const latencies = new SlipWindow(500_000);
  const timedCheck: CheckRunner = async (check, options) => {
    const result = await runCheck(check, options);
    latencies.add(result.latencyMs);
    return result;
  };
  const worker = await ProbeWorker.create({
    concurrency,
    runCheck: timedCheck,
    config,
    region: 'bench',
    workerId: 'bench',
    logger,
    slipWindow: 500_000,
  });
  worker.start();
  await sleep(warmupS * 1000);
  worker.resetSlipWindow();
  latencies.reset();
  const before = worker.stats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  await sleep(measureS * 1000);
  clearInterval(sampler);
  const wallMs = performance.now() - t0;
  const memory = process.memoryUsage();
  console.log(
    `memory: rss ${Math.round(memory.rss / 1048576)} MB, heap used ${Math.round(memory.heapUsed / 1048576)} of ${Math.round(memory.heapTotal / 1048576)} MB, external ${Math.round(memory.external / 1048576)} MB, array buffers ${Math.round(memory.arrayBuffers / 1048576)} MB`,
  );
  const cpu = process.cpuUsage(cpu0);
  const after = worker.stats();
  await worker.stop();
  if (logLines > 4 * ENDPOINTS)
    console.log(`note: ${logLines} log lines (expected about one flip per endpoint)`);
  const failures: Record<string, number> = {};
  for (const [cls, count] of Object.entries(after.scheduler.checksByClass)) {
    const delta =
      count - (before.scheduler.checksByClass[cls as keyof typeof before.scheduler.checksByClass] ?? 0);
    if (cls !== 'ok' && delta > 0) failures[cls] = delta;
  }
  return {
    checkLatency: latencies.summary(),
    checksPerSecond: ((after.scheduler.checks - before.scheduler.checks) / wallMs) * 1000,
    slip: after.scheduler.slip,
    cpuPercent: percentOfOneCore(cpu, wallMs),
    peakRssMb: peakRss / 1024 / 1024,
    missedSlots: after.scheduler.missedSlots - before.scheduler.missedSlots,
    failures,
    recordedPerSecond: ((after.sink.recorded - before.sink.recorded) / wallMs) * 1000,
    buffered: after.sink.buffered,
    dropped: after.sink.dropped,
  };
}

interface AutocannonResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  duration: number;
}
type Autocannon = (opts: {
  url: string[];
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<AutocannonResult>;

async function ceiling(
  listeners: Listener[],
): Promise<{ tool: string; requestsPerSecond: number; errors: number }> {
  const urls = listeners.map((l) => `http://${l.host}:${l.port}/healthz`);
  let hasWrk = false;
  try {
    execFileSync('which', ['wrk'], { stdio: 'ignore' });
    hasWrk = true;
  } catch {
    hasWrk = false;
  }
  if (hasWrk) {
    const out = execFileSync('wrk', [
      '-t1',
      '-c64',
      `-d${CEILING_S}s`,
      '-H',
      'Connection: close',
      urls[0]!,
    ]).toString();
    const match = /Requests\/sec:\s+([\d.]+)/.exec(out);
    return {
      tool: 'wrk -t1 -c64 -H "Connection: close"',
      requestsPerSecond: Number(match?.[1] ?? 0),
      errors: 0,
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no type declarations
  const autocannon = require('autocannon') as Autocannon;
  const result = await autocannon({
    url: urls,
    connections: 64,
    duration: CEILING_S,
    headers: { connection: 'close' },
  });
  return {
    tool: 'autocannon -c 64 -H "Connection: close" (in-process, one core)',
    requestsPerSecond: result['2xx'] / result.duration,
    errors: result.errors + result.non2xx,
  };
}

async function recordingPath(
  redis: PrivateRedis,
): Promise<{ scriptPerSecond: number; hsetPerSecond: number; batch: number }> {
  const client = createRedisClient(redis.url);
  await whenReady(client);
  const batch = 1000;
  const prefix = `rec-${randomBytes(3).toString('hex')}`;
  const recorder = new ObservationRecorder(client, { keyPrefix: prefix, runId: 'bench', workerId: 'bench' });
  const make = (i: number): PendingObservation => ({
    observation: {
      ok: i % 7 !== 0,
      ...(i % 7 === 0 ? { failureClass: 'status' as const, detail: 'HTTP 503 (expected 200-399)' } : {}),
      latencyMs: 1.5,
      service: `svc${i % 100}`,
      endpoint: `e${i % 10_000}`,
      region: 'bench',
      startedAt: Date.now(),
    },
    failureThreshold: 3,
    successThreshold: 2,
    seq: i + 1,
  });
  const items = Array.from({ length: RECORD_N }, (_, i) => make(i));
  // Warm-up: loads the script and creates the hashes.
  await recorder.recordBatch(items.slice(0, batch));

  const t0 = performance.now();
  for (let i = 0; i < items.length; i += batch) {
    const results = await recorder.recordBatch(items.slice(i, i + batch));
    const failed = results.find((r) => r.status === 'failed');
    if (failed && failed.status === 'failed') throw failed.error;
  }
  const scriptMs = performance.now() - t0;

  const keys = redisKeys(prefix);
  const t1 = performance.now();
  for (let i = 0; i < items.length; i += batch) {
    const pipeline = client.pipeline();
    for (const item of items.slice(i, i + batch)) {
      const o = item.observation;
      pipeline.hset(keys.service(o.service).last, opinionField(o.endpoint, o.region), JSON.stringify(o));
    }
    await pipeline.exec();
  }
  const hsetMs = performance.now() - t1;
  await client.quit();
  return { scriptPerSecond: (RECORD_N / scriptMs) * 1000, hsetPerSecond: (RECORD_N / hsetMs) * 1000, batch };
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
  return `${cpu}, ${cpus().length} vCPU, Node ${process.version}, ${process.platform}`;
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const redis = await startPrivateRedis();
  const { child, listeners } = await startServers();
  try {
    console.log(`machine: ${machine()}`);
    console.log(
      `servers: ${listeners.length} listeners on ${new Set(listeners.map((l) => l.host)).size} loopback addresses`,
    );

    const run = (phase: string) => ONLY === undefined || ONLY.has(phase);
    let steady: RunFigures | undefined;
    let maxRssMb = 0;
    if (run('steady')) {
      console.log(
        `steady: ${ENDPOINTS} endpoints every ${INTERVAL} ms, warm-up ${WARMUP_S} s, measuring ${MEASURE_S} s ...`,
      );
      steady = await runWorker(benchConfig(listeners, redis.url, 'steady', INTERVAL), WARMUP_S, MEASURE_S);
      maxRssMb = process.resourceUsage().maxRSS / 1024;
      console.log(JSON.stringify(steady));
    }

    // The same load with fewer checks in flight: on loopback every check hits the same few servers, and a
    // disturbance that lets hundreds of connections pile up slows each of them (see docs/benchmarks.md).
    let steadyLow: RunFigures | undefined;
    if (run('steady')) {
      console.log(`steady at concurrency ${CAPACITY_CONCURRENCY} ...`);
      await sleep(2000);
      steadyLow = await runWorker(
        benchConfig(listeners, redis.url, 'steady-low', INTERVAL),
        WARMUP_S,
        MEASURE_S,
        CAPACITY_CONCURRENCY,
      );
      console.log(JSON.stringify(steadyLow));
    }

    let capacity: RunFigures | undefined;
    if (run('capacity')) {
      console.log(
        `capacity: ${ENDPOINTS} endpoints every ${CAPACITY_INTERVAL} ms, measuring ${CAPACITY_S} s ...`,
      );
      await sleep(2000);
      capacity = await runWorker(
        benchConfig(listeners, redis.url, 'capacity', CAPACITY_INTERVAL),
        5,
        CAPACITY_S,
        CAPACITY_CONCURRENCY,
      );
      console.log(JSON.stringify(capacity));
    }

    let top: Awaited<ReturnType<typeof ceiling>> | undefined;
    if (run('ceiling')) {
      console.log(`ceiling: ${CEILING_S} s ...`);
      await sleep(2000);
      top = await ceiling(listeners);
      console.log(JSON.stringify(top));
    }

    let record: Awaited<ReturnType<typeof recordingPath>> | undefined;
    if (run('record')) {
      console.log(`record: ${RECORD_N} observations ...`);
      record = await recordingPath(redis);
      console.log(JSON.stringify(record));
    }
    if (!steady || !steadyLow || !capacity || !top || !record) return;

    const goals = [
      ['sustained checks/s >= 2,000 (default concurrency)', steady.checksPerSecond >= 2000 * 0.99],
      ['slip p99 < 250 ms (default concurrency)', steady.slip.p99 < 250],
      [`slip p99 < 250 ms (concurrency ${CAPACITY_CONCURRENCY})`, steadyLow.slip.p99 < 250],
      ['RSS < 300 MB', Math.max(steady.peakRssMb, steadyLow.peakRssMb) < 300],
      ['capacity / ceiling >= 0.4', capacity.checksPerSecond / top.requestsPerSecond >= 0.4],
      ['script observations/s >= 20,000', record.scriptPerSecond >= 20_000],
    ] as const;
    const fmt = (n: number, digits = 0) =>
      n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
    const failures = (f: Record<string, number>) =>
      Object.keys(f).length === 0
        ? 'none'
        : Object.entries(f)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
    const offered = (ENDPOINTS / INTERVAL) * 1000;
    const both = (cell: (r: RunFigures) => string) => `${cell(steady)} | ${cell(steadyLow)}`;
    const report = `<!-- probe-bench:start -->
## Probe worker (\`npm run bench:probe\`)

- **Date:** ${new Date().toISOString().slice(0, 10)}
- **Machine:** ${machine()}; 1-minute load average ${fmt(loadBefore, 1)} before the run, ${fmt(loadavg()[0] ?? 0, 1)} after
  (other jobs were running: figures are noisy, ±20 % between runs)
- **Command:** \`npm run bench:probe${WRITE_DOCS ? ' -- --write-docs' : ''}\` (${fmt(ENDPOINTS)} endpoints, ${INTERVAL / 1000} s interval, ${WARMUP_S} s warm-up, ${MEASURE_S} s measured)
- **Setup:** one worker (\`ProbeWorker\`: scheduler, real \`runCheck\` http checks with \`node:http\`, \`agent: false\`,
  \`Connection: close\`, recorder script, heartbeats, evaluate jobs) in the benchmark process; ${listeners.length} HTTP
  listeners on ${new Set(listeners.map((l) => l.host)).size} loopback addresses in a separate process; a private \`redis-server\` ${
    execFileSync('redis-server', ['--version'])
      .toString()
      .match(/v=([\d.]+)/)?.[1] ?? ''
  } on loopback.

| steady: ${fmt(ENDPOINTS)} endpoints / ${INTERVAL / 1000} s (${fmt(offered)} checks/s offered) | concurrency ${CONCURRENCY} (default) | concurrency ${CAPACITY_CONCURRENCY} | goal |
|---|---|---|---|
| sustained checks/s | ${both((r) => fmt(r.checksPerSecond))} | ≥ 2,000 |
| schedule slip p50 / p99 / max, ms | ${both((r) => `${fmt(r.slip.p50)} / ${fmt(r.slip.p99)} / ${fmt(r.slip.max)}`)} | p99 < 250 ms |
| check duration p50 / p99, ms | ${both((r) => `${fmt(r.checkLatency.p50, 1)} / ${fmt(r.checkLatency.p99, 1)}`)} | |
| CPU of the worker process, % of one core (ms per check) | ${both((r) => `${fmt(r.cpuPercent)} (${fmt((r.cpuPercent * 10) / r.checksPerSecond, 2)})`)} | |
| peak RSS, MB | ${both((r) => fmt(r.peakRssMb))} (maxRSS of the process after the first: ${fmt(maxRssMb)}) | < 300 MB |
| missed slots; failed checks | ${both((r) => `${r.missedSlots}; ${failures(r.failures)}`)} | 0 |
| observations recorded/s | ${both((r) => fmt(r.recordedPerSecond))} | = checks/s |

| ceiling and capacity | figure | goal |
|---|---|---|
| ceiling: ${top.tool} | ${fmt(top.requestsPerSecond)} req/s (${top.errors} errors) | |
| capacity: the worker offered ${fmt((ENDPOINTS / CAPACITY_INTERVAL) * 1000)} checks/s, concurrency ${CAPACITY_CONCURRENCY} | ${fmt(capacity.checksPerSecond)} checks/s (check p50 ${fmt(capacity.checkLatency.p50, 1)} ms, CPU ${fmt(capacity.cpuPercent)} %) | |
| **ratio capacity ÷ ceiling** | **${fmt(capacity.checksPerSecond / top.requestsPerSecond, 2)}** | ≥ 0.4 |
| ratio steady checks/s ÷ ceiling | ${fmt(steady.checksPerSecond / top.requestsPerSecond, 2)} | (bounded by the ${fmt(offered)}/s offered) |

| recording path alone (${fmt(RECORD_N)} observations, pipelines of ${record.batch}) | figure | goal |
|---|---|---|
| record script (EVALSHA, 5 Redis calls inside), pipelined | ${fmt(record.scriptPerSecond)} obs/s | ≥ 20,000 |
| baseline: one plain HSET per observation, pipelined | ${fmt(record.hsetPerSecond)} obs/s | |
| script cost vs HSET | ${fmt(record.hsetPerSecond / record.scriptPerSecond, 1)} × | |

Goals: ${goals.map(([name, ok]) => `${name} ${ok ? '✅' : '❌'}`).join('; ')}.
<!-- probe-bench:end -->`;
    console.log(`\n${report}\n`);
    if (WRITE_DOCS) {
      await writeBenchmarksSection('probe-bench', report);
    }
    if (goals.some(([, ok]) => !ok)) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await redis.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import { EventEmitter } from 'node:events';
import { jsonLogLines, useProbeCliFixture } from '../support/probe-cli-fixture';
import { probeConfigYaml } from '../support/probe-config-yaml';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { captureIo, type CapturedIo } from '../support/capture-io';
import { main } from '../../src/cli/main';
import { createProbeCommand, type SignalSource } from '../../src/cli/probe-command';
import type { Config } from '../../src/config/types';
import { createProbeMetrics, type ProbeMetricsSource } from '../../src/metrics/probe-metrics';
import type { CheckRunner } from '../../src/probe/check-runner';
import type { ProbeTarget } from '../../src/probe/probe-target';
import { emptyClassCounts, ProbeScheduler } from '../../src/probe/scheduler';
import { SlipHistogram } from '../../src/probe/slip-histogram';
import type { WorkerStats } from '../../src/probe/worker';
import { httpCheck } from '../support/config-builder';
import { SHARED_REDIS_URL, waitFor } from './helpers';

jest.setTimeout(60_000);

const fixture = useProbeCliFixture('metrics');
const { prefix, dir } = fixture;

/** A config probing `a` (answers 200) and `b` (answers 503) of service `api` from r1, every 100 ms. */
function yaml(redisUrl: string, keyPrefix: string): string {
  return probeConfigYaml({
    deploymentId: 'metricstest',
    redisUrl,
    keyPrefix,
    regions: ['r1', 'r2'],
    failureThreshold: 2,
    endpoints: [
      { name: 'a', port: fixture.up.port },
      { name: 'b', port: fixture.down.port },
    ],
  });
}

function cliIo(): CapturedIo {
  const env = { ...process.env };
  // The config names its Redis; an inherited REDIS_URL must not matter either way.
  delete env.REDIS_URL;
  return captureIo({ cwd: dir, env });
}

/** GET over a fresh connection (no keep-alive handle left behind). */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition, if present. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A port on 127.0.0.1 nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface RunningCommand {
  io: CapturedIo;
  exit: Promise<number>;
  stop: () => Promise<number>;
  /** `http://127.0.0.1:<port>` of the metrics server, from the command's log. */
  base: () => Promise<string>;
}

function runProbe(args: string[], workerOptions = {}): RunningCommand {
  const io = cliIo();
  const signals = new EventEmitter();
  const command = createProbeCommand({ signals: signals as unknown as SignalSource, workerOptions });
  const exit = command(args, io);
  return {
    io,
    exit,
    stop: () => {
      signals.emit('SIGTERM');
      return exit;
    },
    base: async () => {
      const started = await waitFor(
        () => jsonLogLines(io.out).find((l) => l.msg === 'metrics server started'),
        {
          what: 'the metrics server to start',
        },
      );
      return String(started.metrics).replace(/\/metrics$/, '');
    },
  };
}

describe('quorumdns probe --metrics-port', () => {
  test('serves check counters by service and result, flips, slip, Redis state; ready while Redis answers', async () => {
    const file = join(dir, 'up.yaml');
    writeFileSync(file, yaml(SHARED_REDIS_URL, `${prefix}:up`));
    const run = runProbe([
      '--region',
      'r1',
      '--config',
      file,
      '--worker-id',
      'w-metrics',
      '--metrics-port',
      '0',
    ]);
    const base = await run.base();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Three checks of each endpoint, and both opinions formed (failureThreshold 2, successThreshold 2).
    const text = await waitFor(
      async () => {
        const { body } = await get(`${base}/metrics`);
        const ok = sample(body, 'quorumdns_checks_total{service="api",result="ok"}') ?? 0;
        const failed = sample(body, 'quorumdns_checks_total{service="api",result="status"}') ?? 0;
        const flips = sample(body, 'quorumdns_opinion_flips_total{service="api",to="up"}') ?? 0;
        const flipsDown = sample(body, 'quorumdns_opinion_flips_total{service="api",to="down"}') ?? 0;
        return ok >= 3 && failed >= 3 && flips === 1 && flipsDown === 1 ? body : undefined;
      },
      { what: 'check counters and flips in /metrics' },
    );
    expect(text).toContain('# TYPE quorumdns_checks_total counter');
    // Only failure classes that happened get a series.
    expect(text).not.toContain('result="timeout"');
    expect(sample(text, 'quorumdns_redis_connected')).toBe(1);
    expect(sample(text, 'quorumdns_probe_targets')).toBe(2);
    expect(sample(text, 'quorumdns_buffered_observations')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'quorumdns_dropped_observations_total')).toBe(0);
    expect(sample(text, 'quorumdns_missed_slots_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'quorumdns_probe_info{region="r1",worker_id="w-metrics"}')).toBe(1);
    expect(sample(text, 'quorumdns_observations_written_total{result="recorded"}')).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'quorumdns_evaluate_job_adds_total{result="added"}')).toBeGreaterThanOrEqual(1);
    // The slip histogram counts every check started; its buckets are cumulative.
    const slipCount = sample(text, 'quorumdns_schedule_slip_seconds_count') ?? 0;
    expect(slipCount).toBeGreaterThanOrEqual(6);
    expect(sample(text, 'quorumdns_schedule_slip_seconds_bucket{le="+Inf"}')).toBe(slipCount);
    const le1ms = sample(text, 'quorumdns_schedule_slip_seconds_bucket{le="0.001"}') ?? -1;
    const le2500ms = sample(text, 'quorumdns_schedule_slip_seconds_bucket{le="2.5"}') ?? -1;
    expect(le1ms).toBeGreaterThanOrEqual(0);
    expect(le2500ms).toBeGreaterThanOrEqual(le1ms);
    expect(le2500ms).toBeLessThanOrEqual(slipCount);

    expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, body: 'ready\n' });

    expect(await run.stop()).toBe(0);
    // The server is closed with the worker.
    await expect(get(`${base}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });

  test("/readyz is 503 naming Redis when the worker's Redis is a closed port; probing and /healthz go on", async () => {
    const port = await closedPort();
    const file = join(dir, 'closed.yaml');
    writeFileSync(file, yaml(`redis://127.0.0.1:${port}`, `${prefix}:closed`));
    const run = runProbe(['--region', 'r1', '--config', file, '--metrics-port', '0'], { connectWaitMs: 200 });
    const base = await run.base();

    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^not ready\n/);
    expect(ready.body).toContain(`Redis unreachable at redis://127.0.0.1:${port}`);
    expect(await get(`${base}/healthz`)).toEqual({ status: 200, body: 'ok\n' });

    // Checks still run and their observations wait in the buffer.
    const text = await waitFor(
      async () => {
        const { body } = await get(`${base}/metrics`);
        return (sample(body, 'quorumdns_buffered_observations') ?? 0) >= 2 ? body : undefined;
      },
      { what: 'observations buffered while Redis is down' },
    );
    expect(sample(text, 'quorumdns_redis_connected')).toBe(0);
    expect(sample(text, 'quorumdns_checks_total{service="api",result="ok"}')).toBeGreaterThanOrEqual(1);
    const notWritten = await get(`${base}/readyz`);
    expect(notWritten.body).toContain('observations cannot be written to Redis');

    expect(await run.stop()).toBe(0);
  });

  test('a bad --metrics-port is a usage error; a port in use exits 1 and stops the worker', async () => {
    const io = cliIo();
    expect(await main(['probe', '--region', 'r1', '--config', 'x.yaml', '--metrics-port', '70000'], io)).toBe(
      2,
    );
    expect(io.err.join('')).toContain(
      '--metrics-port must be a port number (0 = any free port), got "70000"',
    );

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as net.AddressInfo;
      const file = join(dir, 'taken.yaml');
      writeFileSync(file, yaml(SHARED_REDIS_URL, `${prefix}:taken`));
      const run = runProbe(['--region', 'r1', '--config', file, '--metrics-port', String(port)]);
      expect(await run.exit).toBe(1);
      expect(run.io.err.join('')).toContain(
        `quorumdns probe: metrics server could not start: cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
      );
      expect(jsonLogLines(run.io.out).map((l) => l.msg)).toContain('probe worker stopped');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe('createProbeMetrics (exposition of the worker counters)', () => {
  function source(): ProbeMetricsSource & { histogram: SlipHistogram } {
    const histogram = new SlipHistogram([10, 100]);
    const counts = { ...emptyClassCounts(), ok: 5, timeout: 2 };
    const stats: WorkerStats = {
      scheduler: {
        targets: 3,
        inFlight: 2,
        waiting: 1,
        checks: 7,
        checksByClass: counts,
        missedSlots: 4,
        slip: { p50: 0, p99: 0, max: 0, samples: 0 },
        internalErrors: 0,
      },
      sink: { buffered: 9, dropped: 8, recorded: 6, rejected: 1, redis: 'down' },
      evaluate: { added: 2, pending: 1, failures: 3 },
      heartbeat: { beats: 11, failures: 12, lastRedisTime: undefined },
    };
    return {
      histogram,
      region: 'eu',
      workerId: 'w"1',
      currentConfig: { hash: 'abc123' } as Config,
      stats: () => stats,
      checksByService: () => new Map([['api', counts]]),
      flipsByServiceAndOpinion: () => new Map([['api', { up: 1, down: 2, unknown: 0 }]]),
      slipHistogram: () => histogram.snapshot(),
      redisConnected: () => false,
    };
  }

  test('reads every value at scrape time, in Prometheus text format', async () => {
    const registry = new Registry();
    const worker = source();
    const metrics = createProbeMetrics(registry, worker);
    for (const ms of [-1, 3, 10, 11, 500]) worker.histogram.add(ms);
    metrics.configReloads.inc({ result: 'applied' });
    const text = await registry.metrics();
    const expected: [string, number][] = [
      ['quorumdns_checks_total{service="api",result="ok"}', 5],
      ['quorumdns_checks_total{service="api",result="timeout"}', 2],
      ['quorumdns_opinion_flips_total{service="api",to="up"}', 1],
      ['quorumdns_opinion_flips_total{service="api",to="down"}', 2],
      ['quorumdns_schedule_slip_seconds_bucket{le="0.01"}', 3],
      ['quorumdns_schedule_slip_seconds_bucket{le="0.1"}', 4],
      ['quorumdns_schedule_slip_seconds_bucket{le="+Inf"}', 5],
      ['quorumdns_schedule_slip_seconds_sum', 0.523],
      ['quorumdns_schedule_slip_seconds_count', 5],
      ['quorumdns_missed_slots_total', 4],
      ['quorumdns_checks_pending{state="in_flight"}', 2],
      ['quorumdns_checks_pending{state="waiting"}', 1],
      ['quorumdns_buffered_observations', 9],
      ['quorumdns_dropped_observations_total', 8],
      ['quorumdns_observations_written_total{result="recorded"}', 6],
      ['quorumdns_observations_written_total{result="rejected"}', 1],
      ['quorumdns_redis_connected', 0],
      ['quorumdns_evaluate_job_adds_total{result="added"}', 2],
      ['quorumdns_evaluate_job_adds_total{result="failed"}', 3],
      ['quorumdns_evaluate_jobs_pending', 1],
      ['quorumdns_heartbeats_total{result="ok"}', 11],
      ['quorumdns_heartbeats_total{result="failed"}', 12],
      ['quorumdns_probe_targets', 3],
      ['quorumdns_probe_info{region="eu",worker_id="w\\"1"}', 1],
      ['quorumdns_config_info{hash="abc123"}', 1],
      ['quorumdns_config_reloads_total{result="applied"}', 1],
    ];
    for (const [series, value] of expected) expect([series, sample(text, series)]).toEqual([series, value]);
    expect(text).toContain('# TYPE quorumdns_schedule_slip_seconds histogram');
    expect(text).not.toContain('result="refused"');
    expect(text).not.toContain('to="unknown"');

    // Values move with the worker's counters: a later scrape sees the new totals.
    worker.histogram.add(50);
    const later = await registry.metrics();
    expect(sample(later, 'quorumdns_schedule_slip_seconds_bucket{le="0.1"}')).toBe(5);
    expect(sample(later, 'quorumdns_schedule_slip_seconds_count')).toBe(6);
    expect(sample(later, 'quorumdns_checks_total{service="api",result="ok"}')).toBe(5);
  });
});

describe('ProbeScheduler counters behind the metrics (fake time)', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2030, 0, 1) }));
  afterEach(() => jest.useRealTimers());

  function target(service: string, endpoint: string): ProbeTarget {
    return {
      key: `${service}\t${endpoint}\tr1`,
      service,
      endpoint,
      region: 'r1',
      // The port tells the fake runner which endpoint it checks.
      check: httpCheck({ port: endpoint === 'bad' ? 2 : 1, interval: 1000, timeout: 500 }),
      headers: {},
      fingerprint: 'v1',
    };
  }

  test('counts checks per service and class, keeps a removed service, and puts every start in the slip histogram', async () => {
    const runCheck: CheckRunner = (check) =>
      Promise.resolve(
        (check as { port: number }).port === 2
          ? { ok: false, failureClass: 'timeout', detail: 'no answer', latencyMs: 500 }
          : { ok: true, latencyMs: 1 },
      );
    const scheduler = new ProbeScheduler({ runCheck, onObservation: () => undefined });
    scheduler.setTargets([target('api', 'a'), target('api', 'bad'), target('web', 'a')]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    const api = scheduler.checksByService().get('api');
    const web = scheduler.checksByService().get('web');
    expect(api).toMatchObject({ ok: 3, timeout: 3, status: 0 });
    expect(web).toMatchObject({ ok: 3, timeout: 0 });
    expect(scheduler.stats().checksByClass).toMatchObject({ ok: 6, timeout: 3 });

    // A reload that drops `web`: its totals stay (a Prometheus counter must not go back) and stop growing.
    scheduler.setTargets([target('api', 'a'), target('api', 'bad')]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(scheduler.checksByService().get('web')).toMatchObject({ ok: 3 });
    expect(scheduler.checksByService().get('api')).toMatchObject({ ok: 5, timeout: 5 });

    const slip = scheduler.slipHistogramSnapshot();
    expect(slip.count).toBe(scheduler.stats().checks);
    expect(slip.counts.reduce((a, b) => a + b, 0)).toBe(slip.count);
    // Fake timers fire exactly on the slot: every check started on time.
    expect(slip.counts[0]).toBe(slip.count);
    await scheduler.stop();
  });
});

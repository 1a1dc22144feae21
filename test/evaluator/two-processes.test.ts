/**
 * Two real `quorumdns evaluate` processes against one Redis: one decision per change, generations strictly
 * increasing, no duplicated events, config reload on SIGHUP, one of them killed with -9 mid-run (its jobs
 * recovered by the other), and a graceful SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { EventLog } from '../../src/evaluator/event-log';
import { routingSeverity } from '../../src/evaluator/notify-routing';
import {
  EVALUATE_JOB_NAME,
  type EvaluateJobData,
  evaluateJobOptions,
  QueueName,
} from '../../src/evaluator/queues';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import type { StoredEvent } from '../../src/evaluator/service-record';
import { StateStore } from '../../src/evaluator/state-store';
import { type EvaluatorProcess, spawnEvaluator } from './support/evaluator-process';
import { jobQueues, ProbeSide, REDIS_URL, testRedis, waitFor } from './support/fixtures';

const fixture = testRedis('procs');
const { redis, keys, prefix } = fixture;
const states = new StateStore(redis, keys);
const eventLog = new EventLog(redis, keys);
const probe = new ProbeSide(redis, keys);
const queues = jobQueues(redis, prefix);
const flips = new Queue<EvaluateJobData>(QueueName.evaluate, { connection: redis, prefix });
const dir = mkdtempSync(join(tmpdir(), 'quorumdns-evaluate-'));
const configFile = join(dir, 'quorumdns.yaml');

/** Services whose opinions the test drives, and a crowd that keeps both evaluators busy. */
const DRIVEN = ['flip1', 'flip2'];
const CROWD = Array.from({ length: 60 }, (_, i) => `crowd${String(i).padStart(2, '0')}`);

function serviceYaml(name: string): string {
  return `  ${name}:
    names: [${name}.example.com]
    pools:
      a:
        endpoints:
          - { name: a1, address: 192.0.2.1 }
          - { name: a2, address: 192.0.2.2 }
      b:
        endpoints:
          - { name: b1, address: 198.51.100.1 }
    providers:
      - { provider: r53 }
    notify:
      - { channel: ops, minSeverity: warning }
`;
}

function writeConfig(services: string[]): void {
  writeFileSync(
    configFile,
    `deployment:
  id: evaltest
  redis:
    keyPrefix: ${prefix}
probeRegions: [r1, r2, r3]
providers:
  r53: { type: route53, hostedZoneId: Z123 }
notifications:
  ops: { type: webhook, url: http://127.0.0.1:9/hook }
defaults:
  check: { type: tcp, interval: 1s, timeout: 500ms, port: 9 }
  safety: { failbackAfter: 500ms, flapWindow: 100ms }
services:
${services.map(serviceYaml).join('')}`,
  );
}

function startEvaluator(id: string, extra: string[] = []): EvaluatorProcess {
  return spawnEvaluator(
    // --no-apply: the config names a Route 53 zone, and a test must never reach a real provider.
    // --no-notify: the test counts the notify jobs the evaluators add; a notify worker would take them.
    [
      '--config',
      configFile,
      '--tick',
      '200ms',
      '--id',
      id,
      '--lock-duration',
      '2s',
      '--no-apply',
      '--no-notify',
      ...extra,
    ],
    {
      REDIS_URL,
    },
  );
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function metricsUrlOf(evaluator: EvaluatorProcess): string {
  return String(evaluator.logs.find((line) => line.msg === 'evaluator started')?.metrics);
}

async function flip(service: string): Promise<void> {
  await flips.add(
    EVALUATE_JOB_NAME,
    { service, reason: 'flip', requestedAt: Date.now(), requestedBy: 'probe:r1:test' },
    evaluateJobOptions(service),
  );
}

async function generation(service: string): Promise<number> {
  return (await states.read(service))?.generation ?? 0;
}

async function waitForGeneration(service: string, wanted: number): Promise<void> {
  await waitFor(async () => (await generation(service)) >= wanted, {
    what: `${service} generation ${wanted}`,
    timeoutMs: 8000,
  });
}

/** Majority outage of pool a, then recovery: two new generations (failover, failback after 500 ms). */
async function cycle(service: string): Promise<void> {
  const start = await generation(service);
  await probe.setOpinions(service, ['a1', 'a2'], ['r1', 'r2'], 'down');
  await flip(service);
  await waitForGeneration(service, start + 1);
  await probe.setOpinions(service, ['a1', 'a2'], ['r1', 'r2'], 'up');
  await flip(service);
  await waitForGeneration(service, start + 2);
}

/** The audit-log invariants of a service: every decision once, generations 1, 2, 3, ... in order. */
async function expectCleanHistory(service: string): Promise<StoredEvent[]> {
  const events = await eventLog.read({ services: [service] });
  const decisions = events
    .filter((event) => event.kind === 'decision-changed')
    .map((event) => event.generation);
  expect(decisions).toEqual(Array.from({ length: decisions.length }, (_, i) => i + 1));
  expect(decisions.length).toBe(await generation(service));
  // Events carry the generation in force after them: never decreasing along the stream.
  const generations = events.map((event) => event.generation);
  expect(generations).toEqual([...generations].sort((a, b) => a - b));
  // No transition written twice: drains and restores alternate.
  const pool = events
    .filter((event) => event.kind === 'pool-drained' || event.kind === 'pool-restored')
    .map((event) => event.kind);
  pool.forEach((kind, i) => expect(kind).toBe(i % 2 === 0 ? 'pool-drained' : 'pool-restored'));
  return events;
}

let a: EvaluatorProcess | undefined;
let b: EvaluatorProcess | undefined;

beforeAll(async () => {
  writeConfig([...DRIVEN, ...CROWD]);
  probe.startBeating();
  await probe.beat();
  for (const service of [...DRIVEN, ...CROWD]) await probe.allUpPools(service, ['a1', 'a2', 'b1']);
  a = startEvaluator('eval-a', ['--metrics-port', '0']);
  b = startEvaluator('eval-b', ['--metrics-port', '0']);
  await Promise.all([
    a.waitForLog((line) => line.msg === 'evaluator started', 'eval-a started', 30_000),
    b.waitForLog((line) => line.msg === 'evaluator started', 'eval-b started', 30_000),
  ]);
}, 40_000);

afterAll(async () => {
  probe.stop();
  // SIGKILL: whatever a test left running must not outlive the suite.
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
  await flips.close();
  await queues.close();
  await fixture.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('two evaluators: one decision per change, generations strictly increasing, no duplicated events', async () => {
  await Promise.all(DRIVEN.map((service) => waitForGeneration(service, 1)));
  await Promise.all(
    DRIVEN.map(async (service) => {
      for (let i = 0; i < 3; i += 1) await cycle(service);
    }),
  );
  for (const service of DRIVEN) {
    expect(await generation(service)).toBe(7);
    const events = await expectCleanHistory(service);
    // One apply job per generation, and one notify job per event routed at warning or worse (channel ops).
    const applies = (await queues.apply.getJobs(['waiting'])).filter((job) => job.data.service === service);
    expect(applies.map((job) => job.data.generation).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const notifies = (await queues.notify.getJobs(['waiting'])).filter((job) => job.data.service === service);
    const routed = events.filter((event) => routingSeverity(event) !== 'info').map((event) => event.id);
    expect(notifies.map((job) => job.data.eventId).sort()).toEqual([...routed].sort());
  }
  // Both processes took evaluate jobs (BullMQ hands each job to one of them).
  for (const evaluator of [a, b] as EvaluatorProcess[]) {
    const metrics = await httpGet(metricsUrlOf(evaluator));
    const evaluated = [...metrics.body.matchAll(/^quorumdns_evaluations_total\{outcome="[a-z-]+"\} (\d+)/gm)];
    expect(evaluated.reduce((sum, match) => sum + Number(match[1]), 0)).toBeGreaterThan(0);
  }
});

test('/metrics and /readyz of a running evaluator', async () => {
  const metricsUrl = metricsUrlOf(a as EvaluatorProcess);
  expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const metrics = await httpGet(metricsUrl);
  expect(metrics.status).toBe(200);
  expect(metrics.body).toMatch(/quorumdns_evaluations_total\{outcome="unchanged"\} [1-9]/);
  expect(metrics.body).toMatch(/quorumdns_queue_jobs\{queue="apply",state="waiting"\} \d+/);
  expect(metrics.body).toContain('quorumdns_evaluation_duration_seconds_bucket');
  expect(metrics.body).toContain('quorumdns_managed_services 62');
  expect((await httpGet(metricsUrl.replace('/metrics', '/readyz'))).status).toBe(200);
});

test('SIGHUP: an invalid config is refused and the old one stays; a valid one adds and removes services', async () => {
  const evaluatorA = a as EvaluatorProcess;
  writeFileSync(configFile, 'services: [not, a, map\n');
  evaluatorA.child.kill('SIGHUP');
  const refused = await evaluatorA.waitForLog(
    (line) => line.msg.startsWith('config reload refused: the configuration is invalid'),
    'reload refused',
  );
  expect(
    evaluatorA.logs.some(
      (line) => line.msg === 'config reload refused' && String(line.problem).includes(configFile),
    ),
  ).toBe(true);
  expect(evaluatorA.child.exitCode).toBeNull();
  expect(refused.configHash).toBeDefined();

  writeConfig(['flip1', 'fresh', ...CROWD]);
  await probe.allUpPools('fresh', ['a1', 'a2', 'b1']);
  for (const evaluator of [a, b] as EvaluatorProcess[]) evaluator.child.kill('SIGHUP');
  for (const evaluator of [a, b] as EvaluatorProcess[]) {
    const reloaded = await evaluator.waitForLog((line) => line.msg === 'config reloaded', 'config reloaded');
    expect(reloaded).toMatchObject({ added: 'fresh', removed: 'flip2' });
  }
  await waitForGeneration('fresh', 1);
  expect(await queues.evaluate.getJobScheduler('tick-flip2')).toBeUndefined();
  expect(await queues.evaluate.getJobScheduler('tick-fresh')).toBeDefined();
  // flip2 is no longer managed: its record stays, and nothing evaluates it any more.
  const kept = await states.read('flip2');
  expect(kept?.generation).toBe(7);
  await flip('flip2');
  const later = await redisTimeMs(redis);
  await waitForGeneration('fresh', 1);
  await waitFor(async () => ((await states.read('flip1'))?.evaluatedAt ?? 0) > later, {
    what: 'a later evaluation',
  });
  expect((await states.read('flip2'))?.evaluatedAt).toBe(kept?.evaluatedAt);
});

test('kill -9 mid-run: the jobs it held are recovered by the other evaluator and decisions go on', async () => {
  const victim = a as EvaluatorProcess;
  // Freeze the victim while it holds jobs, so they are truly in flight when it dies.
  const activeInVictim = async (): Promise<string[]> =>
    (await queues.evaluate.getActive())
      .filter((job) => job.processedBy === 'eval-a')
      .map((job) => job.id as string);
  let held: string[] = [];
  for (let attempt = 0; attempt < 100 && held.length === 0; attempt += 1) {
    victim.child.kill('SIGSTOP');
    // A job it finished just before freezing may still be active in Redis until the command it had already
    // sent is executed: only jobs active in two reads 100 ms apart are really held by the frozen process.
    const first = await activeInVictim();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = new Set(await activeInVictim());
    held = first.filter((id) => second.has(id));
    if (held.length === 0) victim.child.kill('SIGCONT');
  }
  expect(held.length).toBeGreaterThan(0);
  victim.child.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');

  const survivor = b as EvaluatorProcess;
  await survivor.waitForLog(
    (line) => line.msg === 'recovered a stalled evaluate job' && held.includes(String(line.jobId)),
    'stall recovery',
  );
  await waitFor(
    async () => {
      const states = await Promise.all(
        held.map(async (id) => (await queues.evaluate.getJob(id))?.getState() ?? 'removed'),
      );
      return states.every((state) => state !== 'active');
    },
    { what: 'the killed evaluator\'s jobs to leave "active"', timeoutMs: 10_000 },
  );
  // The survivor alone takes the next decisions, and the history stays clean.
  await cycle('flip1');
  expect(await generation('flip1')).toBe(9);
  await expectCleanHistory('flip1');
});

test('SIGTERM: graceful stop, exit 0, no job left active', async () => {
  const evaluatorB = b as EvaluatorProcess;
  evaluatorB.child.kill('SIGTERM');
  const exit = await evaluatorB.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(evaluatorB.logs.some((line) => line.msg === 'evaluator stopped')).toBe(true);
  expect(await queues.evaluate.getActiveCount()).toBe(0);
});

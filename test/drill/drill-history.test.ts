/**
 * `quorumdns drill history` in-process against real Redis: the run records stored in `drillRuns` (reports
 * judged by the real judge, a skipped scheduled run, damaged entries) listed newest first per service, with
 * the limit, the text fields, the JSON, the damaged entries named by stream id, and the usage errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { DrillObjectives } from '../../src/config/types';
import { judgeDrill } from '../../src/drill/drill-judge';
import type { DrillReport } from '../../src/drill/drill-report';
import {
  DRILL_RUN_FIELD,
  type DrillRunListing,
  DrillStore,
  type SkippedDrillRun,
} from '../../src/drill/drill-store';
import { DrillTimeline } from '../../src/drill/drill-timeline';
import { captureIo } from '../support/capture-io';
import { type DrillWorld, SHARED_REDIS_URL, startDrillWorld } from './support/drill-world';

const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);
const DAY = 86_400_000;
const TARGET = 'lab/lab.test';

let world: DrillWorld;
/** A loopback port nothing listens on (the world's): a Redis there is unreachable. */
let closedPort: number;

beforeAll(async () => {
  // No pipeline: the runs are stored by hand; two more services, one with a skipped run, one with none.
  world = await startDrillWorld('history', {
    pipeline: false,
    extraServices: (ports) => {
      closedPort = ports.closed;
      return ['other', 'quiet']
        .map(
          (name) => `  ${name}:
    names: [${name}.lab.test]
    pools:
      a:
        endpoints:
          - { name: ${name}1, address: 192.0.2.60, check: { port: ${ports.a} } }
      b:
        endpoints:
          - { name: ${name}2, address: 192.0.2.61, check: { port: ${ports.b} } }
    providers:
      - { provider: lab }
`,
        )
        .join('');
    },
  });
  const store = new DrillStore(world.redis, world.keys);
  // Appended oldest first: the stream's order is the history's order.
  await store.appendRun('web', liveReport('drill-old-pass', T0));
  await store.appendRun('web', interruptedDryReport('drill-mid-fail', T0 + DAY));
  await world.redis.xadd(world.keys.service('web').drillRuns, '*', DRILL_RUN_FIELD, '{"version":1,');
  await store.appendRun('web', liveReport('drill-new-pass', T0 + 2 * DAY));
  await world.redis.xadd(
    world.keys.service('web').drillRuns,
    '*',
    DRILL_RUN_FIELD,
    JSON.stringify({ ...liveReport('drill-future', T0), version: 2 }),
  );
  await store.appendRun('other', skippedRun());
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

/** A live drill that met every objective: failover 817ms, failback 1.8s (restore -> failback applied). */
function liveReport(id: string, startedAt: number): DrillReport {
  const t = new DrillTimeline(startedAt);
  t.record('injected', 'injected', { status: 'done', at: startedAt });
  t.record('decision', 'decision: pool a drained', { status: 'done', at: startedAt + 675 });
  t.record('submitted', 'change submitted', { status: 'done', at: startedAt + 735 }, TARGET);
  t.record('in-sync', 'provider in sync', { status: 'done', at: startedAt + 735 }, TARGET);
  t.record('answer', 'answer changed', { status: 'done', at: startedAt + 817 });
  t.record('notified', 'notification delivered', { status: 'done', at: startedAt + 4000 });
  t.record('restored', 'drill overlay removed', { status: 'done', at: startedAt + 5000 });
  t.record('failback-decision', 'failback decision', { status: 'done', at: startedAt + 6700 });
  t.record('failback-applied', 'failback applied', { status: 'done', at: startedAt + 6800 }, TARGET);
  const objectives: DrillObjectives = {
    failoverWithin: 60_000,
    failbackWithin: 300_000,
    notifyWithin: 30_000,
  };
  return report({ id, startedAt, mode: 'live', trigger: 'cli', timeline: t, objectives });
}

/**
 * A scheduled dry drill stopped by an operator, with no objectives set: its failover time comes from the
 * timeline, not from a judged objective, and it fails because it did not complete.
 */
function interruptedDryReport(id: string, startedAt: number): DrillReport {
  const t = new DrillTimeline(startedAt);
  t.record('injected', 'injected', { status: 'done', at: startedAt });
  t.record('decision', 'decision: pool a drained', { status: 'done', at: startedAt + 1200 });
  t.record('submitted', 'planned (dry)', { status: 'done', at: startedAt + 1300 }, TARGET);
  t.record('notified', 'notification delivered', { status: 'missed' });
  t.record('restored', 'drill overlay removed', { status: 'done', at: startedAt + 2000 });
  return report({
    id,
    startedAt,
    mode: 'dry',
    trigger: 'scheduler:practice',
    timeline: t,
    objectives: {},
    interrupted: 'stopped by an operator',
  });
}

function report(input: {
  id: string;
  startedAt: number;
  mode: 'dry' | 'live';
  trigger: string;
  timeline: DrillTimeline;
  objectives: DrillObjectives;
  interrupted?: string;
}): DrillReport {
  const timeline = input.timeline.list();
  const judgement = judgeDrill({
    timeline,
    objectives: input.objectives,
    mode: input.mode,
    ...(input.interrupted !== undefined ? { interrupted: input.interrupted } : {}),
  });
  const finishedAt = Math.max(...timeline.map((step) => step.at ?? input.startedAt));
  return {
    version: 1,
    id: input.id,
    service: 'web',
    pools: ['a'],
    mode: input.mode,
    by: input.trigger === 'cli' ? 'alice' : input.trigger,
    trigger: input.trigger,
    dnsNames: ['web.lab.test'],
    targets: [TARGET],
    startedAt: input.startedAt,
    plannedEndAt: input.startedAt + 5000,
    finishedAt,
    durationMs: 5000,
    generations: { before: 1 },
    timeline,
    ...judgement,
    ...(input.interrupted !== undefined ? { interrupted: input.interrupted } : {}),
  };
}

function skippedRun(): SkippedDrillRun {
  return {
    version: 1,
    skipped: true,
    service: 'other',
    schedule: 'nightly',
    pool: 'a',
    mode: 'dry',
    at: T0 + 3 * DAY,
    reason: 'another drill of this service is running',
  };
}

async function history(...args: string[]) {
  const io = captureIo({ cwd: world.dir });
  const code = await main(['drill', 'history', '--config', world.configPath, ...args], io);
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

test('one line per run, newest first, with mode, pool, trigger, verdict, times, reasons and damaged entries', async () => {
  const result = await history('--service', 'web');
  expect({ code: result.code, err: result.err }).toEqual({ code: 0, err: '' });
  const lines = result.out.trimEnd().split('\n');
  expect(lines[0]).toBe('web:');
  const runs = lines.slice(1);
  expect(runs).toHaveLength(5);
  expect(runs[0]).toMatch(
    /^ {2}unreadable entry \d+-\d+: \S+:\{web\}:drill-runs: report\.version: .*expected 1/,
  );
  expect(runs[1]).toBe(
    '  2026-11-22T02:00:00.000Z  drill-new-pass  live  pool a  cli  PASS  failover 817ms  failback 1.8s',
  );
  expect(runs[2]).toMatch(/^ {2}unreadable entry \d+-\d+: \S+:\{web\}:drill-runs: field report is not JSON$/);
  expect(runs[3]).toBe(
    '  2026-11-21T02:00:00.000Z  drill-mid-fail  dry  pool a  schedule practice  FAIL  failover 1.2s' +
      '  interrupted: stopped by an operator: notify: notification delivered did not happen;' +
      ' completed: the drill was interrupted (stopped by an operator)',
  );
  expect(runs[4]).toMatch(
    /^ {2}2026-11-20T02:00:00\.000Z {2}drill-old-pass {2}live .* PASS {2}failover 817ms/,
  );
});

test('--limit keeps the newest runs of each service', async () => {
  const result = await history('--service', 'web', '--limit', '2');
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/^web:\n {2}unreadable entry .*\n {2}\S+ {2}drill-new-pass .*\n$/);
});

test('without --service every service with runs is listed; a skipped run names its schedule and reason', async () => {
  const result = await history();
  expect(result.code).toBe(0);
  const [other, web] = result.out.split('\n\n');
  expect(other).toBe(
    'other:\n  2026-11-23T02:00:00.000Z  skipped (another drill of this service is running)  schedule nightly  pool a  dry',
  );
  expect(web?.startsWith('web:\n')).toBe(true);
  // A service without runs has no listing.
  expect(result.out).not.toContain('quiet');
  expect(await history('--service', 'quiet')).toEqual({ code: 0, out: 'no drill runs of quiet\n', err: '' });
});

test('--json prints every selected service with its stored records as they are', async () => {
  const result = await history('--json', '--limit', '3');
  expect(result.code).toBe(0);
  const listings = JSON.parse(result.out) as DrillRunListing[];
  expect(listings.map((listing) => listing.service)).toEqual(['other', 'quiet', 'web']);
  expect(listings[0]?.runs).toEqual([skippedRun()]);
  expect(listings[1]?.runs).toEqual([]);
  const web = listings[2]?.runs ?? [];
  expect(web[0]).toMatchObject({ unreadable: true, problem: expect.stringContaining('report.version') });
  expect(web[1]).toEqual(liveReport('drill-new-pass', T0 + 2 * DAY));
  expect(web[2]).toMatchObject({ unreadable: true, problem: expect.stringContaining('not JSON') });
});

test('no runs anywhere says so', async () => {
  const store = new DrillStore(world.redis, world.keys);
  // Through the store: the same reading the command does, on a service nobody drilled.
  expect(await store.runs('quiet')).toEqual([]);
  const keys = ['web', 'other'].map((service) => world.keys.service(service).drillRuns);
  // Set aside, not deleted: the other tests read them.
  for (const key of keys) await world.redis.rename(key, `${key}:aside`);
  try {
    expect(await history()).toEqual({ code: 0, out: 'no drill runs\n', err: '' });
  } finally {
    for (const key of keys) await world.redis.rename(`${key}:aside`, key);
  }
});

test.each([
  [['--limit', '0'], '--limit must be a whole number from 1 to 200, got "0"'],
  [['--limit', '201'], '--limit must be a whole number from 1 to 200, got "201"'],
  [['--limit', 'ten'], '--limit must be a whole number from 1 to 200, got "ten"'],
  [['--pool', 'a'], '--pool goes with drill run'],
])('usage error %j exits 2 naming the flag and value', async (args, message) => {
  const result = await history(...args);
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err).toContain(message);
});

test('--limit goes with drill history only', async () => {
  const io = captureIo({ cwd: world.dir });
  const code = await main(['drill', 'status', '--limit', '3', '--config', world.configPath], io);
  expect(code).toBe(2);
  expect(io.stderrText()).toContain('--limit goes with drill history');
});

test('an unknown --service exits 2 with the did-you-mean error', async () => {
  const result = await history('--service', 'wbe');
  expect(result).toEqual({
    code: 2,
    out: '',
    err: 'quorumdns drill: unknown service "wbe" (did you mean "web"?); known services: other, quiet, web\n',
  });
});

test('an unreachable Redis exits 1 with one line', async () => {
  const port = closedPort;
  const path = join(world.dir, 'unreachable.yaml');
  writeFileSync(
    path,
    readFileSync(world.configPath, 'utf8').replace(SHARED_REDIS_URL, `redis://127.0.0.1:${port}`),
  );
  const io = captureIo({ cwd: world.dir });
  const code = await main(['drill', 'history', '--config', path], io);
  expect(code).toBe(1);
  expect(io.stdoutText()).toBe('');
  expect(io.stderrText()).toMatch(
    new RegExp(`^quorumdns drill: Redis at redis://127\\.0\\.0\\.1:${port}\\S* is unreachable: .*\\n$`),
  );
});

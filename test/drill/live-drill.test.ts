/**
 * A live drill through the whole real pipeline (probes, quorum, decision, apply to the `local` provider, the
 * DNS server, notifications to a webhook receiver): the timeline has every step, in order, on the Redis
 * clock; the answer really changes at the name server and comes back; the report is stored and written.
 */
import { readFileSync } from 'node:fs';
import { runDrill } from '../../src/drill/run-drill';
import { DrillStore } from '../../src/drill/drill-store';
import type { DrillReport, TimelineStep } from '../../src/drill/drill-report';
import { writeDrillReport } from '../../src/drill/write-drill-report';
import { EventLog } from '../../src/evaluator/event-log';
import { type DrillWorld, POOL_A, POOL_B, startDrillWorld } from './support/drill-world';
import { checkWellFormedXml } from './support/xml-check';

let world: DrillWorld;

beforeAll(async () => {
  world = await startDrillWorld('live');
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

test('a live drill drains the pool for real, fails back, and passes with a full timeline', async () => {
  const live: TimelineStep[] = [];
  const answersDuring: string[][] = [];
  const report: DrillReport = await runDrill({
    config: world.config,
    redis: world.redis,
    service: 'web',
    pool: 'a',
    mode: 'live',
    durationMs: 4000,
    by: 'drill-test',
    reason: 'quarterly practice',
    onStep: (step) => {
      live.push(step);
      if (step.step === 'answer' && step.status === 'done')
        void world.answer().then((a) => answersDuring.push(a));
    },
  });
  if (report.verdict !== 'pass') throw new Error(`drill failed: ${JSON.stringify(report, null, 2)}`);

  const byStep = new Map(
    report.timeline.map((step) => [`${step.step}${step.target ? `@${step.target}` : ''}`, step]),
  );
  const order = [
    'injected',
    'first-flip',
    'quorum',
    'decision',
    'submitted@lab/lab.test',
    'in-sync@lab/lab.test',
    'restored',
    'pool-up',
    'failback-decision',
    'failback-applied@lab/lab.test',
  ];
  for (const name of [...order, 'answer', 'notified']) {
    expect({ name, status: byStep.get(name)?.status }).toEqual({ name, status: 'done' });
  }
  // Causal order on one clock (equal times allowed: some steps land in the same millisecond).
  const times = order.map((name) => byStep.get(name)?.at ?? Number.NaN);
  for (let i = 1; i < times.length; i += 1) {
    expect({
      step: order[i],
      after: order[i - 1],
      ok: (times[i] as number) >= (times[i - 1] as number),
    }).toEqual({
      step: order[i],
      after: order[i - 1],
      ok: true,
    });
  }
  expect(byStep.get('notified')?.at).toBeGreaterThanOrEqual(byStep.get('quorum')?.at ?? Infinity);
  // The name servers may serve the new answer before the provider calls the change in sync (the local
  // provider serves a change at once and reports it in sync after its syncDelay): after the submission only.
  expect(byStep.get('answer')?.at).toBeGreaterThanOrEqual(
    byStep.get('submitted@lab/lab.test')?.at ?? Infinity,
  );
  expect(byStep.get('answer')?.at).toBeLessThanOrEqual(byStep.get('restored')?.at ?? -Infinity);
  // The restore happens at the planned end, not before.
  expect(byStep.get('restored')?.at).toBeGreaterThanOrEqual(report.plannedEndAt);
  expect(byStep.get('first-flip')?.detail).toMatch(/^r[123] says a1 is down/);
  expect(byStep.get('answer')?.detail).toContain('providers.nameServers');
  expect(report.generations.failover).toBe(2);
  expect(report.generations.failback).toBe(3);
  expect(report.objectives.map((o) => [o.objective, o.status, o.to])).toEqual([
    ['failoverWithin', 'pass', 'answer'],
    ['failbackWithin', 'pass', 'failback-applied'],
    ['notifyWithin', 'pass', 'notified'],
  ]);
  expect(report.checks.every((check) => check.status === 'pass')).toBe(true);
  // The live output heard every step exactly once.
  expect(live.map((step) => `${step.step}${step.target ? `@${step.target}` : ''}`).sort()).toEqual(
    [...byStep.keys()].sort(),
  );
  // DNS really moved to pool b during the drill and is back on pool a now.
  expect(answersDuring.flat()).toEqual([POOL_B]);
  expect(await world.answer()).toEqual([POOL_A]);
  // The overlay is gone; the report is in drillRuns; the drill's events are tagged and were notified.
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
  const [stored] = await new DrillStore(world.redis, world.keys).runs('web', 1);
  expect(stored).toMatchObject({ id: report.id, verdict: 'pass' });
  const events = await new EventLog(world.redis, world.keys).read({
    services: ['web'],
    sinceMs: report.startedAt,
  });
  const started = events.find((e) => e.kind === 'drill-started');
  const ended = events.find((e) => e.kind === 'drill-ended');
  expect(started).toMatchObject({ drill: true, drillRun: { id: report.id, mode: 'live' }, pool: 'a' });
  expect(ended?.message).toContain('PASSED');
  const drained = events.find((e) => e.kind === 'decision-changed' && e.generation === 2);
  expect(drained?.drill).toBe(true);
  const hooks = await world.receiver.waitForRequests(2, { prefix: '/hook', timeoutMs: 15_000 });
  expect(hooks.some((request) => request.body.includes(report.id))).toBe(true);

  // The files: JSON round trips, Markdown has the tables, SVG is well-formed and shows every step.
  const files = await writeDrillReport(report, `${world.dir}/reports`);
  expect(JSON.parse(readFileSync(files.json, 'utf8'))).toMatchObject({ id: report.id, verdict: 'pass' });
  const markdown = readFileSync(files.markdown, 'utf8');
  expect(markdown).toContain(`# Drill ${report.id}: PASS`);
  expect(markdown).toContain('| failoverWithin | injected -> answer |');
  const svg = readFileSync(files.svg, 'utf8');
  checkWellFormedXml(svg);
  for (const step of report.timeline) expect(svg).toContain(step.label.replace(/&/g, '&amp;'));
}, 120_000);

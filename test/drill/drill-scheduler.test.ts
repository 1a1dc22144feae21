/**
 * Scheduled drills: when a schedule fires next (its cron in its time zone), what a blocked window does (pure,
 * with fixed times), and a real run through BullMQ: one job scheduler per schedule, a firing that runs a drill
 * through the pipeline and one that a blocked window skips, both kept in `drillRuns`.
 */
import { Queue } from 'bullmq';
import type { Config, DrillSchedule, Service } from '../../src/config/types';
import type { DrillReport } from '../../src/drill/drill-report';
import {
  blockedWindowAt,
  cronPattern,
  DrillScheduler,
  nextDrillRun,
  scheduledRunDecision,
} from '../../src/drill/drill-scheduler';
import { DrillStore, type SkippedDrillRun } from '../../src/drill/drill-store';
import { Evaluator } from '../../src/evaluator/evaluator';
import { EventLog } from '../../src/evaluator/event-log';
import { drillSchedulerId, QueueName } from '../../src/evaluator/queues';
import { memoryLogger } from '../../src/probe/logger';
import { Registry } from 'prom-client';
import { type DrillWorld, SHARED_REDIS_URL, startDrillWorld, waitFor } from './support/drill-world';

const schedule = (fields: Partial<DrillSchedule> = {}): DrillSchedule => ({
  id: 'weekly',
  pool: 'a',
  cron: '0 10 * * TUE',
  timezone: 'Europe/Berlin',
  mode: 'dry',
  duration: 300_000,
  blockedWindows: [],
  ...fields,
});

describe('when a scheduled drill runs (fixed clock)', () => {
  test('the next firing follows the cron in the schedule’s time zone, across daylight saving', () => {
    // Monday 2027-03-22 12:00 UTC -> Tuesday 10:00 in Berlin, still winter time (UTC+1) = 09:00 UTC.
    expect(new Date(nextDrillRun(schedule(), Date.UTC(2027, 2, 22, 12))).toISOString()).toBe(
      '2027-03-23T09:00:00.000Z',
    );
    // After the switch to summer time (2027-03-28), 10:00 Berlin = 08:00 UTC.
    expect(new Date(nextDrillRun(schedule(), Date.UTC(2027, 2, 23, 9))).toISOString()).toBe(
      '2027-03-30T08:00:00.000Z',
    );
    expect(
      new Date(
        nextDrillRun(schedule({ cron: '@daily', timezone: 'UTC' }), Date.UTC(2027, 0, 1, 5)),
      ).toISOString(),
    ).toBe('2027-01-02T00:00:00.000Z');
  });

  test('macros are written out for BullMQ; five-field patterns pass as they are', () => {
    expect(cronPattern({ cron: '@weekly' })).toBe('0 0 * * 0');
    expect(cronPattern({ cron: ' @Hourly ' })).toBe('0 * * * *');
    expect(cronPattern({ cron: '0 14 15 1,4,7,10 *' })).toBe('0 14 15 1,4,7,10 *');
  });

  test('a blocked window skips the firings inside it (from inclusive, to exclusive), with its reason', () => {
    const freeze = {
      from: Date.UTC(2026, 11, 18),
      to: Date.UTC(2027, 0, 5),
      reason: 'year-end change freeze',
    };
    const s = schedule({ blockedWindows: [freeze] });
    expect(blockedWindowAt(s, freeze.from - 1)).toBeUndefined();
    expect(blockedWindowAt(s, freeze.from)).toBe(freeze);
    expect(blockedWindowAt(s, freeze.to - 1)).toBe(freeze);
    expect(blockedWindowAt(s, freeze.to)).toBeUndefined();
    // The first Tuesday firing in the window is skipped; the first after it runs.
    const inside = nextDrillRun(s, freeze.from);
    expect(scheduledRunDecision(s, inside, false)).toEqual({
      run: false,
      reason: 'blocked window 2026-12-18T00:00:00.000Z - 2027-01-05T00:00:00.000Z (year-end change freeze)',
    });
    expect(scheduledRunDecision(s, nextDrillRun(s, freeze.to), false)).toEqual({ run: true });
    expect(scheduledRunDecision(s, nextDrillRun(s, freeze.to), true)).toEqual({
      run: false,
      reason: 'another drill of this service is running',
    });
  });
});

describe('scheduled drills through BullMQ', () => {
  let world: DrillWorld;

  beforeAll(async () => {
    world = await startDrillWorld('sched', {
      extraServices: (ports) => `  quiet:
    names: [quiet.lab.test]
    pools:
      a:
        endpoints:
          - { name: q1, address: 192.0.2.50, check: { port: ${ports.a} } }
      b:
        endpoints:
          - { name: q2, address: 192.0.2.51, check: { port: ${ports.b} } }
    providers:
      - { provider: lab }
    drills:
      - id: frozen
        pool: a
        cron: '@weekly'
        blockedWindows:
          - { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', reason: 'always frozen' }
`,
    });
  }, 60_000);

  afterAll(async () => {
    await world?.dispose();
  });

  test('one scheduler per schedule; a firing runs a drill, a blocked one is skipped, both recorded', async () => {
    const config: Config = {
      ...world.config,
      services: {
        ...world.config.services,
        web: {
          ...(world.config.services.web as Service),
          drills: [schedule({ id: 'practice', duration: 2000, timezone: 'UTC' })],
        },
      },
    };
    const runs: Array<{ service: string; result: DrillReport | SkippedDrillRun }> = [];
    const logger = memoryLogger();
    const scheduler = await DrillScheduler.start({
      config: () => config,
      redisUrl: SHARED_REDIS_URL,
      id: 'sched-test',
      logger,
      everyMs: 1000,
      drill: { postRestoreWaitMs: 5000 },
      onRun: (service, result) => runs.push({ service, result }),
    });
    try {
      const queue = new Queue(QueueName.drill, { connection: world.redis, prefix: world.keys.queuePrefix });
      const ids = (await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key).sort();
      expect(ids).toEqual([drillSchedulerId('quiet', 'frozen'), drillSchedulerId('web', 'practice')]);
      await queue.close();

      const ran = await waitFor(() => runs.find((r) => r.service === 'web' && !('skipped' in r.result)), {
        what: 'a scheduled drill of web to finish',
        timeoutMs: 40_000,
      });
      const report = ran.result as DrillReport;
      expect(report).toMatchObject({
        by: 'scheduler:practice',
        trigger: 'scheduler:practice',
        mode: 'dry',
        pools: ['a'],
      });
      expect(report.timeline.find((s) => s.step === 'decision')?.status).toBe('done');
      const skipped = await waitFor(() => runs.find((r) => r.service === 'quiet'), {
        what: 'the blocked firing of quiet',
      });
      expect(skipped.result).toMatchObject({
        skipped: true,
        schedule: 'frozen',
        reason: expect.stringContaining('always frozen'),
      });

      const store = new DrillStore(world.redis, world.keys);
      expect((await store.runs('web')).some((r) => 'id' in r && r.id === report.id)).toBe(true);
      expect((await store.runs('quiet'))[0]).toMatchObject({ skipped: true });
      const events = await new EventLog(world.redis, world.keys).read({ services: ['web', 'quiet'] });
      expect(events.filter((e) => e.kind === 'drill-started').map((e) => [e.service, e.by])).toContainEqual([
        'web',
        'scheduler:practice',
      ]);
      expect(events.some((e) => e.service === 'quiet' && e.kind === 'drill-started')).toBe(false);

      // A schedule leaving the config loses its job scheduler.
      const without = {
        ...config,
        services: {
          ...config.services,
          quiet: { ...(config.services.quiet as Service), drills: [] },
        },
      };
      expect((await scheduler.sync(without)).removed).toEqual([drillSchedulerId('quiet', 'frozen')]);
    } finally {
      await scheduler.close();
    }
    expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
  }, 90_000);

  test('with its cron, a schedule is a BullMQ pattern in its time zone, due when our cron says', async () => {
    const config = {
      ...world.config,
      services: {
        quiet: {
          ...(world.config.services.quiet as Service),
          drills: [schedule({ id: 'tuesday' })],
        },
      },
    };
    const scheduler = await DrillScheduler.start({
      config: () => config,
      redisUrl: SHARED_REDIS_URL,
      id: 'cron-test',
      logger: memoryLogger(),
    });
    const queue = new Queue(QueueName.drill, { connection: world.redis, prefix: world.keys.queuePrefix });
    try {
      const found = await queue.getJobScheduler(drillSchedulerId('quiet', 'tuesday'));
      expect(found).toMatchObject({ pattern: '0 10 * * TUE', tz: 'Europe/Berlin' });
      expect(found?.next).toBe(nextDrillRun(schedule(), Date.now()));
    } finally {
      await scheduler.sync({ ...config, services: {} });
      await queue.close();
      await scheduler.close();
    }
  }, 30_000);

  test('the evaluator runs the drill schedules of its config when asked to, and drops them on reload', async () => {
    const evaluator = await Evaluator.start({
      config: world.config,
      redisUrl: SHARED_REDIS_URL,
      id: 'drills-in-evaluator',
      registry: new Registry(),
      logger: memoryLogger(),
      drills: true,
    });
    const queue = new Queue(QueueName.drill, { connection: world.redis, prefix: world.keys.queuePrefix });
    try {
      expect(await queue.getJobScheduler(drillSchedulerId('quiet', 'frozen'))).toMatchObject({
        pattern: '0 0 * * 0',
        tz: 'UTC',
      });
      expect((await evaluator.readiness()).reasons).not.toContain('drill scheduler is not running');
      const quiet = world.config.services.quiet as Service;
      await evaluator.reload({
        ...world.config,
        services: { ...world.config.services, quiet: { ...quiet, drills: [] } },
      });
      expect(await queue.getJobScheduler(drillSchedulerId('quiet', 'frozen'))).toBeUndefined();
    } finally {
      await queue.close();
      await evaluator.close();
    }
  }, 30_000);
  test('schedulers lost with Redis data (ticks and drills) are re-created by the evaluator', async () => {
    const evaluator = await Evaluator.start({
      config: world.config,
      redisUrl: SHARED_REDIS_URL,
      id: 'drills-watch',
      registry: new Registry(),
      logger: memoryLogger(),
      drills: true,
      schedulerWatchMs: 200,
    });
    const prefix = { connection: world.redis, prefix: world.keys.queuePrefix };
    const ticks = new Queue(QueueName.evaluate, prefix);
    const drills = new Queue(QueueName.drill, prefix);
    const services = Object.keys(world.config.services).length;
    try {
      expect(await ticks.getJobSchedulersCount()).toBe(services);
      expect(await drills.getJobScheduler(drillSchedulerId('quiet', 'frozen'))).toBeDefined();
      // What a Redis that restarts without its data leaves: no scheduler at all.
      for (const queue of [ticks, drills]) {
        for (const scheduler of await queue.getJobSchedulers(0, -1)) {
          await queue.removeJobScheduler(scheduler.id ?? scheduler.key);
        }
      }
      expect(await ticks.getJobSchedulersCount()).toBe(0);
      await waitFor(async () => (await ticks.getJobSchedulersCount()) === services, {
        what: 'tick schedulers re-created',
        timeoutMs: 10_000,
      });
      await waitFor(
        async () => (await drills.getJobScheduler(drillSchedulerId('quiet', 'frozen'))) !== undefined,
        {
          what: 'drill scheduler re-created',
          timeoutMs: 10_000,
        },
      );
    } finally {
      await Promise.all([ticks.close(), drills.close()]);
      await evaluator.close();
    }
  }, 30_000);
});

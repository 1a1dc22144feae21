/**
 * `quorumdns drill stop` leaves an audit trace: with no runner alive (a crashed one), the `drill-stopped`
 * event in the service's events stream is the only record that an operator ended the drill. It is routed
 * like every drill event (a notify job per route that takes info, none for a warning-only route), also for
 * an overlay that cannot be read; a stop with nothing running writes nothing.
 */
import { Queue } from 'bullmq';
import { main } from '../../src/cli/main';
import { DrillStore } from '../../src/drill/drill-store';
import { EventLog } from '../../src/evaluator/event-log';
import { type NotifyJobData, QueueName } from '../../src/evaluator/queues';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import type { StoredEvent } from '../../src/evaluator/service-record';
import { buildNotification } from '../../src/notify/build-notification';
import { captureIo } from '../support/capture-io';
import { type DrillWorld, startDrillWorld } from './support/drill-world';

let world: DrillWorld;
let notifyQueue: Queue<NotifyJobData>;

beforeAll(async () => {
  // No pipeline: no runner, no notify worker; the jobs the stop adds stay in the queue to be looked at.
  world = await startDrillWorld('stop-audit', {
    pipeline: false,
    extraServices: (ports) => `  quiet:
    names: [quiet.lab.test]
    pools:
      a:
        endpoints:
          - { name: q1, address: 192.0.2.70, check: { port: ${ports.a} } }
      b:
        endpoints:
          - { name: q2, address: 192.0.2.71, check: { port: ${ports.b} } }
    providers:
      - { provider: lab }
    notify:
      - { channel: hook, minSeverity: warning }
`,
  });
  notifyQueue = new Queue<NotifyJobData>(QueueName.notify, {
    connection: world.redis,
    prefix: world.keys.queuePrefix,
  });
}, 60_000);

afterAll(async () => {
  await notifyQueue?.close();
  await world?.dispose();
});

async function stop(service: string, by: string) {
  const io = captureIo({ cwd: world.dir });
  const code = await main(
    ['drill', 'stop', '--config', world.configPath, '--service', service, '--by', by],
    io,
  );
  return { code, out: io.stdoutText(), err: io.stderrText() };
}

async function placeOverlay(service: string, id: string): Promise<void> {
  const now = await redisTimeMs(world.redis);
  const placed = await new DrillStore(world.redis, world.keys).place({
    id,
    service,
    pools: ['a'],
    mode: 'live',
    startedAt: now,
    endsAt: now + 600_000,
    by: 'scheduler:practice',
  });
  expect(placed).toEqual({ placed: true });
}

async function eventsOf(service: string): Promise<StoredEvent[]> {
  return new EventLog(world.redis, world.keys).read({ services: [service] });
}

async function notifyJobsOf(event: StoredEvent): Promise<NotifyJobData[]> {
  const jobs = await notifyQueue.getJobs(['waiting', 'delayed', 'prioritized']);
  return jobs
    .map((job) => job.data)
    .filter((data) => data.eventId === event.id && data.service === event.service);
}

test('a stop with no runner writes drill-stopped (who, which drill) and notifies the routes that take info', async () => {
  await placeOverlay('web', 'drill-crashed');
  const result = await stop('web', 'oncall');
  expect(result).toEqual({
    code: 0,
    out: 'stopped drill drill-crashed (live) on web (by oncall); probes report real results again\n',
    err: '',
  });
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);

  const stopped = (await eventsOf('web')).filter((event) => event.kind === 'drill-stopped');
  expect(stopped).toHaveLength(1);
  const [event] = stopped as [StoredEvent];
  expect(event).toMatchObject({
    kind: 'drill-stopped',
    severity: 'info',
    service: 'web',
    pool: 'a',
    drill: true,
    by: 'oncall',
    drillRun: { id: 'drill-crashed', mode: 'live' },
    message: 'drill drill-crashed stopped by oncall (live drill of pool a, started by scheduler:practice)',
  });
  expect(await notifyJobsOf(event)).toEqual([
    { service: 'web', eventId: event.id, channel: 'hook', drill: true },
  ]);

  // What the channel will say: a drill message, tagged, paging nobody.
  const notification = buildNotification({ config: world.config, service: 'web', events: [event] });
  expect(notification).toMatchObject({
    kind: 'drill-stopped',
    severity: 'info',
    drill: true,
    drillId: 'drill-crashed',
    title: '[DRILL] web: drill drill-crashed (live) stopped by oncall',
  });
  expect(notification?.summary).toContain('Drill drill-crashed stopped by oncall');
  expect(notification?.incident).toBeUndefined();

  // Had a live runner's own end been grouped with it, the stop stays the news and the verdict comes along.
  const ended: StoredEvent = {
    ...event,
    id: `${event.at + 5}-0`,
    kind: 'drill-ended',
    severity: 'warning',
    by: 'scheduler:practice',
    message: 'drill drill-crashed (live) of pool a FAILED (interrupted: stopped by an operator)',
  };
  const grouped = buildNotification({ config: world.config, service: 'web', events: [ended, event] });
  expect(grouped).toMatchObject({ kind: 'drill-stopped', severity: 'warning' });
  expect(grouped?.summary).toBe(
    'Drill drill-crashed stopped by oncall (live drill of pool a, started by scheduler:practice).' +
      ' Drill drill-crashed (live) of pool a FAILED (interrupted: stopped by an operator).',
  );
});

test('a route that takes only warnings gets no job for it', async () => {
  await placeOverlay('quiet', 'drill-quiet');
  expect((await stop('quiet', 'oncall')).code).toBe(0);
  const [event] = (await eventsOf('quiet')).filter((e) => e.kind === 'drill-stopped');
  expect(event?.by).toBe('oncall');
  expect(await notifyJobsOf(event as StoredEvent)).toEqual([]);
});

test('an unreadable overlay is stopped and the event says so, without an invented drill id', async () => {
  await world.redis.set(world.keys.service('web').drill, 'not an overlay', 'PX', 600_000);
  const result = await stop('web', 'oncall');
  expect(result.out).toBe(
    'stopped an unreadable drill overlay on web (by oncall); probes report real results again\n',
  );
  const [event] = (await eventsOf('web')).filter(
    (e) => e.kind === 'drill-stopped' && e.drillRun === undefined,
  );
  expect(event).toMatchObject({ severity: 'info', drill: true, by: 'oncall' });
  expect(event?.pool).toBeUndefined();
  expect(event?.message).toMatch(
    /^drill \(unreadable overlay: \S+:\{web\}:drill: drill overlay is not JSON\) stopped by oncall$/,
  );
  expect(await notifyJobsOf(event as StoredEvent)).toHaveLength(1);
  expect(
    buildNotification({ config: world.config, service: 'web', events: [event as StoredEvent] })?.title,
  ).toBe('[DRILL] web: drill (unreadable overlay) stopped by oncall');
});

test('a stop with nothing running writes no event', async () => {
  const before = await eventsOf('web');
  expect(await stop('web', 'oncall')).toEqual({ code: 0, out: 'no drill is running on web\n', err: '' });
  expect(await eventsOf('web')).toEqual(before);
});

test('when the event cannot be written the stop still happens, is printed, and exits 1 saying why', async () => {
  await placeOverlay('quiet', 'drill-unaudited');
  const events = world.keys.service('quiet').events;
  const saved = `${events}:aside`;
  await world.redis.rename(events, saved);
  // A value of the wrong type: the events stream refuses the append (WRONGTYPE), a real Redis error.
  await world.redis.set(events, 'not a stream');
  try {
    const result = await stop('quiet', 'oncall');
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      'stopped drill drill-unaudited (live) on quiet (by oncall); probes report real results again\n',
    );
    expect(result.err).toMatch(
      /^quorumdns drill: the drill-stopped event could not be written to the events stream: WRONGTYPE .*\n$/,
    );
    expect(await world.redis.exists(world.keys.service('quiet').drill)).toBe(0);
  } finally {
    await world.redis.del(events);
    await world.redis.rename(saved, events);
  }
});

/**
 * Grouping with real workers: the events of one commit are one message per channel even with several
 * workers racing on their jobs; events within a route's quiet period are one message; the cursor and lease
 * primitives behave under contention.
 */
import { Redis } from 'ioredis';
import { NotifyCursorStore } from '../../../src/notify/notify-cursor';
import { redisKeys } from '../../../src/redis/keys';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../support/redis-test-keys';
import { waitFor } from '../../support/wait-for';
import { createNotifyHarness, failoverEvents, type NotifyHarness } from '../support/notify-harness';

jest.setTimeout(60_000);

let h: NotifyHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

interface Body {
  id: string;
  kind: string;
  eventIds: string[];
}

const bodyOf = (text: string | undefined): Body => JSON.parse(text ?? '{}') as Body;

test('the events of one commit are one message per channel, even with two workers racing', async () => {
  h = await createNotifyHarness('commit', {
    routes: [
      { channel: 'ops', minSeverity: 'warning' },
      { channel: 'audit', minSeverity: 'info' },
    ],
  });
  const harness = h;
  await harness.startWorker({ id: 'w1' });
  await harness.startWorker({ id: 'w2' });
  const events = await harness.emit([
    { kind: 'endpoint-verdict', severity: 'info', endpoint: 'a1', message: 'api: a1 is down' },
    { kind: 'pool-verdict', severity: 'info', pool: 'a', message: 'api: pool a is down' },
    ...failoverEvents(),
  ]);
  const jobs = 2 + 4; // ops takes the two warnings, audit all four
  await waitFor(async () => (await harness.queue.getJobCounts('completed')).completed === jobs, {
    what: 'every notify job completed',
  });
  expect(harness.receiver.requestsTo('/ops')).toHaveLength(1);
  expect(harness.receiver.requestsTo('/audit')).toHaveLength(1);
  const ops = bodyOf(harness.receiver.requestsTo('/ops')[0]?.body);
  const audit = bodyOf(harness.receiver.requestsTo('/audit')[0]?.body);
  expect(ops.kind).toBe('failover');
  expect(ops.eventIds.sort()).toEqual(
    events
      .slice(2)
      .map((event) => event.id)
      .sort(),
  );
  expect(audit.eventIds.sort()).toEqual(events.map((event) => event.id).sort());
  const outcomes = (await harness.queue.getJobs(['completed'])).map(
    (job) => (job.returnvalue as { outcome: string }).outcome,
  );
  // One job per channel sent; the others found their event already covered.
  expect(outcomes.filter((outcome) => outcome === 'delivered')).toHaveLength(2);
  expect(outcomes.filter((outcome) => outcome === 'covered')).toHaveLength(jobs - 2);
});

test('events within the quiet period are one message; a later event is the next one', async () => {
  h = await createNotifyHarness('quiet', { routes: [{ channel: 'ops', quietPeriod: 3000 }] });
  const harness = h;
  await harness.startWorker();
  const [first] = await harness.emit([{ kind: 'override-set', message: 'api: frozen by alice' }]);
  const [second] = await harness.emit([{ kind: 'override-removed', message: 'api: unfrozen by alice' }]);
  const [request] = await harness.receiver.waitForRequests(1, { prefix: '/ops' });
  // Not before the quiet period of the first event ended (lower bound only).
  expect((request?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2900);
  expect(bodyOf(request?.body).eventIds).toEqual([first?.id, second?.id]);
  await waitFor(async () => (await harness.queue.getJobCounts('completed')).completed === 2, {
    what: 'both jobs completed',
  });
  expect(harness.receiver.requestsTo('/ops')).toHaveLength(1);

  const [third] = await harness.emit([{ kind: 'override-set', message: 'api: frozen again' }]);
  const requests = await harness.receiver.waitForRequests(2, { prefix: '/ops' });
  expect(bodyOf(requests[1]?.body).eventIds).toEqual([third?.id]);
});

test('events nobody would read are stepped over without a message', async () => {
  h = await createNotifyHarness('quiet-kinds', { routes: [{ channel: 'audit' }] });
  const harness = h;
  await harness.startWorker();
  await harness.emit([{ kind: 'endpoint-verdict', severity: 'info', endpoint: 'a1', message: 'api: a1 up' }]);
  await waitFor(async () => (await harness.queue.getJobCounts('completed')).completed === 1, {
    what: 'the job to complete',
  });
  expect(harness.receiver.requests).toHaveLength(0);
  const [job] = await harness.queue.getJobs(['completed']);
  expect(job?.returnvalue).toMatchObject({ outcome: 'nothing-to-send' });
  const cursor = JSON.parse((await harness.redis.hget(harness.keys.service('api').notify, 'audit')) ?? '{}');
  expect(cursor).toMatchObject({ lastOutcome: 'nothing-to-send' });
});

describe('cursor and lease', () => {
  const prefix = randomPrefix('notify-cursor');
  const redis = new Redis(SHARED_REDIS_URL);
  const store = new NotifyCursorStore(redis, redisKeys(prefix));
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  test('one holder at a time; release and advance only by the holder; compare-and-set on the cursor', async () => {
    const first = await store.acquire('api', 'ops', 10_000);
    expect(first).toBeDefined();
    expect(await store.acquire('api', 'ops', 10_000)).toBeUndefined();
    // Another channel of the same service is independent.
    const other = await store.acquire('api', 'audit', 10_000);
    expect(other).toBeDefined();

    const cursor = { lastEventId: '100-0', updatedAt: 1, lastOutcome: 'delivered' as const };
    const intruder = { service: 'api', channel: 'ops', token: 'not-the-holder' };
    expect(await store.advance(intruder, undefined, cursor)).toBe('lease-lost');
    expect(await store.advance(first!, '99-0', cursor)).toBe('cursor-moved-meanwhile');
    expect(await store.advance(first!, undefined, cursor)).toBe('moved');
    expect((await store.read('api', 'ops')).cursor).toEqual(cursor);
    expect(await store.advance(first!, undefined, { ...cursor, lastEventId: '200-0' })).toBe(
      'cursor-moved-meanwhile',
    );

    await store.release(intruder);
    expect(await store.acquire('api', 'ops', 10_000)).toBeUndefined();
    await store.release(first!);
    expect(await store.acquire('api', 'ops', 10_000)).toBeDefined();
  });

  test('an expired lease is taken over; an unreadable cursor reads as none and is repaired by a move', async () => {
    expect(await store.acquire('svc2', 'ops', 1)).toBeDefined();
    await waitFor(async () => (await store.acquire('svc2', 'ops', 10_000)) !== undefined, {
      what: 'the 1 ms lease to expire',
    });
    await redis.hset(redisKeys(prefix).service('svc3').notify, 'ops', '{not json');
    const read = await store.read('svc3', 'ops');
    expect(read.cursor).toBeUndefined();
    expect(read.unreadable).toMatch(/not JSON/);
    const lease = await store.acquire('svc3', 'ops', 10_000);
    const next = { lastEventId: '5-1', updatedAt: 2, lastOutcome: 'expired' as const };
    expect(await store.advance(lease!, undefined, next)).toBe('moved');
    expect((await store.read('svc3', 'ops')).cursor).toEqual(next);
  });
});

test("a drill's events are sent tagged as a drill", async () => {
  h = await createNotifyHarness('drill', { routes: [{ channel: 'ops', minSeverity: 'warning' }] });
  const harness = h;
  await harness.startWorker();
  const events = await harness.emit(failoverEvents().map((event) => ({ ...event, drill: true })));
  const [job] = await harness.queue.getJobs(['waiting', 'active', 'completed', 'delayed']);
  expect(job?.data.drill).toBe(true);
  const [request] = await harness.receiver.waitForRequests(1, { prefix: '/ops' });
  const body = JSON.parse(request?.body ?? '{}') as Body & { drill: boolean; title: string };
  expect(body.drill).toBe(true);
  expect(body.title).toMatch(/^\[DRILL\] /);
  expect(body.eventIds.sort()).toEqual(events.map((event) => event.id).sort());
});

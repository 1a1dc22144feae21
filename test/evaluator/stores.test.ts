/** The evaluator's Redis stores against the real Redis: compare-and-set, touch, overrides, events. */
import { CorruptEventError, CorruptOverrideError, CorruptStateError } from '../../src/evaluator/errors';
import { EventLog, FOLLOW_CONNECTION_NAME } from '../../src/evaluator/event-log';
import { EXPIRED_OVERRIDE_GRACE_MS, OverrideStore } from '../../src/evaluator/override-store';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { NO_RECORD, type StoredEvent, type StoredEventInput } from '../../src/evaluator/service-record';
import { StateStore } from '../../src/evaluator/state-store';
import type { Override } from '../../src/quorum/types';
import { firstDecisionRecord, testRedis, waitFor } from './support/fixtures';

const fixture = testRedis('stores');
const { redis, keys } = fixture;
const states = new StateStore(redis, keys, { eventsMaxLength: 50 });
const overrides = new OverrideStore(redis, keys);
const log = new EventLog(redis, keys, { blockMs: 100, maxLength: 50 });

afterAll(() => fixture.dispose());

const recordAt = firstDecisionRecord;

function event(service: string, generation: number, message: string, at = 1000): StoredEventInput {
  return { kind: 'decision-changed', severity: 'info', service, message, at, generation };
}

describe('StateStore', () => {
  test('an unknown service has no record', async () => {
    expect(await states.read('nobody')).toBeUndefined();
    expect(await states.readVersioned('nobody')).toBeUndefined();
  });

  test('commit writes record and events atomically; a stale expectation conflicts and writes nothing', async () => {
    const first = await states.commit('cas', NO_RECORD, recordAt('cas', 1, 1000), [event('cas', 1, 'one')]);
    expect(first).toMatchObject({ outcome: 'committed', version: 1 });
    const stored = await states.readVersioned('cas');
    expect(stored?.version).toBe(1);
    expect(stored?.record).toEqual(recordAt('cas', 1, 1000));

    // A second evaluator that read "no record" loses, and its events never reach the stream.
    const late = await states.commit('cas', NO_RECORD, recordAt('cas', 1, 1001), [
      event('cas', 1, 'duplicate'),
    ]);
    expect(late).toEqual({ outcome: 'conflict', current: { generation: 1, version: 1 } });
    expect((await log.read({ services: ['cas'] })).map((e) => e.message)).toEqual(['one']);

    const second = await states.commit('cas', { generation: 1, version: 1 }, recordAt('cas', 2, 2000), []);
    expect(second).toEqual({ outcome: 'committed', version: 2, eventIds: [] });
    expect((await states.read('cas'))?.generation).toBe(2);
  });

  test('concurrent commits from the same position: exactly one wins', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        states.commit('race', NO_RECORD, recordAt('race', 1, 1000 + i), [event('race', 1, `e${i}`)]),
      ),
    );
    expect(results.filter((result) => result.outcome === 'committed')).toHaveLength(1);
    expect(await log.read({ services: ['race'] })).toHaveLength(1);
  });

  test('touch moves evaluatedAt forward only and never creates a record', async () => {
    await states.touch('untouched', 5000);
    expect(await redis.exists(keys.service('untouched').state)).toBe(0);
    await states.commit('touch', NO_RECORD, recordAt('touch', 1, 1000), []);
    await states.touch('touch', 3000);
    await states.touch('touch', 2000);
    const stored = await states.readVersioned('touch');
    expect(stored?.record.evaluatedAt).toBe(3000);
    expect(stored?.version).toBe(1);
  });

  test('a commit with events leaves a pending dispatch until it is cleared for that version', async () => {
    const committed = await states.commit('owe', NO_RECORD, recordAt('owe', 1, 1000), [
      event('owe', 1, 'a'),
      event('owe', 1, 'b'),
    ]);
    if (committed.outcome !== 'committed') throw new Error('expected a commit');
    expect(await states.readPendingDispatch('owe')).toEqual({ version: 1, eventIds: committed.eventIds });
    expect(await states.clearDispatch('owe', 2)).toBe(false);
    expect(await states.clearDispatch('owe', 1)).toBe(true);
    expect(await states.readPendingDispatch('owe')).toBeUndefined();
  });

  test('readMany reads several services in one round trip', async () => {
    await states.commit('many-1', NO_RECORD, recordAt('many-1', 1, 1000), []);
    const records = await states.readMany(['many-1', 'many-none']);
    expect([...records.keys()]).toEqual(['many-1']);
  });

  test.each([
    ['record', '{"state":', 'record', /not valid JSON/],
    ['record', JSON.stringify({ generation: 1 }), 'record.decidedAt', /expected number/],
    ['state', JSON.stringify({ endpoints: {}, pools: 7 }), 'state.pools', /expected record/],
    ['state', '{"endpoints":{"a1":"sideways"}}', 'state.endpoints.a1', /Invalid option/],
    ['generation', 'seven', 'generation', /not a non-negative integer/],
  ])('corrupt %s gives CorruptStateError naming the key and field', async (field, value, named, problem) => {
    const service = `bad-${named}`;
    await states.commit(service, NO_RECORD, recordAt(service, 1, 1000), []);
    await redis.hset(keys.service(service).state, field, value);
    const error = await states.read(service).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CorruptStateError);
    expect(error).toMatchObject({ code: 'ECORRUPTSTATE', key: keys.service(service).state, field: named });
    expect((error as Error).message).toMatch(problem);
  });
});

describe('OverrideStore', () => {
  const freeze = (id: string, createdAt: number, expiresAt?: number): Override => ({
    kind: 'freeze',
    id,
    by: 'alice',
    reason: 'test',
    createdAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });

  test('list returns only overrides in force; listStored keeps recently expired ones for the core', async () => {
    const now = await redisTimeMs(redis);
    await overrides.set('ov', freeze('old', now - 10_000, now - 1));
    await overrides.set('ov', freeze('live', now - 5000, now + 60_000));
    await overrides.set('ov', freeze('forever', now - 1000));
    expect((await overrides.list('ov', now)).map((o) => o.id)).toEqual(['live', 'forever']);
    expect((await overrides.listStored('ov')).map((o) => o.id)).toEqual(['old', 'live', 'forever']);
    expect((await overrides.listAll(['ov', 'none'], now + 120_000)).get('ov')?.map((o) => o.id)).toEqual([
      'forever',
    ]);
    expect((await overrides.listAll(['ov', 'none'], now)).get('none')).toEqual([]);
    // One override without expiry keeps the hash.
    expect(await redis.pttl(keys.service('ov').overrides)).toBe(-1);
    expect(await overrides.remove('ov', 'forever')).toBe(true);
    expect(await overrides.remove('ov', 'forever')).toBe(false);
  });

  test('the hash expires (PX) after its last override has expired plus the grace', async () => {
    const now = await redisTimeMs(redis);
    await overrides.set('px', freeze('soon', now, now + 1000));
    const ttl = await redis.pttl(keys.service('px').overrides);
    expect(ttl).toBeGreaterThan(EXPIRED_OVERRIDE_GRACE_MS);
    expect(ttl).toBeLessThanOrEqual(1000 + EXPIRED_OVERRIDE_GRACE_MS);
  });

  test('set prunes overrides expired for longer than the grace', async () => {
    const now = await redisTimeMs(redis);
    await overrides.set(
      'prune',
      freeze('ancient', now - 2 * EXPIRED_OVERRIDE_GRACE_MS, now - EXPIRED_OVERRIDE_GRACE_MS - 1),
    );
    await overrides.set('prune', freeze('new', now, now + 1000));
    expect((await overrides.listStored('prune')).map((o) => o.id)).toEqual(['new']);
  });

  test('a corrupt override is a CorruptOverrideError naming the key and field', async () => {
    await redis.hset(
      keys.service('ov-bad').overrides,
      'x1',
      JSON.stringify({ kind: 'freeze', id: 'x1', by: 'a', reason: 'r' }),
    );
    await expect(overrides.list('ov-bad', 0)).rejects.toThrow(CorruptOverrideError);
    await expect(overrides.list('ov-bad', 0)).rejects.toMatchObject({ field: 'x1.createdAt' });
  });
});

describe('EventLog', () => {
  test('read merges services in time order, filters by time and keeps the newest `count`', async () => {
    // Across streams only the millisecond orders events: let the Redis clock move between the appends.
    const nextMs = async () => {
      const start = await redisTimeMs(redis);
      await waitFor(async () => (await redisTimeMs(redis)) > start, { intervalMs: 1 });
    };
    await log.append('ev-a', [event('ev-a', 1, 'a1')]);
    await nextMs();
    await log.append('ev-b', [event('ev-b', 1, 'b1')]);
    await nextMs();
    const [a2] = await log.append('ev-a', [event('ev-a', 2, 'a2')]);
    const all = await log.read({ services: ['ev-a', 'ev-b'] });
    expect(all.map((e) => e.message)).toEqual(['a1', 'b1', 'a2']);
    expect(all[2]?.id).toBe(a2);
    expect((await log.read({ services: ['ev-a', 'ev-b'], count: 2 })).map((e) => e.message)).toEqual([
      'b1',
      'a2',
    ]);
    const since = Number(a2?.split('-')[0]);
    expect((await log.read({ services: ['ev-a', 'ev-b'], sinceMs: since })).map((e) => e.message)).toContain(
      'a2',
    );
    expect(await log.read({ services: ['ev-a'], sinceMs: since + 60_000 })).toEqual([]);
  });

  test('the stream is capped (MAXLEN ~)', async () => {
    for (let i = 0; i < 5; i += 1) {
      await log.append(
        'capped',
        Array.from({ length: 100 }, (_, j) => event('capped', 1, `${i}-${j}`)),
      );
    }
    const length = await redis.xlen(keys.service('capped').events);
    expect(length).toBeLessThan(500);
    expect(length).toBeGreaterThanOrEqual(50);
  });

  test('follow delivers new events of several services until aborted', async () => {
    await log.append('fol-a', [event('fol-a', 1, 'before')]);
    const seen: StoredEvent[] = [];
    const controller = new AbortController();
    const following = log.follow({ services: ['fol-a', 'fol-b'], signal: controller.signal }, (e) =>
      seen.push(e),
    );
    // follow resolves the start ids first; wait until its reader blocks before appending.
    const blocked = async () =>
      String(await redis.client('LIST'))
        .split('\n')
        .some((line) => line.includes(`name=${FOLLOW_CONNECTION_NAME}`) && line.includes('cmd=xread'));
    await waitFor(blocked, { what: 'XREAD BLOCK' });
    await log.append('fol-b', [event('fol-b', 1, 'b-new')]);
    await log.append('fol-a', [event('fol-a', 2, 'a-new')]);
    await waitFor(() => seen.length >= 2, { what: 'two followed events' });
    controller.abort();
    await following;
    expect(seen.map((e) => e.message)).toEqual(['b-new', 'a-new']);
  });

  test('a corrupt entry is a CorruptEventError naming the key and the entry', async () => {
    const key = keys.service('ev-bad').events;
    const id = await redis.xadd(key, '*', 'event', JSON.stringify({ kind: 'x', severity: 'loud' }));
    await expect(log.read({ services: ['ev-bad'] })).rejects.toThrow(CorruptEventError);
    await expect(log.read({ services: ['ev-bad'] })).rejects.toMatchObject({
      key,
      field: `entry ${id} event.severity`,
    });
  });
});

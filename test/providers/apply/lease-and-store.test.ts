/**
 * The per-target apply lease and the applied-status store against the real Redis: the lease is exclusive,
 * released only by its holder's token, taken over after expiry (on the Redis clock), and a holder that
 * cannot renew learns it lost the lease. The store refuses to move a generation backwards and names the key
 * and field of anything it cannot read.
 */
import { AppliedStore, CorruptAppliedError } from '../../../src/providers/applied-store';
import { appliedField, type AppliedTarget } from '../../../src/providers/applied-target';
import { ApplyLease, LeaseBusyError, LeaseLostError } from '../../../src/providers/apply-lease';
import { waitFor } from '../../support/wait-for';
import { applyRedis } from './support/apply-fixture';

const fixture = applyRedis('lease');
const { redis, keys } = fixture;

afterAll(() => fixture.dispose());

describe('apply lease', () => {
  test('one holder at a time per target; other targets are independent; release by token', async () => {
    const lease = new ApplyLease(redis, keys, { ttlMs: 10_000 });
    const first = await lease.tryAcquire('api', 'aws', 'Z1', 'worker-1');
    expect(first.acquired).toBe(true);
    const second = await lease.tryAcquire('api', 'aws', 'Z1', 'worker-2');
    expect(second).toMatchObject({ acquired: false });
    if (second.acquired) throw new Error('unreachable');
    expect(second.holder).toMatch(/^worker-1#/);
    expect(second.remainingMs).toBeGreaterThan(5000);

    // Another zone, another provider, another service: not blocked.
    const others = await Promise.all([
      lease.tryAcquire('api', 'aws', 'Z2', 'worker-2'),
      lease.tryAcquire('api', 'gcp', 'Z1', 'worker-2'),
      lease.tryAcquire('www', 'aws', 'Z1', 'worker-2'),
    ]);
    expect(others.map((other) => other.acquired)).toEqual([true, true, true]);

    if (!first.acquired) throw new Error('unreachable');
    await first.lease.release();
    const third = await lease.tryAcquire('api', 'aws', 'Z1', 'worker-2');
    expect(third.acquired).toBe(true);
    for (const held of [...others, third]) if (held.acquired) await held.lease.release();
  });

  test('an expired lease is taken over, and the old holder can neither renew nor release it', async () => {
    const short = new ApplyLease(redis, keys, { ttlMs: 300, renewEveryMs: 60_000 });
    const old = await short.tryAcquire('expiry', 'aws', 'Z1', 'paused');
    if (!old.acquired) throw new Error('not acquired');
    const taken = await waitFor(
      async () => {
        const attempt = await short.tryAcquire('expiry', 'aws', 'Z1', 'fresh');
        return attempt.acquired ? attempt : undefined;
      },
      { what: 'the expired lease to be taken over', timeoutMs: 5000 },
    );
    // The paused holder wakes up and releases: the new holder's lease must survive.
    await old.lease.release();
    const stillHeld = await short.tryAcquire('expiry', 'aws', 'Z1', 'third');
    expect(stillHeld.acquired).toBe(false);
    await taken.lease.release();
  });

  test('a holder that cannot renew is told through its signal', async () => {
    const lease = new ApplyLease(redis, keys, { ttlMs: 400, renewEveryMs: 100 });
    const held = await lease.tryAcquire('lost', 'aws', 'Z1', 'holder');
    if (!held.acquired) throw new Error('not acquired');
    // Someone deletes the lease (an operator, or expiry during a long pause): the next renewal fails.
    await redis.hdel(keys.service('lost').applyLease, appliedField('aws', 'Z1'));
    await redis.hset(
      keys.service('lost').applyLease,
      appliedField('aws', 'Z1'),
      `${Date.now() + 60_000}|intruder`,
    );
    await waitFor(() => held.lease.signal.aborted, { what: 'the lease-lost signal', timeoutMs: 5000 });
    expect(held.lease.signal.reason).toBeInstanceOf(LeaseLostError);
    await held.lease.release();
    // The intruder's lease was not released by the old holder.
    expect(await redis.hget(keys.service('lost').applyLease, appliedField('aws', 'Z1'))).toMatch(
      /\|intruder$/,
    );
  });

  test('a holder keeps its lease beyond the ttl by renewing it', async () => {
    // Renewals every 100 ms keep a 600 ms lease: a stall of half a second on a busy machine is still fine.
    const lease = new ApplyLease(redis, keys, { ttlMs: 600, renewEveryMs: 100 });
    const held = await lease.tryAcquire('renew', 'aws', 'Z1', 'holder');
    if (!held.acquired) throw new Error('not acquired');
    const other = new ApplyLease(redis, keys, { ttlMs: 600 });
    const started = Date.now();
    // Several ttls pass; every attempt of another holder in between finds the lease taken.
    while (Date.now() - started < 1800) {
      expect((await other.tryAcquire('renew', 'aws', 'Z1', 'other')).acquired).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(held.lease.signal.aborted).toBe(false);
    await held.lease.release();
  });

  test('acquire with a wait gives up with a LeaseBusyError naming the holder', async () => {
    const lease = new ApplyLease(redis, keys, { ttlMs: 10_000 });
    const held = await lease.tryAcquire('busy', 'aws', 'Z1', 'evaluator-7');
    if (!held.acquired) throw new Error('not acquired');
    const error = await lease.acquire('busy', 'aws', 'Z1', 'sync:alice', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseBusyError);
    expect((error as Error).message).toMatch(
      /another apply of busy at aws\/Z1 is running \(lease held by evaluator-7#/,
    );
    await held.lease.release();
    const waited = await lease.acquire('busy', 'aws', 'Z1', 'sync:alice', 300);
    await waited.release();
  });
});

describe('applied store', () => {
  const store = new AppliedStore(redis, keys);
  const record = (generation: number | null, extra: Partial<AppliedTarget> = {}): AppliedTarget => ({
    provider: 'aws',
    zone: 'Z1',
    generation,
    changeIds: [],
    syncState: 'in-sync',
    updatedAt: 1000,
    ...extra,
  });

  test('round trip, and the generation never moves backwards unless forced', async () => {
    expect(await store.read('svc', 'aws', 'Z1')).toBeUndefined();
    await store.write('svc', record(5, { changeIds: ['C1'], appliedAt: 1000 }));
    expect(await store.read('svc', 'aws', 'Z1')).toEqual(record(5, { changeIds: ['C1'], appliedAt: 1000 }));
    await expect(store.write('svc', record(3))).rejects.toThrow(
      /refused to move the applied generation of aws\/Z1 back from 5 to 3/,
    );
    expect((await store.read('svc', 'aws', 'Z1'))?.generation).toBe(5);
    // A failed attempt keeps the generation: allowed.
    await store.write(
      'svc',
      record(5, {
        syncState: 'failed',
        attemptedGeneration: 6,
        error: { code: 'THROTTLED', message: 'slow down' },
      }),
    );
    await store.write('svc', record(2), { force: true });
    expect((await store.read('svc', 'aws', 'Z1'))?.generation).toBe(2);
  });

  test('unreadable values are errors naming the key and the field', async () => {
    const key = keys.service('bad').applied;
    await redis.hset(key, appliedField('aws', 'Z1'), '{not json');
    await expect(store.read('bad', 'aws', 'Z1')).rejects.toThrow(CorruptAppliedError);
    await expect(store.read('bad', 'aws', 'Z1')).rejects.toThrow(
      new RegExp(`corrupt data in Redis key ${key.replace(/[{}]/g, '\\$&')}, field "aws\\\\tZ1": not JSON`),
    );
    await redis.hset(
      key,
      appliedField('aws', 'Z2'),
      JSON.stringify({ ...record(1), zone: 'Z2', syncState: 'done' }),
    );
    await expect(store.read('bad', 'aws', 'Z2')).rejects.toThrow(
      /field "aws\\tZ2"\.syncState: Invalid option/,
    );
    await redis.hset(key, appliedField('aws', 'Z3'), JSON.stringify(record(1)));
    await expect(store.read('bad', 'aws', 'Z3')).rejects.toThrow(/holds the record of "aws\\tZ1"/);
  });
});

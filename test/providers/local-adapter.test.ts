/**
 * The `local` provider against real Redis: the shared conformance suite through syncTarget, then what is the
 * zone store's own (Route-53-like validation in one atomic script, serials, change ids on the Redis clock,
 * the updates channel, fault hooks, corrupt data, Redis down).
 */
import { Redis } from 'ioredis';
import { ProviderError } from '../../src/providers/provider-errors';
import type { RecordChange, RecordSet } from '../../src/providers/record-set';
import { createRedisClient } from '../../src/redis/connect';
import { createLocalAdapter } from '../../src/providers/local/local-adapter';
import { zoneField } from '../../src/providers/local/local-stored-record';
import { describeAdapterConformance } from './conformance/adapter-conformance';
import { LOCAL_ZONE, localHarness, type LocalHarness, localProvider } from './support/local-harness';
import { waitFor } from '../support/wait-for';

jest.setTimeout(30_000);

describeAdapterConformance('local (Redis zone store)', () => localHarness());

const a = (name: string, values: string[], extra: Partial<RecordSet> = {}): RecordSet => ({
  name,
  type: 'A',
  ttl: 30,
  values,
  ...extra,
});

/** The rejection of a promise as a ProviderError (fails the test when it resolves or throws something else). */
async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('local zone store', () => {
  let h: LocalHarness;

  beforeEach(async () => {
    h = await localHarness({ syncDelay: 0 });
  });

  afterEach(async () => {
    await h.teardown();
  });

  const apply = (changes: RecordChange[]) => h.local.apply(LOCAL_ZONE, changes);

  it('refuses a create of an existing set with a Route 53 message and applies nothing of the batch', async () => {
    await h.store.seed([a('www.example.com', ['192.0.2.1'])]);
    const serial = await h.store.serial();

    const error = await providerError(
      apply([
        { action: 'create', after: a('api.example.com', ['192.0.2.9']) },
        { action: 'create', after: a('www.example.com', ['192.0.2.2']) },
      ]),
    );

    expect(error.code).toBe('CONFLICT');
    expect(error.transient).toBe(true);
    expect(error.remoteCode).toBe('InvalidChangeBatch');
    expect(error.message).toContain(
      "Tried to create resource record set [name='www.example.com.', type='A'] but it already exists",
    );
    expect(error.message).not.toContain('api.example.com');
    expect((await h.store.snapshot()).sets).toEqual([a('www.example.com', ['192.0.2.1'])]);
    expect(await h.store.serial()).toBe(serial);
  });

  it('refuses deletes and updates whose before is missing or not exactly the stored set, naming each', async () => {
    await h.store.seed([a('www.example.com', ['192.0.2.1']), a('api.example.com', ['192.0.2.5'])]);

    const error = await providerError(
      apply([
        { action: 'delete', before: a('www.example.com', ['192.0.2.1', '192.0.2.2']) },
        {
          action: 'update',
          before: a('api.example.com', ['192.0.2.5'], { ttl: 60 }),
          after: a('api.example.com', ['192.0.2.6']),
        },
        { action: 'delete', before: a('gone.example.com', ['192.0.2.7']) },
      ]),
    );

    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain(
      "Tried to delete resource record set [name='www.example.com.', type='A'] but the values provided do not match the current values",
    );
    expect(error.message).toContain(
      "Tried to update resource record set [name='api.example.com.', type='A'] but the values provided do not match",
    );
    expect(error.message).toContain(
      "Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found",
    );
    expect((await h.store.snapshot()).sets).toHaveLength(2);
  });

  it('applies a matching update and delete, values compared as sets', async () => {
    await h.store.seed([
      a('www.example.com', ['192.0.2.2', '192.0.2.1']),
      a('old.example.com', ['192.0.2.3']),
    ]);

    await apply([
      {
        action: 'update',
        before: a('www.example.com', ['192.0.2.1', '192.0.2.2']),
        after: a('www.example.com', ['198.51.100.1']),
      },
      { action: 'delete', before: a('old.example.com', ['192.0.2.3']) },
    ]);

    expect((await h.store.snapshot()).sets).toEqual([a('www.example.com', ['198.51.100.1'])]);
  });

  it('refuses a CNAME beside other types and plain sets beside weighted ones; a batch is judged as a whole', async () => {
    await h.store.seed([a('www.example.com', ['192.0.2.1'])]);
    const cname: RecordSet = { name: 'www.example.com', type: 'CNAME', ttl: 30, values: ['lb.example.net'] };

    const beside = await providerError(apply([{ action: 'create', after: cname }]));
    expect(beside.code).toBe('REJECTED');
    expect(beside.message).toContain(
      'RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts with other records',
    );
    const weighted = a('www.example.com', ['192.0.2.5'], { setIdentifier: 'east', weight: 1 });
    const mixed = await providerError(apply([{ action: 'create', after: weighted }]));
    expect(mixed.code).toBe('REJECTED');
    expect(mixed.message).toContain('cannot mix a non-weighted record set with weighted ones');

    await apply([
      { action: 'delete', before: a('www.example.com', ['192.0.2.1']) },
      { action: 'create', after: cname },
    ]);
    expect((await h.store.snapshot()).sets).toEqual([cname]);
  });

  it('reports every invalid record set of a batch at once, before touching the zone', async () => {
    const error = await providerError(
      apply([
        { action: 'create', after: a('www.example.org', ['192.0.2.1']) },
        { action: 'create', after: a('v4.example.com', ['2001:db8::1']) },
        {
          action: 'create',
          after: { name: 'c.example.com', type: 'CNAME', ttl: 30, values: ['a.test', 'b.test'] },
        },
        { action: 'create', after: { name: 'example.com', type: 'CNAME', ttl: 30, values: ['a.test'] } },
        {
          action: 'create',
          after: a('w.example.com', ['192.0.2.1'], { setIdentifier: 'east', weight: 300 }),
        },
        {
          action: 'create',
          after: { name: 't.example.com', type: 'TXT', ttl: 30, values: ['"unterminated'] },
        },
        {
          action: 'create',
          after: {
            name: 'alias.example.com',
            type: 'A',
            ttl: 0,
            alias: { hostedZoneId: 'Z1', dnsName: 'lb.example.com', evaluateTargetHealth: false },
          },
        },
      ]),
    );

    expect(error.code).toBe('REJECTED');
    expect(error.transient).toBe(false);
    for (const part of [
      "[name='www.example.org.', type='A']: the name is not in zone example.com",
      '"2001:db8::1" is not an IPv4 address',
      'a CNAME record set holds exactly one value',
      'a CNAME cannot be at the zone apex',
      'weight 300 must be an integer from 0 to 255',
      'an unterminated quoted string',
      'alias targets are Route 53 only',
    ]) {
      expect(error.message).toContain(part);
    }
    expect(await h.store.serial()).toBe(0);
  });

  it('enforces its request limits', async () => {
    const changes: RecordChange[] = Array.from({ length: 1001 }, (_, i) => ({
      action: 'create',
      after: a(`r${i}.example.com`, ['192.0.2.1']),
    }));
    const error = await providerError(apply(changes));
    expect(error.code).toBe('REJECTED');
    expect(error.message).toContain('the batch counts 1001 changes; the limit is 1000');
  });

  it('bumps the serial once per accepted batch and announces it on the updates channel', async () => {
    const subscriber = h.redis.duplicate();
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(h.store.updatesChannel);
    try {
      const first = await h.store.applyChanges([
        { action: 'create', after: a('www.example.com', ['192.0.2.1']) },
      ]);
      await providerError(apply([{ action: 'create', after: a('www.example.com', ['192.0.2.1']) }]));
      const second = await h.store.applyChanges([
        {
          action: 'update',
          before: a('www.example.com', ['192.0.2.1']),
          after: a('www.example.com', ['192.0.2.2']),
        },
      ]);

      expect([first.serial, second.serial]).toEqual([1, 2]);
      expect(await h.store.serial()).toBe(2);
      expect(second.changeId).not.toBe(first.changeId);
      await waitFor(() => messages.length >= 2, { what: 'two update messages' });
      expect(messages).toEqual([`${LOCAL_ZONE} 1`, `${LOCAL_ZONE} 2`]);
    } finally {
      await subscriber.quit();
    }
  });

  it('keeps a change pending for syncDelay on the Redis clock, then in sync', async () => {
    const slow = createLocalAdapter(localProvider({ syncDelay: 60_000 }), {
      redis: h.redis,
      keyPrefix: h.prefix,
    });
    const pending = await slow.apply(LOCAL_ZONE, [
      { action: 'create', after: a('slow.example.com', ['192.0.2.1']) },
    ]);
    expect(await slow.changeStatus(pending.changeId)).toBe('pending');
    const [seconds] = await h.redis.time();
    expect(Math.abs(pending.submittedAt - Number(seconds) * 1000)).toBeLessThan(5_000);

    const quick = createLocalAdapter(localProvider({ syncDelay: 300 }), {
      redis: h.redis,
      keyPrefix: h.prefix,
    });
    const change = await quick.apply(LOCAL_ZONE, [
      { action: 'create', after: a('quick.example.com', ['192.0.2.1']) },
    ]);
    await waitFor(async () => (await quick.changeStatus(change.changeId)) === 'in-sync', {
      what: 'the change to be in sync',
    });

    const missing = await providerError(quick.changeStatus('L999999'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.remoteCode).toBe('NoSuchChange');
  });

  it('answers THROTTLED for injected faults, then works again', async () => {
    await h.store.injectFaults('apply', 1);
    await h.store.injectFaults('read', 1);

    const throttled = await providerError(
      apply([{ action: 'create', after: a('www.example.com', ['192.0.2.1']) }]),
    );
    expect(throttled.code).toBe('THROTTLED');
    expect(throttled.transient).toBe(true);
    expect((await providerError(h.local.read({ zone: LOCAL_ZONE, names: ['www.example.com'] }))).code).toBe(
      'THROTTLED',
    );

    await apply([{ action: 'create', after: a('www.example.com', ['192.0.2.1']) }]);
    expect(await h.local.read({ zone: LOCAL_ZONE, names: ['www.example.com'] })).toEqual([
      a('www.example.com', ['192.0.2.1']),
    ]);
  });

  it('refuses another zone, and names the Redis key and field of a corrupt record', async () => {
    const other = await providerError(h.local.read({ zone: 'example.org', names: ['www.example.org'] }));
    expect(other.code).toBe('NOT_FOUND');
    expect(other.message).toContain('serves zone example.com, not example.org');

    const field = zoneField({ name: 'www.example.com', type: 'A' });
    await h.redis.hset(h.store.recordsKey, field, '{"name":"www.example.com","type":"A","ttl":"soon"}');
    const corrupt = await providerError(h.local.read({ zone: LOCAL_ZONE, names: ['www.example.com'] }));
    expect(corrupt.code).toBe('REJECTED');
    expect(corrupt.message).toContain(h.store.recordsKey);
    expect(corrupt.message).toContain(JSON.stringify(field));
    expect(corrupt.message).toContain('"ttl" must be a non-negative integer');
  });

  it('turns an unreachable Redis into a transient UNAVAILABLE error', async () => {
    const down: Redis = createRedisClient('redis://127.0.0.1:1', { commandTimeout: 500 });
    try {
      const adapter = createLocalAdapter(localProvider(), { redis: down, keyPrefix: h.prefix });
      const error = await providerError(adapter.read({ zone: LOCAL_ZONE, names: ['www.example.com'] }));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.transient).toBe(true);
      expect(error.message).toContain('Redis failed');
    } finally {
      down.disconnect();
    }
  });
});

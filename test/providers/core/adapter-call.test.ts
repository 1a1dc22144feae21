/**
 * The pieces every cloud adapter is built from (adapter-call.ts, zone-apex-cache.ts, last-read-wire-sets.ts,
 * read-pacing.ts), checked without any adapter: what a failed call becomes, when a zone is looked up, which
 * wire form a deletion repeats, which requests of a read wait for a token.
 */
import { AdapterCalls } from '../../../src/providers/adapter-call';
import { LastReadWireSets } from '../../../src/providers/last-read-wire-sets';
import { ProviderError } from '../../../src/providers/provider-errors';
import type { RateLimiter } from '../../../src/providers/rate-limiter';
import { pacedAfterFirst } from '../../../src/providers/read-pacing';
import type { RecordSet } from '../../../src/providers/record-set';
import { ListingStalledError } from '../../../src/providers/unusable-answer-error';
import { WireCodecError } from '../../../src/providers/wire-codec-error';
import { ZoneApexCache } from '../../../src/providers/zone-apex-cache';

class TestCodecError extends WireCodecError<'UNREPRESENTABLE'> {}

const calls = new AdapterCalls({ type: 'testdns', name: 'main', describeZone: (zone) => `zone ${zone}` });

function translated(remoteCode: string): (error: unknown) => ProviderError {
  return (error) =>
    new ProviderError('THROTTLED', `translated: ${String(error)}`, { provider: 'main', remoteCode });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('AdapterCalls.run', () => {
  const call = { description: 'list on zone z1', zone: 'z1', toProviderError: translated('Throttling') };

  it('returns what the call returns', async () => {
    await expect(calls.run(call, undefined, async () => 42)).resolves.toBe(42);
  });

  it("an abort stays the abort: the signal's reason, never a provider error", async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    const error = await failure(
      calls.run(call, controller.signal, () => Promise.reject(new Error('socket hang up'))),
    );
    expect(error).toBe(reason);
  });

  it('passes a ProviderError from a nested call unchanged', async () => {
    const nested = new ProviderError('NOT_FOUND', 'no such zone', { provider: 'main' });
    await expect(calls.run(call, undefined, () => Promise.reject(nested))).rejects.toBe(nested);
  });

  it('a codec error is REJECTED, naming the adapter and the zone', async () => {
    const error = await failure(
      calls.run(call, undefined, () => Promise.reject(new TestCodecError('UNREPRESENTABLE', 'no values'))),
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'REJECTED',
      provider: 'main',
      message: 'testdns provider "main" zone z1: no values',
    });
  });

  it('an unusable answer is UNAVAILABLE, naming the call and keeping its code', async () => {
    const stalled = new ListingStalledError('the same page token twice');
    const error = await failure(calls.run(call, undefined, () => Promise.reject(stalled)));
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      remoteCode: 'LISTING_STALLED',
      message: 'testdns provider "main": list on zone z1: the same page token twice',
    });
    expect((error as ProviderError).transient).toBe(true);
  });

  it("anything else goes through the provider's own error mapping", async () => {
    const error = await failure(calls.run(call, undefined, () => Promise.reject(new Error('Rate exceeded'))));
    expect(error).toMatchObject({ code: 'THROTTLED', remoteCode: 'Throttling' });
    expect((error as Error).message).toBe('translated: Error: Rate exceeded');
  });
});

describe('AdapterCalls.codec', () => {
  it('names the zone when there is one, and only the adapter when there is none', () => {
    const fail = (): never => {
      throw new TestCodecError('UNREPRESENTABLE', '"x" is not a change id');
    };
    expect(() => calls.codec('z1', fail)).toThrow('testdns provider "main" zone z1: "x" is not a change id');
    expect(() => calls.codec(undefined, fail)).toThrow('testdns provider "main": "x" is not a change id');
  });

  it('leaves errors that are not codec errors as they are', () => {
    const bug = new TypeError('undefined is not a function');
    expect(() =>
      calls.codec('z1', () => {
        throw bug;
      }),
    ).toThrow(bug);
  });
});

describe('ZoneApexCache', () => {
  it('looks a zone up once, and refuses every name outside it by name', async () => {
    let lookups = 0;
    const zones = new ZoneApexCache(calls, async () => {
      lookups += 1;
      return 'example.com';
    });
    const free = async (): Promise<void> => undefined;

    await zones.assertHolds('z1', ['example.com', 'www.example.com'], undefined, free);
    const error = await failure(
      zones.assertHolds('z1', ['www.example.com', 'www.example.org', 'badexample.com'], undefined, free),
    );

    expect(lookups).toBe(1);
    expect(error).toMatchObject({
      code: 'REJECTED',
      message:
        'testdns provider "main": zone z1 is example.com, which does not hold www.example.org, badexample.com',
    });
  });

  it('asks again after a failed lookup instead of remembering the failure', async () => {
    const answers: Array<() => Promise<string>> = [
      () => Promise.reject(new ProviderError('THROTTLED', 'slow down', { provider: 'main' })),
      () => Promise.resolve('example.com'),
    ];
    const zones = new ZoneApexCache(calls, () => (answers.shift() as () => Promise<string>)());
    const free = async (): Promise<void> => undefined;

    await expect(zones.assertHolds('z1', ['www.example.com'], undefined, free)).rejects.toMatchObject({
      code: 'THROTTLED',
    });
    await expect(zones.assertHolds('z1', ['www.example.com'], undefined, free)).resolves.toBeUndefined();
    expect(answers).toHaveLength(0);
  });
});

describe('LastReadWireSets', () => {
  /** A wire set spelt as another tool wrote it: upper case values, decoded to our canonical form. */
  interface Wire {
    name: string;
    values: string[];
  }
  const decode = (raw: Wire): RecordSet | undefined =>
    raw.name.startsWith('_skip')
      ? undefined
      : { name: raw.name, type: 'CNAME', ttl: 60, values: raw.values.map((value) => value.toLowerCase()) };
  const www: Wire = { name: 'www.example.com', values: ['LB.Example.NET'] };
  const asRead: RecordSet = { name: 'www.example.com', type: 'CNAME', ttl: 60, values: ['lb.example.net'] };

  it('decodes a read, skipping sets it does not manage, and repeats a set exactly as read', () => {
    const sets = new LastReadWireSets<Wire>(decode);
    const decoded = sets.replaceAt(
      'z1',
      ['www.example.com', '_skip.example.com'],
      [www, { name: '_skip.example.com', values: [] }],
    );
    expect(decoded).toEqual([asRead]);
    expect(sets.exact('z1', asRead)).toBe(www);
    // Not what was read (another value), another zone: encode it from `before` instead.
    expect(sets.exact('z1', { ...asRead, values: ['other.example.net'] })).toBeUndefined();
    expect(sets.exact('z2', asRead)).toBeUndefined();
  });

  it('forgets a set a fresh read of its name no longer finds, and sets a change touched', () => {
    const sets = new LastReadWireSets<Wire>(decode);
    sets.replaceAt('z1', ['www.example.com'], [www]);
    sets.replaceAt('z1', ['www.example.com'], []);
    expect(sets.exact('z1', asRead)).toBeUndefined();

    sets.replaceAt('z1', ['www.example.com'], [www]);
    sets.forgetChanged('z1', [{ action: 'delete', before: asRead }]);
    expect(sets.exact('z1', asRead)).toBeUndefined();
  });

  it('keeps what was read at names a read did not ask for', () => {
    const sets = new LastReadWireSets<Wire>(decode);
    sets.replaceAt('z1', ['www.example.com'], [www]);
    sets.replaceAt('z1', ['api.example.com'], []);
    expect(sets.exact('z1', asRead)).toBe(www);
  });
});

describe('pacedAfterFirst', () => {
  it('lets the first request of a call go unpaced and takes a token before each further one', async () => {
    let tokens = 0;
    const limiter: RateLimiter = {
      acquire: async () => {
        tokens += 1;
      },
    };
    const beforeRequest = pacedAfterFirst(limiter, undefined);
    await beforeRequest();
    expect(tokens).toBe(0);
    await beforeRequest();
    await beforeRequest();
    expect(tokens).toBe(2);
  });
});

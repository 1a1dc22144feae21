/**
 * The Cloud DNS codec, wire checks and error classification: pure functions, no client, no server.
 */
import type { RecordSet } from '../../src/providers/record-set';
import { apiBaseUrl } from '../../src/providers/clouddns/clouddns-api';
import {
  CloudDnsCodecError,
  decodeChangeId,
  decodeRrset,
  deletionOf,
  encodeChange,
  encodeChangeId,
  encodeRrset,
} from '../../src/providers/clouddns/clouddns-codec';
import {
  classifyCloudDnsError,
  CloudDnsTimeoutError,
  toProviderError,
  type CloudDnsCallContext,
} from '../../src/providers/clouddns/clouddns-errors';
import {
  CloudDnsWireError,
  parseRrsetPage,
  parseWireChange,
  parseWireManagedZone,
  type WireRrset,
} from '../../src/providers/clouddns/clouddns-wire';

const plain = (name: string, type: RecordSet['type'], values: string[], ttl = 60): RecordSet => ({
  name,
  type,
  ttl,
  values,
});

function codecError(run: () => unknown): CloudDnsCodecError {
  try {
    run();
  } catch (error) {
    if (error instanceof CloudDnsCodecError) return error;
    throw error;
  }
  throw new Error('expected a CloudDnsCodecError');
}

describe('Cloud DNS codec: record sets', () => {
  it('writes names fully qualified, CNAME targets with their dot, values as they are', () => {
    expect(encodeRrset(plain('WWW.Example.com', 'A', ['192.0.2.1', '192.0.2.2']))).toEqual({
      name: 'www.example.com.',
      type: 'A',
      ttl: 60,
      rrdatas: ['192.0.2.1', '192.0.2.2'],
    });
    expect(encodeRrset(plain('*.example.com', 'CNAME', ['lb.example.net'], 300))).toEqual({
      name: '*.example.com.',
      type: 'CNAME',
      ttl: 300,
      rrdatas: ['lb.example.net.'],
    });
    expect(
      encodeRrset(plain('_quorumdns.www.example.com', 'TXT', ['"heritage=quorumdns,deployment=x"'])),
    ).toEqual(expect.objectContaining({ rrdatas: ['"heritage=quorumdns,deployment=x"'] }));
  });

  it('writes wrr items in order, weight 0 kept, and no rrdatas beside them', () => {
    const set: RecordSet = {
      name: 'api.example.com',
      type: 'CNAME',
      ttl: 30,
      wrr: [
        { weight: 0, values: ['east.example.net'] },
        { weight: 2.5, values: ['west.example.net'] },
      ],
    };
    expect(encodeRrset(set)).toEqual({
      name: 'api.example.com.',
      type: 'CNAME',
      ttl: 30,
      routingPolicy: {
        wrr: {
          items: [
            { weight: 0, rrdatas: ['east.example.net.'] },
            { weight: 2.5, rrdatas: ['west.example.net.'] },
          ],
        },
      },
    });
  });

  it('reads rrsets back canonical: lower case, no dots, sorted values, IPv6 lower case, bare TXT quoted', () => {
    expect(
      decodeRrset({ name: 'WWW.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2', '192.0.2.1'] }),
    ).toEqual(plain('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']));
    expect(
      decodeRrset({ name: 'www.example.com.', type: 'AAAA', ttl: 60, rrdatas: ['2001:DB8::1'] }),
    ).toEqual(plain('www.example.com', 'AAAA', ['2001:db8::1']));
    expect(
      decodeRrset({ name: 'x.example.com.', type: 'CNAME', ttl: 5, rrdatas: ['LB.Example.NET.'] }),
    ).toEqual(plain('x.example.com', 'CNAME', ['lb.example.net'], 5));
    expect(
      decodeRrset({ name: 't.example.com.', type: 'TXT', ttl: 5, rrdatas: ['hello  world', '"quoted" x'] }),
    ).toEqual(plain('t.example.com', 'TXT', ['"hello" "world"', '"quoted" x'], 5));
  });

  it('reads wrr items (the API may send weights as strings) and ignores output-only kinds', () => {
    const [rrset] = parseRrsetPage({
      rrsets: [
        {
          kind: 'dns#resourceRecordSet',
          name: 'api.example.com.',
          type: 'A',
          ttl: 30,
          routingPolicy: {
            kind: 'dns#rRSetRoutingPolicy',
            wrr: {
              kind: 'dns#rRSetRoutingPolicyWrrPolicy',
              items: [
                { kind: 'x', weight: '0', rrdatas: ['192.0.2.2', '192.0.2.1'] },
                { weight: 1, rrdatas: ['198.51.100.1'] },
              ],
            },
          },
        },
      ],
    }).rrsets;
    expect(decodeRrset(rrset as WireRrset)).toEqual({
      name: 'api.example.com',
      type: 'A',
      ttl: 30,
      wrr: [
        { weight: 0, values: ['192.0.2.1', '192.0.2.2'] },
        { weight: 1, values: ['198.51.100.1'] },
      ],
    });
  });

  it('leaves types it does not manage out', () => {
    for (const type of ['SOA', 'NS', 'MX', 'CAA', 'SRV']) {
      expect(decodeRrset({ name: 'example.com.', type, ttl: 300, rrdatas: ['x'] })).toBeUndefined();
    }
  });

  it('refuses, by name, sets whose routing policy it cannot carry', () => {
    const geo = codecError(() =>
      decodeRrset({
        name: 'geo.example.com.',
        type: 'A',
        ttl: 60,
        routingPolicy: { geo: { items: [{ location: 'us-east1', rrdatas: ['192.0.2.1'] }] } },
      }),
    );
    expect(geo.code).toBe('UNSUPPORTED_RECORD_SET');
    expect(geo.message).toContain('geo.example.com A');
    expect(geo.message).toContain('geo');

    const failover = codecError(() =>
      decodeRrset({
        name: 'f.example.com.',
        type: 'A',
        ttl: 60,
        routingPolicy: { primaryBackup: {}, healthCheck: 'x' },
      }),
    );
    expect(failover.message).toContain('primaryBackup, healthCheck');

    const checked = codecError(() =>
      decodeRrset({
        name: 'ilb.example.com.',
        type: 'A',
        ttl: 60,
        routingPolicy: {
          wrr: { items: [{ weight: 1, healthCheckedTargets: { internalLoadBalancers: [] } }] },
        },
      }),
    );
    expect(checked.message).toContain('wrr item 0 has healthCheckedTargets');
  });

  it('refuses record sets Cloud DNS cannot hold', () => {
    const alias = codecError(() =>
      encodeRrset({
        name: 'www.example.com',
        type: 'A',
        ttl: 0,
        alias: { hostedZoneId: 'Z1', dnsName: 'lb.example.net', evaluateTargetHealth: true },
      }),
    );
    expect(alias.code).toBe('UNREPRESENTABLE');
    expect(alias.message).toContain('alias');
    expect(
      codecError(() =>
        encodeRrset({ ...plain('w.example.com', 'A', ['192.0.2.1']), setIdentifier: 'east', weight: 1 }),
      ).message,
    ).toContain('set identifier');
    expect(codecError(() => encodeRrset(plain('w.example.com', 'A', []))).message).toContain(
      'at least one value',
    );
    expect(codecError(() => encodeRrset({ name: 'w.example.com', type: 'A', ttl: 1, wrr: [] })).code).toBe(
      'UNREPRESENTABLE',
    );
  });
});

describe('Cloud DNS codec: changes', () => {
  const before = plain('www.example.com', 'A', ['192.0.2.1']);
  const after = plain('www.example.com', 'A', ['192.0.2.2']);

  it('an update is the exact deletion of before plus the addition of after, in one change', () => {
    expect(
      encodeChange([
        { action: 'create', after: plain('_quorumdns.www.example.com', 'TXT', ['"x"'], 300) },
        { action: 'update', before, after },
        { action: 'delete', before: plain('old.example.com', 'CNAME', ['lb.example.net']) },
      ]),
    ).toEqual({
      additions: [
        { name: '_quorumdns.www.example.com.', type: 'TXT', ttl: 300, rrdatas: ['"x"'] },
        { name: 'www.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.2'] },
      ],
      deletions: [
        { name: 'www.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
        { name: 'old.example.com.', type: 'CNAME', ttl: 60, rrdatas: ['lb.example.net.'] },
      ],
    });
  });

  it('deletes the set as it was read, without output-only fields', () => {
    const read: WireRrset = {
      kind: 'dns#resourceRecordSet',
      name: 'WWW.example.com.',
      type: 'A',
      ttl: 60,
      rrdatas: ['192.0.2.1'],
      signatureRrdatas: ['A 8 3 60 ...'],
    };
    expect(encodeChange([{ action: 'update', before, after }], () => read).deletions).toEqual([
      { name: 'WWW.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
    ]);
    expect(
      deletionOf({
        name: 'a.example.com.',
        type: 'A',
        ttl: 5,
        routingPolicy: {
          kind: 'k',
          wrr: { kind: 'k', items: [{ kind: 'k', weight: 0, rrdatas: ['192.0.2.1'] }] },
        },
      }),
    ).toEqual({
      name: 'a.example.com.',
      type: 'A',
      ttl: 5,
      routingPolicy: { wrr: { items: [{ weight: 0, rrdatas: ['192.0.2.1'] }] } },
    });
  });

  it('keeps the managed zone in the change id it hands out', () => {
    expect(encodeChangeId('example-com', '42')).toBe('example-com/42');
    expect(decodeChangeId('example-com/42')).toEqual({ zone: 'example-com', id: '42' });
    for (const bad of ['42', '/42', 'zone/', 'a/b/c']) {
      expect(codecError(() => decodeChangeId(bad)).code).toBe('INVALID_CHANGE_ID');
    }
  });
});

describe('Cloud DNS wire checks', () => {
  it('names what is wrong with an answer that is not the documented JSON', () => {
    expect(() => parseRrsetPage('<html>proxy error</html>')).toThrow(CloudDnsWireError);
    expect(() => parseRrsetPage({ rrsets: [{ name: 'a.', type: 'A', rrdatas: 'x' }] })).toThrow(
      'rrsets[0].rrdatas is not a list of strings',
    );
    expect(() =>
      parseRrsetPage({
        rrsets: [{ name: 'a.', type: 'A', routingPolicy: { wrr: { items: [{ weight: -1 }] } } }],
      }),
    ).toThrow('rrsets[0].routingPolicy.wrr.items[0].weight is not a non-negative number');
    expect(() => parseWireChange({ status: 'done' }, 'changes.create')).toThrow('without an id');
    expect(() => parseWireManagedZone({ name: 'z' })).toThrow('without name or dnsName');
    expect(parseRrsetPage({})).toEqual({ rrsets: [] });
    expect(parseRrsetPage({ rrsets: [], nextPageToken: '' })).toEqual({ rrsets: [] });
    expect(parseWireManagedZone({ name: 'z', dnsName: 'example.com.', id: 123 })).toEqual({
      name: 'z',
      dnsName: 'example.com.',
      id: '123',
    });
  });

  it('appends /dns/v1 to an endpoint override unless it is there', () => {
    expect(apiBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/dns/v1');
    expect(apiBaseUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/dns/v1');
    expect(apiBaseUrl('http://127.0.0.1:8080/dns/v1/')).toBe('http://127.0.0.1:8080/dns/v1');
  });
});

describe('Cloud DNS error classification', () => {
  const classify = (
    status: number | undefined,
    reasons: string[] = [],
    operation = 'changes.create' as const,
    messages: string[] = [],
  ) => classifyCloudDnsError({ ...(status !== undefined ? { status } : {}), reasons, messages, operation });

  it.each([
    [429, [], 'THROTTLED'],
    [403, ['rateLimitExceeded'], 'THROTTLED'],
    [403, ['userRateLimitExceeded'], 'THROTTLED'],
    [500, ['backendError'], 'UNAVAILABLE'],
    [502, [], 'UNAVAILABLE'],
    [503, [], 'UNAVAILABLE'],
    [408, [], 'UNAVAILABLE'],
    [412, ['conditionNotMet'], 'CONFLICT'],
    [409, ['alreadyExists'], 'CONFLICT'],
    [400, ['invalid'], 'REJECTED'],
    [413, [], 'REJECTED'],
    [403, ['quotaExceeded'], 'REJECTED'],
    [403, ['forbidden'], 'FORBIDDEN'],
    [403, ['insufficientPermissions'], 'FORBIDDEN'],
    [401, ['required'], 'FORBIDDEN'],
    [undefined, [], 'UNAVAILABLE'],
  ] as const)('HTTP %s %j -> %s', (status, reasons, code) => {
    expect(classify(status, [...reasons])).toBe(code);
  });

  it('a 404 is a conflict only for a change deletion, not for the zone', () => {
    expect(
      classify(404, ['notFound'], 'changes.create', [
        "The 'entity.change.deletions[0]' resource named 'www.example.com. (A)' does not exist.",
      ]),
    ).toBe('CONFLICT');
    expect(
      classify(404, ['notFound'], 'changes.create', [
        "The 'parameters.managedZone' resource named 'prod' does not exist.",
      ]),
    ).toBe('NOT_FOUND');
    expect(classify(404, ['notFound'], 'changes.get' as never)).toBe('NOT_FOUND');
  });

  const context: CloudDnsCallContext = { provider: 'gcp', operation: 'rrsets.list', project: 'p', zone: 'z' };

  it('keeps Google reasons, messages, status and Retry-After', () => {
    const apiError = Object.assign(new Error('Rate Limit Exceeded'), {
      code: 429,
      errors: [{ reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded', domain: 'usageLimits' }],
      response: { headers: { 'retry-after': '3' } },
    });
    expect(toProviderError(apiError, context)).toMatchObject({
      code: 'THROTTLED',
      remoteCode: 'rateLimitExceeded',
      remoteMessage: 'Rate Limit Exceeded',
      httpStatus: 429,
      retryAfterMs: 3000,
      message:
        'clouddns provider "gcp": rrsets.list on managed zone z of project p failed: HTTP 429 rateLimitExceeded: Rate Limit Exceeded',
    });
  });

  it('credentials that cannot be loaded or exchanged are FORBIDDEN, an STS outage is UNAVAILABLE', () => {
    const noAdc = new Error(
      'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication',
    );
    expect(toProviderError(noAdc, context)).toMatchObject({
      code: 'FORBIDDEN',
      remoteCode: 'authentication',
    });

    const gaxios = (status: number | undefined) =>
      Object.assign(new Error('invalid_grant'), {
        name: 'GaxiosError',
        config: { url: 'https://sts.googleapis.com/v1/token' },
        ...(status !== undefined ? { response: { status } } : {}),
      });
    const denied = toProviderError(gaxios(400), context);
    expect(denied).toMatchObject({ code: 'FORBIDDEN', httpStatus: 400 });
    expect(denied.message).toContain('getting an access token failed (HTTP 400): invalid_grant');
    expect(toProviderError(gaxios(503), context).code).toBe('UNAVAILABLE');
    expect(toProviderError(gaxios(undefined), context).code).toBe('UNAVAILABLE');
  });

  it('connection failures and timeouts are UNAVAILABLE, keeping their code', () => {
    const reset = Object.assign(new Error('request to http://127.0.0.1/ failed, reason: socket hang up'), {
      code: 'ECONNRESET',
    });
    expect(toProviderError(reset, context)).toMatchObject({ code: 'UNAVAILABLE', remoteCode: 'ECONNRESET' });
    expect(toProviderError(new CloudDnsTimeoutError('no answer'), context)).toMatchObject({
      code: 'UNAVAILABLE',
      remoteCode: 'ETIMEDOUT',
    });
  });
});

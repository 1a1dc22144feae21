/**
 * The pure parts of the Route 53 adapter: the codec (names, ids, record sets, changes), the error
 * classification, and the listing walk's ordering and stall guard. The wire behaviour itself is tested
 * against the local server in route53-adapter.test.ts.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { ProviderError } from '../../src/providers/provider-errors';
import type { RecordSet } from '../../src/providers/record-set';
import type { Route53Api } from '../../src/providers/route53/route53-api';
import {
  decodeName,
  decodeRecordSet,
  encodeChange,
  encodeName,
  encodeRecordSet,
  normalizeChangeId,
  normalizeHostedZoneId,
  Route53CodecError,
} from '../../src/providers/route53/route53-codec';
import {
  invalidChangeBatchProblems,
  isConflictOnly,
  toProviderError,
} from '../../src/providers/route53/route53-errors';
import { listOrderKey, listRecordSetsAt } from '../../src/providers/route53/route53-record-listing';
import { ListingStalledError } from '../../src/providers/unusable-answer-error';

function codecError(run: () => unknown): Route53CodecError {
  try {
    run();
  } catch (error) {
    if (error instanceof Route53CodecError) return error;
    throw error;
  }
  throw new Error('expected a Route53CodecError');
}

describe('Route 53 names and ids', () => {
  it.each([
    ['www.example.com', 'www.example.com.'],
    ['WWW.Example.COM.', 'www.example.com.'],
    ['*.example.com', '*.example.com.'],
    ['_quorumdns.www.example.com', '_quorumdns.www.example.com.'],
    ['a b.example.com', 'a\\040b.example.com.'],
    ['été.example.com', '\\303\\251t\\303\\251.example.com.'],
  ])('encodes %s as %s and decodes it back', (name, wire) => {
    expect(encodeName(name)).toBe(wire);
    expect(decodeName(wire)).toBe(name.toLowerCase().replace(/\.$/, ''));
  });

  it('decodes the escaped wildcard Route 53 answers', () => {
    expect(decodeName('\\052.example.com.')).toBe('*.example.com');
    expect(decodeName('\\052.Example.com')).toBe('*.example.com');
  });

  it('accepts both hosted zone id forms and refuses anything else', () => {
    expect(normalizeHostedZoneId('Z0123456789ABC')).toBe('Z0123456789ABC');
    expect(normalizeHostedZoneId('/hostedzone/Z0123456789ABC')).toBe('Z0123456789ABC');
    expect(normalizeHostedZoneId('hostedzone/Z0123456789ABC')).toBe('Z0123456789ABC');
    const error = codecError(() => normalizeHostedZoneId('example.com'));
    expect(error.code).toBe('INVALID_ZONE_ID');
    expect(error.message).toContain('"example.com"');
    expect(normalizeChangeId('/change/C123')).toBe('C123');
    expect(normalizeChangeId('C123')).toBe('C123');
  });
});

describe('Route 53 record sets', () => {
  it('encodes plain sets: fully qualified names and CNAME targets, TXT kept quoted', () => {
    expect(
      encodeRecordSet({ name: 'www.example.com', type: 'A', ttl: 30, values: ['192.0.2.1', '192.0.2.2'] }),
    ).toEqual({
      Name: 'www.example.com.',
      Type: 'A',
      TTL: 30,
      ResourceRecords: [{ Value: '192.0.2.1' }, { Value: '192.0.2.2' }],
    });
    expect(
      encodeRecordSet({ name: 'www.example.com', type: 'CNAME', ttl: 30, values: ['lb.example.net'] }),
    ).toMatchObject({
      ResourceRecords: [{ Value: 'lb.example.net.' }],
    });
    expect(
      encodeRecordSet({ name: '_quorumdns.www.example.com', type: 'TXT', ttl: 300, values: ['"a=b"'] }),
    ).toMatchObject({
      ResourceRecords: [{ Value: '"a=b"' }],
    });
  });

  it('encodes weighted sets (weight 0 included) and alias sets without TTL or values', () => {
    expect(
      encodeRecordSet({
        name: 'www.example.com',
        type: 'A',
        ttl: 30,
        values: ['192.0.2.1'],
        setIdentifier: 'east',
        weight: 0,
      }),
    ).toEqual({
      Name: 'www.example.com.',
      Type: 'A',
      SetIdentifier: 'east',
      Weight: 0,
      TTL: 30,
      ResourceRecords: [{ Value: '192.0.2.1' }],
    });
    expect(
      encodeRecordSet({
        name: 'www.example.com',
        type: 'A',
        ttl: 0,
        setIdentifier: 'west',
        weight: 5,
        alias: {
          hostedZoneId: '/hostedzone/Z1H1FL5HABSF5',
          dnsName: 'lb.us-west-2.elb.amazonaws.com',
          evaluateTargetHealth: true,
        },
      }),
    ).toEqual({
      Name: 'www.example.com.',
      Type: 'A',
      SetIdentifier: 'west',
      Weight: 5,
      AliasTarget: {
        HostedZoneId: 'Z1H1FL5HABSF5',
        DNSName: 'lb.us-west-2.elb.amazonaws.com.',
        EvaluateTargetHealth: true,
      },
    });
  });

  it('refuses what Route 53 cannot hold', () => {
    const wrr: RecordSet = {
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      wrr: [{ weight: 1, values: ['192.0.2.1'] }],
    };
    expect(codecError(() => encodeRecordSet(wrr)).code).toBe('UNREPRESENTABLE');
    const half: RecordSet = {
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      values: ['192.0.2.1'],
      setIdentifier: 'east',
    };
    expect(codecError(() => encodeRecordSet(half)).message).toContain(
      'needs both a set identifier and a weight',
    );
    expect(
      codecError(() => encodeRecordSet({ name: 'www.example.com', type: 'A', ttl: 30, values: [] })).code,
    ).toBe('UNREPRESENTABLE');
  });

  it('decodes wire sets to canonical record sets', () => {
    expect(
      decodeRecordSet({
        Name: '\\052.Example.com.',
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: 'LB.Example.net.' }],
      }),
    ).toEqual({ name: '*.example.com', type: 'CNAME', ttl: 60, values: ['lb.example.net'] });
    expect(
      decodeRecordSet({
        Name: 'www.example.com.',
        Type: 'AAAA',
        TTL: 60,
        ResourceRecords: [{ Value: '2001:DB8::2' }, { Value: '2001:db8::1' }],
      }),
    ).toEqual({ name: 'www.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1', '2001:db8::2'] });
    expect(
      decodeRecordSet({
        Name: 'www.example.com.',
        Type: 'A',
        SetIdentifier: 'east',
        Weight: 0,
        AliasTarget: {
          HostedZoneId: '/hostedzone/Z35SXDOTRQ7X7K',
          DNSName: 'East-LB.elb.amazonaws.com.',
          EvaluateTargetHealth: true,
        },
      }),
    ).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 0,
      setIdentifier: 'east',
      weight: 0,
      alias: {
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        dnsName: 'east-lb.elb.amazonaws.com',
        evaluateTargetHealth: true,
      },
    });
  });

  it('skips types quorumdns never manages', () => {
    expect(
      decodeRecordSet({
        Name: 'example.com.',
        Type: 'NS',
        TTL: 172800,
        ResourceRecords: [{ Value: 'ns-1.' }],
      }),
    ).toBe(undefined);
    expect(
      decodeRecordSet({
        Name: 'www.example.com.',
        Type: 'MX',
        TTL: 300,
        ResourceRecords: [{ Value: '10 mx.' }],
      }),
    ).toBe(undefined);
  });

  it.each([
    [{ Failover: 'PRIMARY', SetIdentifier: 'primary' }, 'failover routing'],
    [{ Region: 'us-east-1', SetIdentifier: 'use1' }, 'latency routing'],
    [{ GeoLocation: { CountryCode: 'DE' }, SetIdentifier: 'de' }, 'geolocation routing'],
    [{ MultiValueAnswer: true, SetIdentifier: 'm1' }, 'multivalue answer routing'],
    [{ SetIdentifier: 'east', Weight: 1, HealthCheckId: 'abc' }, 'a health check'],
  ] as Array<[Partial<ResourceRecordSet>, string]>)(
    'refuses a managed set using %o, naming %s',
    (extra, feature) => {
      const error = codecError(() =>
        decodeRecordSet({
          Name: 'www.example.com.',
          Type: 'A',
          TTL: 60,
          ResourceRecords: [{ Value: '192.0.2.1' }],
          ...extra,
        }),
      );
      expect(error.code).toBe('UNSUPPORTED_RECORD_SET');
      expect(error.message).toContain('www.example.com A');
      expect(error.message).toContain(feature);
    },
  );

  it('maps create, update and delete to CREATE, UPSERT and an exact DELETE', () => {
    const before: RecordSet = {
      name: 'www.example.com',
      type: 'CNAME',
      ttl: 60,
      values: ['old.example.net'],
    };
    const after: RecordSet = { ...before, values: ['new.example.net'] };
    expect(encodeChange({ action: 'create', after })).toMatchObject({
      Action: 'CREATE',
      ResourceRecordSet: { Name: 'www.example.com.' },
    });
    expect(encodeChange({ action: 'update', before, after })).toMatchObject({
      Action: 'UPSERT',
      ResourceRecordSet: { ResourceRecords: [{ Value: 'new.example.net.' }] },
    });
    expect(encodeChange({ action: 'delete', before })).toMatchObject({
      Action: 'DELETE',
      ResourceRecordSet: { TTL: 60, ResourceRecords: [{ Value: 'old.example.net.' }] },
    });
    const asRead: ResourceRecordSet = {
      Name: 'WWW.example.com.',
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'Old.example.net' }],
    };
    expect(encodeChange({ action: 'delete', before }, asRead)).toEqual({
      Action: 'DELETE',
      ResourceRecordSet: asRead,
    });
  });
});

describe('Route 53 error classification', () => {
  const context = { provider: 'r53', operation: 'ChangeResourceRecordSets' as const, zoneId: 'Z1' };
  const serviceError = (name: string, status: number, message: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(message), {
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
      ...extra,
    });

  it('splits the problems of an InvalidChangeBatch, from Messages or from one bracketed Message', () => {
    expect(invalidChangeBatchProblems('ignored', ['a', 'b'])).toEqual(['a', 'b']);
    expect(
      invalidChangeBatchProblems(
        "[Tried to create resource record set [name='a.example.com.', type='A', set-identifier='east'] but it already exists, RRSet with DNS name b.example.com., type A, SetIdentifier x cannot be created as a non-weighted set exists with the same name and type.]",
      ),
    ).toEqual([
      "Tried to create resource record set [name='a.example.com.', type='A', set-identifier='east'] but it already exists",
      'RRSet with DNS name b.example.com., type A',
      'SetIdentifier x cannot be created as a non-weighted set exists with the same name and type.',
    ]);
    expect(
      isConflictOnly(["Tried to delete resource record set [name='a.', type='A'] but it was not found"]),
    ).toBe(true);
    expect(isConflictOnly([])).toBe(false);
    expect(isConflictOnly(['Number of records limit of 1000 exceeded.'])).toBe(false);
  });

  it('reads the older <Messages> form too', () => {
    const error = toProviderError(
      serviceError('InvalidChangeBatch', 400, 'Invalid change batch', {
        messages: [
          "Tried to create resource record set [name='a.example.com.', type='A'] but it already exists",
        ],
      }),
      context,
    );
    expect(error.code).toBe('CONFLICT');
  });

  it.each([
    ['HTTP 429 with an unknown code', 'THROTTLED', serviceError('SomethingNew', 429, 'slow down')],
    ['a 502 from a proxy', 'UNAVAILABLE', serviceError('Unknown', 502, '<html>bad gateway</html>')],
    [
      'an invalid key',
      'FORBIDDEN',
      serviceError('InvalidClientTokenId', 403, 'The security token is invalid.'),
    ],
    ['another 4xx', 'REJECTED', serviceError('InvalidArgument', 400, 'bad')],
    [
      'no credentials found',
      'FORBIDDEN',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    ],
    [
      'a reset connection',
      'UNAVAILABLE',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    ],
    [
      'a request timeout',
      'UNAVAILABLE',
      Object.assign(new Error('request timed out'), { name: 'TimeoutError' }),
    ],
    ['an SDK TypeError', 'REJECTED', new TypeError('Cannot read properties of undefined')],
  ] as const)('%s -> %s', (_label, code, error) => {
    const mapped = toProviderError(error, context);
    expect(mapped.code).toBe(code);
    expect(mapped.provider).toBe('r53');
    expect(mapped.message).toContain(
      'route53 provider "r53": ChangeResourceRecordSets on hosted zone Z1 failed',
    );
    expect(mapped.remoteMessage).toBe(error.message);
    expect(mapped.cause).toBe(error);
  });

  it('keeps a Retry-After the answer carried', () => {
    const error = serviceError('Throttling', 400, 'Rate exceeded', {
      $response: { headers: { 'retry-after': '2' } },
    });
    expect(toProviderError(error, context)).toMatchObject({ code: 'THROTTLED', retryAfterMs: 2000 });
  });

  it('passes a ProviderError through unchanged', () => {
    const original = new ProviderError('NOT_OWNER', 'theirs', { provider: 'r53' });
    expect(toProviderError(original, context)).toBe(original);
  });
});

describe('Route 53 listing walk', () => {
  it('orders names as Route 53 lists them: labels reversed, compared as characters', () => {
    const names = [
      'www.example.com',
      'example.com',
      'a.www.example.com',
      '_quorumdns.www.example.com',
      'www-2.example.com',
    ];
    const sorted = [...names].sort((x, y) => (listOrderKey(x) < listOrderKey(y) ? -1 : 1));
    expect(sorted).toEqual([
      'example.com',
      'www-2.example.com',
      'www.example.com',
      '_quorumdns.www.example.com',
      'a.www.example.com',
    ]);
  });

  it('gives up with LISTING_STALLED when an endpoint keeps answering the same continuation', async () => {
    const stuck: Route53Api = {
      listResourceRecordSets: async () => ({
        ResourceRecordSets: [],
        IsTruncated: true,
        NextRecordName: 'www.example.com.',
        MaxItems: 300,
      }),
      changeResourceRecordSets: () => Promise.reject(new Error('unused')),
      getChange: () => Promise.reject(new Error('unused')),
      getHostedZone: () => Promise.reject(new Error('unused')),
      close: () => undefined,
    };
    await expect(listRecordSetsAt(stuck, 'Z1', ['www.example.com'])).rejects.toBeInstanceOf(
      ListingStalledError,
    );
  });
});

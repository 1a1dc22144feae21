/**
 * The Route 53 adapter against the local Route 53 server, through the real @aws-sdk/client-route-53 over HTTP
 * on 127.0.0.1: the shared conformance suite, then what only Route 53 has (alias targets, weighted sets per
 * pool, PENDING -> INSYNC, its error answers, zone id forms, escaped names, paging). What the server holds is
 * always checked through the server's own store, never through the adapter under test.
 */
import type {
  ChangeResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandInput,
} from '@aws-sdk/client-route-53';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Route53Provider } from '../../src/config/types';
import type { DnsProviderAdapter } from '../../src/providers/provider-adapter';
import { unlimited } from '../../src/providers/rate-limiter';
import type { ManagedRecordType, RecordSet } from '../../src/providers/record-set';
import { canonicalRecordSet } from '../../src/providers/record-set-equality';
import { createRoute53Api, type Route53Api } from '../../src/providers/route53/route53-api';
import {
  createRoute53Adapter,
  ROUTE53_CAPABILITIES,
  route53ApiOptions,
} from '../../src/providers/route53/route53-adapter';
import { MAX_LIST_PAGE_SIZE } from '../../src/providers/route53/route53-record-listing';
import { describeAdapterConformance, type ConformanceHarness } from './conformance/adapter-conformance';
import {
  startRoute53Server,
  type R53RecordSet,
  type Route53Operation,
  type Route53ServerOptions,
  type Route53TestServer,
} from './route53-server';
import { providerFailure } from './support/provider-failure';
import {
  dryRunFreshService,
  type SyncedAdapter,
  syncToWeights,
  weightedApiService,
} from './support/adapter-sync';
import { waitFor } from '../support/wait-for';

// The SDK must never look for instance credentials off this machine.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

/** Static dummy keys: the only credentials these tests ever give the SDK. */
const TEST_ENV: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const MANAGED: ReadonlySet<string> = new Set<ManagedRecordType>(['A', 'AAAA', 'CNAME', 'TXT']);

function providerFor(
  server: Route53TestServer,
  zoneId: string,
  extra: Partial<Route53Provider> = {},
): Route53Provider {
  return {
    type: 'route53',
    name: 'r53',
    hostedZoneId: zoneId,
    endpoint: server.endpoint,
    ownerRecords: true,
    limits: {},
    syncTimeout: 15_000,
    maxDeletes: 10,
    ...extra,
  };
}

/** Our record sets in the server's stored form (its own vocabulary, not the adapter's codec). */
function toServerSet(set: RecordSet): R53RecordSet {
  const stored: R53RecordSet = { name: set.name, type: set.type };
  if (set.setIdentifier !== undefined) stored.setIdentifier = set.setIdentifier;
  if (set.weight !== undefined) stored.weight = set.weight;
  if (set.alias !== undefined) stored.alias = { ...set.alias };
  else {
    stored.ttl = set.ttl;
    stored.values = [...(set.values ?? [])];
  }
  return stored;
}

/** The server's stored sets of managed types, as canonical record sets (CNAME targets without the dot). */
function fromServerSet(stored: R53RecordSet): RecordSet {
  const set: RecordSet = { name: stored.name, type: stored.type as ManagedRecordType, ttl: stored.ttl ?? 0 };
  if (stored.setIdentifier !== undefined) set.setIdentifier = stored.setIdentifier;
  if (stored.weight !== undefined) set.weight = stored.weight;
  if (stored.alias !== undefined) set.alias = { ...stored.alias };
  if (stored.values !== undefined) {
    set.values = stored.values.map((value) => (stored.type === 'CNAME' ? value.replace(/\.$/, '') : value));
  }
  return canonicalRecordSet(set);
}

function snapshotOf(server: Route53TestServer, zoneId: string): RecordSet[] {
  return server
    .recordSets(zoneId)
    .filter((set) => MANAGED.has(set.type))
    .map(fromServerSet);
}

interface Started {
  server: Route53TestServer;
  zoneId: string;
  provider: Route53Provider;
  adapter: DnsProviderAdapter;
  /** Every request the adapter's API made, by operation, with its input. */
  calls: Array<{ operation: string; input: unknown }>;
}

const running: Array<{ server: Route53TestServer; adapter: DnsProviderAdapter }> = [];

/** A server with zone example.com and an adapter on it whose API calls are recorded (the real SDK underneath). */
async function start(
  options: Route53ServerOptions = {},
  providerExtra: Partial<Route53Provider> = {},
): Promise<Started> {
  const server = await startRoute53Server({ syncDelayMs: 100, ...options });
  const zoneId = server.createHostedZone('example.com');
  const provider = providerFor(server, zoneId, providerExtra);
  const real = createRoute53Api(route53ApiOptions(provider, TEST_ENV));
  const calls: Started['calls'] = [];
  const recorded = <I, O>(operation: string, call: (input: I, signal?: AbortSignal) => Promise<O>) => {
    return (input: I, signal?: AbortSignal): Promise<O> => {
      calls.push({ operation, input });
      return call(input, signal);
    };
  };
  const client: Route53Api = {
    listResourceRecordSets: recorded('ListResourceRecordSets', real.listResourceRecordSets),
    changeResourceRecordSets: recorded('ChangeResourceRecordSets', real.changeResourceRecordSets),
    getChange: recorded('GetChange', real.getChange),
    getHostedZone: recorded('GetHostedZone', real.getHostedZone),
    close: () => real.close(),
  };
  const adapter = createRoute53Adapter(provider, { client });
  running.push({ server, adapter });
  return { server, zoneId, provider, adapter, calls };
}

afterEach(async () => {
  for (const { server, adapter } of running.splice(0)) {
    await adapter.close();
    await server.close();
  }
});

describeAdapterConformance(
  'route53 (local Route 53 server, real SDK)',
  async (): Promise<ConformanceHarness> => {
    const server = await startRoute53Server({ syncDelayMs: 100 });
    const zoneId = server.createHostedZone('example.com');
    const provider = providerFor(server, zoneId);
    const adapter = createRoute53Adapter(provider, { env: TEST_ENV });
    const operationOf = (operation?: 'read' | 'write'): Route53Operation | undefined =>
      operation === 'write'
        ? 'ChangeResourceRecordSets'
        : operation === 'read'
          ? 'ListResourceRecordSets'
          : undefined;
    return {
      adapter,
      zone: zoneId,
      domain: 'example.com',
      provider,
      seed: async (sets) => server.seed(zoneId, sets.map(toServerSet)),
      snapshot: async () => snapshotOf(server, zoneId),
      injectThrottling: (count, operation) => {
        const only = operationOf(operation);
        server.injectFault({ code: 'Throttling', count, ...(only !== undefined ? { operation: only } : {}) });
      },
      writeCalls: () => server.stats().requests.ChangeResourceRecordSets ?? 0,
      acceptedWrites: () => server.stats().acceptedChanges,
      teardown: async () => {
        await adapter.close();
        await server.close();
      },
    };
  },
);

const a = (name: string, values: string[], ttl = 60): RecordSet => ({ name, type: 'A', ttl, values });

describe('Route 53 adapter', () => {
  it('declares Route 53 capabilities', () => {
    expect(ROUTE53_CAPABILITIES).toEqual({
      modes: ['rewrite', 'weights'],
      weightedStyle: 'set-per-pool',
      alias: true,
      limits: { maxChanges: 1000, maxRecordValues: 1000, maxValueChars: 32_000 },
      updateCost: 2,
      requestsPerSecond: 10,
      hasSyncStatus: true,
    });
  });

  it('round-trips alias targets with EvaluateTargetHealth, sent fully qualified', async () => {
    const { server, zoneId, adapter, calls } = await start();
    const lb: RecordSet = {
      name: 'www.example.com',
      type: 'A',
      ttl: 0,
      alias: {
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        dnsName: 'east-lb-1.us-east-1.elb.amazonaws.com',
        evaluateTargetHealth: true,
      },
    };
    const cdn: RecordSet = {
      name: 'cdn.example.com',
      type: 'AAAA',
      ttl: 0,
      alias: {
        hostedZoneId: 'Z2FDTNDATAQYW2',
        dnsName: 'd111111abcdef8.cloudfront.net',
        evaluateTargetHealth: false,
      },
    };

    await adapter.apply(zoneId, [
      { action: 'create', after: lb },
      { action: 'create', after: cdn },
    ]);

    const sent = calls.find((call) => call.operation === 'ChangeResourceRecordSets')
      ?.input as ChangeResourceRecordSetsCommandInput;
    expect(sent.ChangeBatch?.Changes?.map((change) => change.ResourceRecordSet)).toEqual([
      {
        Name: 'www.example.com.',
        Type: 'A',
        AliasTarget: {
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          DNSName: 'east-lb-1.us-east-1.elb.amazonaws.com.',
          EvaluateTargetHealth: true,
        },
      },
      {
        Name: 'cdn.example.com.',
        Type: 'AAAA',
        AliasTarget: {
          HostedZoneId: 'Z2FDTNDATAQYW2',
          DNSName: 'd111111abcdef8.cloudfront.net.',
          EvaluateTargetHealth: false,
        },
      },
    ]);
    expect(server.recordSets(zoneId).find((set) => set.name === 'www.example.com')?.alias).toEqual({
      hostedZoneId: 'Z35SXDOTRQ7X7K',
      dnsName: 'east-lb-1.us-east-1.elb.amazonaws.com',
      evaluateTargetHealth: true,
    });
    const read = await adapter.read({ zone: zoneId, names: ['www.example.com', 'cdn.example.com'] });
    expect(read.map(canonicalRecordSet).sort(byName)).toEqual([cdn, lb].map(canonicalRecordSet));

    // Flipping EvaluateTargetHealth is a change Route 53 sees (an UPSERT), and it lands.
    const flipped: RecordSet = {
      ...lb,
      alias: { ...(lb.alias as NonNullable<RecordSet['alias']>), evaluateTargetHealth: false },
    };
    await adapter.apply(zoneId, [{ action: 'update', before: lb, after: flipped }]);
    expect(
      server.recordSets(zoneId).find((set) => set.name === 'www.example.com')?.alias?.evaluateTargetHealth,
    ).toBe(false);
    // A delete of an alias set names it exactly (no TTL, no values), which Route 53 requires.
    await adapter.apply(zoneId, [{ action: 'delete', before: flipped }]);
    expect(server.recordSets(zoneId).some((set) => set.name === 'www.example.com')).toBe(false);
  });

  it('weights: one weighted set per pool, a drained pool at weight 0 keeping its values', async () => {
    const { server, zoneId, provider, adapter } = await start();
    const target: SyncedAdapter = { provider, adapter, zone: zoneId, deploymentId: 'r53-test' };
    const service = weightedApiService(target);
    const sync = (weights: Record<string, number>) => syncToWeights(target, service, weights);
    const weighted = () =>
      server
        .recordSets(zoneId)
        .filter((set) => set.name === 'api.example.com')
        .map(({ setIdentifier, weight, values, ttl }) => ({ setIdentifier, weight, values, ttl }));

    const first = await sync({ east: 1, west: 3 });
    expect(first.plan.changes.filter((change) => change.action === 'create')).toHaveLength(3); // 2 pools + owner
    expect(weighted()).toEqual([
      { setIdentifier: 'east', weight: 1, values: ['192.0.2.10', '192.0.2.11'], ttl: 30 },
      { setIdentifier: 'west', weight: 3, values: ['198.51.100.20'], ttl: 30 },
    ]);

    const drained = await sync({ west: 3 });
    expect(drained.plan.changes.map((change) => change.action)).toEqual(['update']);
    expect(weighted()).toEqual([
      { setIdentifier: 'east', weight: 0, values: ['192.0.2.10', '192.0.2.11'], ttl: 30 },
      { setIdentifier: 'west', weight: 3, values: ['198.51.100.20'], ttl: 30 },
    ]);
    // An UPSERT was sent for the drained pool only; the adapter read weight 0 back as weight 0.
    const read = await adapter.read({ zone: zoneId, names: ['api.example.com'] });
    expect(read.find((set) => set.setIdentifier === 'east')).toMatchObject({ weight: 0 });
  });

  it('reports PENDING, then INSYNC once Route 53 has propagated the change', async () => {
    const { zoneId, adapter } = await start({ syncDelayMs: 5_000 });
    const submitted = await adapter.apply(zoneId, [
      { action: 'create', after: a('www.example.com', ['192.0.2.1']) },
    ]);

    expect(submitted.changeId).toMatch(/^C[A-Z0-9]+$/); // the `/change/` prefix is stripped
    expect(Math.abs(submitted.submittedAt - Date.now())).toBeLessThan(60_000);
    await expect(adapter.changeStatus(submitted.changeId)).resolves.toBe('pending');
    await waitFor(async () => (await adapter.changeStatus(`/change/${submitted.changeId}`)) === 'in-sync', {
      timeoutMs: 25_000,
      intervalMs: 250,
      what: 'the change to be INSYNC',
    });
  });

  describe('error mapping (answers of the local Route 53 server)', () => {
    const www = a('www.example.com', ['192.0.2.1']);

    it.each([
      ['Throttling', 'THROTTLED', 400],
      ['PriorRequestNotComplete', 'THROTTLED', 400],
      ['ServiceUnavailable', 'UNAVAILABLE', 503],
      ['InternalError', 'UNAVAILABLE', 500],
      ['AccessDenied', 'FORBIDDEN', 403],
    ] as const)('%s on a change batch -> %s', async (remoteCode, code, httpStatus) => {
      const { server, zoneId, adapter } = await start();
      server.injectFault({ operation: 'ChangeResourceRecordSets', code: remoteCode });

      const error = await providerFailure(adapter.apply(zoneId, [{ action: 'create', after: www }]));

      expect(error).toMatchObject({ code, remoteCode, httpStatus, provider: 'r53' });
      expect(error.remoteMessage).toBeTruthy();
      expect(error.message).toContain(`ChangeResourceRecordSets on hosted zone ${zoneId}`);
      expect(error.message).toContain(error.remoteMessage);
      expect(server.recordSets(zoneId).some((set) => set.name === 'www.example.com')).toBe(false);
    });

    it('the account rate limit -> THROTTLED on reads too', async () => {
      const { server, zoneId, adapter } = await start();
      await adapter.read({ zone: zoneId, names: ['www.example.com'] }); // looks the zone up once
      server.setRequestsPerSecond(0.001); // the bucket starts full (one request), then refills too slowly to matter
      await adapter.read({ zone: zoneId, names: ['www.example.com'] });

      const error = await providerFailure(adapter.read({ zone: zoneId, names: ['www.example.com'] }));

      expect(error).toMatchObject({
        code: 'THROTTLED',
        remoteCode: 'Throttling',
        remoteMessage: 'Rate exceeded',
      });
      expect(error.transient).toBe(true);
    });

    it('AccessDenied on a read -> FORBIDDEN naming the IAM actions needed', async () => {
      const { server, zoneId, adapter } = await start();
      server.injectFault({ operation: 'GetHostedZone', code: 'AccessDenied' });

      const error = await providerFailure(adapter.read({ zone: zoneId, names: ['www.example.com'] }));

      expect(error.code).toBe('FORBIDDEN');
      expect(error.remoteMessage).toContain('not authorized to perform: route53:GetHostedZone');
      expect(error.message).toContain('route53:ListResourceRecordSets');
      // A failed zone lookup is not remembered: the next read asks again and succeeds.
      await expect(adapter.read({ zone: zoneId, names: ['www.example.com'] })).resolves.toEqual([]);
    });

    it('an unknown hosted zone -> NOT_FOUND, an unknown change -> NOT_FOUND', async () => {
      const { adapter } = await start();

      const zone = await providerFailure(
        adapter.read({ zone: 'Z0000000000NOSUCH', names: ['www.example.com'] }),
      );
      expect(zone).toMatchObject({ code: 'NOT_FOUND', remoteCode: 'NoSuchHostedZone', httpStatus: 404 });
      expect(zone.remoteMessage).toBe('No hosted zone found with ID: Z0000000000NOSUCH');

      const write = await providerFailure(
        adapter.apply('Z0000000000NOSUCH', [{ action: 'create', after: www }]),
      );
      expect(write).toMatchObject({ code: 'NOT_FOUND', remoteCode: 'NoSuchHostedZone' });

      const change = await providerFailure(adapter.changeStatus('C0000000000NOSUCH'));
      expect(change).toMatchObject({ code: 'NOT_FOUND', remoteCode: 'NoSuchChange', httpStatus: 404 });
    });

    it('InvalidChangeBatch "already exists" -> CONFLICT', async () => {
      const { server, zoneId, adapter } = await start();
      server.seed(zoneId, [toServerSet(www)]);

      const error = await providerFailure(adapter.apply(zoneId, [{ action: 'create', after: www }]));

      expect(error).toMatchObject({ code: 'CONFLICT', remoteCode: 'InvalidChangeBatch', httpStatus: 400 });
      expect(error.remoteMessage).toBe(
        "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]",
      );
    });

    it('InvalidChangeBatch "not found" and "do not match" (two problems in one answer) -> CONFLICT', async () => {
      const { server, zoneId, adapter } = await start();
      server.seed(zoneId, [toServerSet(a('old.example.com', ['192.0.2.9']))]);

      const error = await providerFailure(
        adapter.apply(zoneId, [
          { action: 'delete', before: www },
          { action: 'delete', before: a('old.example.com', ['192.0.2.8']) },
        ]),
      );

      expect(error.code).toBe('CONFLICT');
      expect(error.remoteMessage).toContain('but it was not found, Tried to delete');
      expect(error.remoteMessage).toContain('the values provided do not match the current values');
      expect(server.recordSets(zoneId).some((set) => set.name === 'old.example.com')).toBe(true);
    });

    it('InvalidChangeBatch with an invalid value -> REJECTED, even beside a conflict', async () => {
      const { server, zoneId, adapter } = await start();
      server.seed(zoneId, [toServerSet(www)]);

      const invalid = await providerFailure(
        adapter.apply(zoneId, [{ action: 'create', after: a('bad.example.com', ['192.0.2.300']) }]),
      );
      expect(invalid).toMatchObject({ code: 'REJECTED', remoteCode: 'InvalidChangeBatch' });
      expect(invalid.remoteMessage).toContain('ARRDATAIllegalIPv4Address');

      const mixed = await providerFailure(
        adapter.apply(zoneId, [
          { action: 'create', after: www },
          { action: 'create', after: a('bad.example.com', ['192.0.2.300']) },
        ]),
      );
      expect(mixed.code).toBe('REJECTED');
      expect(mixed.transient).toBe(false);
    });

    it('InvalidChangeBatch over the request limits -> REJECTED', async () => {
      const { zoneId, adapter } = await start({ limits: { maxResourceRecords: 3, maxValueChars: 32_000 } });

      const error = await providerFailure(
        adapter.apply(zoneId, [
          {
            action: 'create',
            after: a('www.example.com', ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']),
          },
        ]),
      );

      expect(error).toMatchObject({ code: 'REJECTED', remoteCode: 'InvalidChangeBatch' });
      expect(error.remoteMessage).toBe('[Number of records limit of 3 exceeded.]');
    });

    it('InvalidInput -> REJECTED', async () => {
      const { zoneId, adapter } = await start();
      const tooHeavy: RecordSet = {
        ...a('www.example.com', ['192.0.2.1']),
        setIdentifier: 'east',
        weight: 256,
      };

      const error = await providerFailure(adapter.apply(zoneId, [{ action: 'create', after: tooHeavy }]));

      expect(error).toMatchObject({ code: 'REJECTED', remoteCode: 'InvalidInput', httpStatus: 400 });
      expect(error.remoteMessage).toContain('Member must have value less than or equal to 255');
    });

    it('no server listening -> UNAVAILABLE', async () => {
      const { server, zoneId, provider } = await start();
      await server.close();
      const adapter = createRoute53Adapter(provider, { env: TEST_ENV });

      const error = await providerFailure(adapter.apply(zoneId, [{ action: 'create', after: www }]));

      expect(error.code).toBe('UNAVAILABLE');
      expect(error.transient).toBe(true);
      await adapter.close();
    });
  });

  describe('hosted zone ids', () => {
    it('accepts Z123 and /hostedzone/Z123 alike', async () => {
      const { server, zoneId, adapter } = await start();

      await adapter.apply(`/hostedzone/${zoneId}`, [
        { action: 'create', after: a('www.example.com', ['192.0.2.1']) },
      ]);
      const bare = await adapter.read({ zone: zoneId, names: ['www.example.com'] });
      const prefixed = await adapter.read({ zone: `/hostedzone/${zoneId}`, names: ['www.example.com'] });

      expect(bare).toEqual([a('www.example.com', ['192.0.2.1'])]);
      expect(prefixed).toEqual(bare);
      expect(
        server.requests.every((request) => request.zoneId === undefined || request.zoneId === zoneId),
      ).toBe(true);
    });

    it('refuses what is not a hosted zone id, and names outside the zone, before any write', async () => {
      const { server, zoneId, adapter } = await start();

      const notAnId = await providerFailure(
        adapter.read({ zone: 'example.com', names: ['www.example.com'] }),
      );
      expect(notAnId.code).toBe('REJECTED');
      expect(notAnId.message).toContain('"example.com" is not a Route 53 hosted zone id');

      const outside = await providerFailure(
        adapter.read({ zone: zoneId, names: ['www.example.com', 'www.example.org'] }),
      );
      expect(outside.code).toBe('REJECTED');
      expect(outside.message).toContain(
        `hosted zone ${zoneId} is example.com, which does not hold www.example.org`,
      );
      expect(server.stats().requests.ListResourceRecordSets ?? 0).toBe(0);
    });
  });

  describe('names', () => {
    it('writes a wildcard as *, reads it back whether Route 53 answers * or \\052', async () => {
      const { server, zoneId, adapter, calls } = await start();
      await adapter.apply(zoneId, [{ action: 'create', after: a('*.wild.example.com', ['192.0.2.7']) }]);
      // Route 53 itself answers wildcards escaped; seed one that way, as its listing would show it.
      server.seed(zoneId, [{ name: '\\052.esc.example.com', type: 'A', ttl: 60, values: ['192.0.2.8'] }]);

      const sent = calls.find((call) => call.operation === 'ChangeResourceRecordSets')
        ?.input as ChangeResourceRecordSetsCommandInput;
      expect(sent.ChangeBatch?.Changes?.[0]?.ResourceRecordSet?.Name).toBe('*.wild.example.com.');
      expect(await adapter.read({ zone: zoneId, names: ['*.wild.example.com'] })).toEqual([
        a('*.wild.example.com', ['192.0.2.7']),
      ]);
      expect(await adapter.read({ zone: zoneId, names: ['*.esc.example.com'] })).toEqual([
        a('*.esc.example.com', ['192.0.2.8']),
      ]);
    });

    it('reads names in any case and with a trailing dot as the same name', async () => {
      const { server, zoneId, adapter } = await start();
      server.seed(zoneId, [
        { name: 'WWW.Example.COM.', type: 'CNAME', ttl: 60, values: ['LB.Example.net.'] },
      ]);

      expect(await adapter.read({ zone: zoneId, names: ['www.example.com.'] })).toEqual([
        { name: 'www.example.com', type: 'CNAME', ttl: 60, values: ['lb.example.net'] },
      ]);
    });

    it('keeps TXT values quoted, and deletes a set exactly as Route 53 holds it', async () => {
      const { server, zoneId, adapter } = await start();
      // Written by another tool: a CNAME target without the trailing dot, in upper case.
      server.seed(zoneId, [
        { name: 'old.example.com', type: 'CNAME', ttl: 300, values: ['Legacy-LB.example.net'] },
        { name: 'txt.example.com', type: 'TXT', ttl: 300, values: ['"v=spf1 -all"', '"a" "b"'] },
      ]);
      const [cnameSet] = await adapter.read({ zone: zoneId, names: ['old.example.com'] });
      const [txtSet] = await adapter.read({ zone: zoneId, names: ['txt.example.com'] });
      expect(txtSet?.values).toEqual(['"a" "b"', '"v=spf1 -all"']);
      expect(cnameSet?.values).toEqual(['legacy-lb.example.net']);

      await adapter.apply(zoneId, [
        { action: 'delete', before: cnameSet as RecordSet },
        { action: 'delete', before: txtSet as RecordSet },
      ]);

      expect(server.recordSets(zoneId).filter((set) => set.type === 'CNAME' || set.type === 'TXT')).toEqual(
        [],
      );
    });

    it('leaves types it does not manage out of what it reads', async () => {
      const { server, zoneId, adapter } = await start();
      server.seed(zoneId, [
        { name: 'www.example.com', type: 'MX', ttl: 300, values: ['10 mail.example.com.'] },
        { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      ]);
      expect(await adapter.read({ zone: zoneId, names: ['www.example.com'] })).toEqual([
        a('www.example.com', ['192.0.2.1']),
      ]);
    });
  });

  describe('paging reads', () => {
    /** `n` A sets named `<prefix>NNNN.example.com`, in list order. */
    const block = (prefix: string, n: number): RecordSet[] =>
      Array.from({ length: n }, (_, i) =>
        a(`${prefix}${String(i).padStart(4, '0')}.example.com`, [`10.${Math.floor(i / 250)}.${i % 250}.1`]),
      );
    const listCalls = (started: Started) =>
      started.calls.filter((call) => call.operation === 'ListResourceRecordSets');

    it('reads 350 names spread over more than one page, and only them', async () => {
      const started = await start();
      const { server, zoneId, adapter } = started;
      const wanted = block('p', 350);
      server.seed(zoneId, [...block('a', 200), ...wanted, ...block('z', 200)].map(toServerSet));

      const read = await adapter.read({ zone: zoneId, names: wanted.map((set) => set.name) });

      expect(read.map(canonicalRecordSet).sort(byName)).toEqual(wanted.map(canonicalRecordSet));
      // A full listing of the 752 sets would take 3 pages; the 350 names together take 2.
      expect(listCalls(started)).toHaveLength(2);
      const full = Math.ceil(server.recordSets(zoneId).length / MAX_LIST_PAGE_SIZE);
      expect(listCalls(started).length).toBeLessThanOrEqual(full);
      expect(
        listCalls(started).every(
          (call) => (call.input as ListResourceRecordSetsCommandInput).MaxItems === 300,
        ),
      ).toBe(true);
    });

    it('costs one call per cluster of names, not one per name, in a large zone', async () => {
      const started = await start();
      const { server, zoneId, adapter } = started;
      server.seed(zoneId, [...block('a', 600), ...block('m', 600), ...block('z', 600)].map(toServerSet));
      server.seed(zoneId, [
        toServerSet(a('m0100.example.com', ['192.0.2.1'])),
        {
          name: '_quorumdns.m0100.example.com',
          type: 'TXT',
          ttl: 300,
          values: ['"heritage=quorumdns,deployment=x"'],
        },
      ]);

      const read = await adapter.read({
        zone: zoneId,
        names: [
          'm0100.example.com',
          '_quorumdns.m0100.example.com',
          'absent.example.com',
          'z0599.example.com',
        ],
      });

      expect(read.map((set) => set.name).sort()).toEqual([
        '_quorumdns.m0100.example.com',
        'm0100.example.com',
        'z0599.example.com',
      ]);
      // absent.example.com sorts just before the m block, so its page also holds m0100 and its owner record;
      // z0599 needs one more: two calls, where a full listing of the 1,803 sets would take seven.
      expect(listCalls(started)).toHaveLength(2);
      expect(Math.ceil(server.recordSets(zoneId).length / MAX_LIST_PAGE_SIZE)).toBe(7);
    });

    it('paces the pages of one read to the account rate, so a long read is never throttled midway', async () => {
      const paced = await start({ requestsPerSecond: 5 }, { name: 'r53-paced', requestsPerSecond: 5 });
      // Seven names 300 sets apart: seven pages, plus the zone lookup, against a 5 requests/s account.
      const blocks = ['b', 'c', 'd', 'e', 'f', 'g', 'h'];
      paced.server.seed(paced.zoneId, blocks.flatMap((prefix) => block(prefix, 300)).map(toServerSet));
      const names = blocks.map((prefix) => `${prefix}0000.example.com`);

      const read = await paced.adapter.read({ zone: paced.zoneId, names });

      expect(read.map((set) => set.name).sort()).toEqual(names);
      expect(listCalls(paced)).toHaveLength(7);
      expect(paced.server.stats().throttled).toBe(0);

      // Unpaced, the same read bursts past the account's bucket: the throttled pages are sent again where the
      // listing stopped (never from the first page), and the read still completes.
      const burst = await start({ requestsPerSecond: 5 });
      burst.server.seed(burst.zoneId, blocks.flatMap((prefix) => block(prefix, 300)).map(toServerSet));
      const unpaced = createRoute53Adapter(burst.provider, { env: TEST_ENV, pageRateLimiter: unlimited });
      const reread = await unpaced.read({ zone: burst.zoneId, names });
      await unpaced.close();
      expect(reread.map((set) => set.name).sort()).toEqual(names);
      const throttled = burst.server.stats().throttled;
      expect(throttled).toBeGreaterThan(0);
      // Seven pages answered, plus one resend per throttled request: no page was read twice.
      const lists = burst.server.requests.filter((request) => request.operation === 'ListResourceRecordSets');
      expect(lists.filter((request) => request.rejectedBy === undefined)).toHaveLength(7);
      expect(lists).toHaveLength(7 + throttled);
    });

    it('continues inside a name whose weighted sets straddle a page boundary', async () => {
      const started = await start();
      const { server, zoneId, adapter } = started;
      const weighted: RecordSet[] = Array.from({ length: 12 }, (_, i) => ({
        ...a('w.example.com', [`192.0.2.${i + 1}`]),
        setIdentifier: `pool-${String(i).padStart(2, '0')}`,
        weight: i,
      }));
      // The walk starts at v0000; 293 v sets come before w.example.com, so the first page of 300 ends inside
      // w's group of weighted sets, after pool-06.
      server.seed(zoneId, [...block('v', 293), ...weighted, ...block('x', 10)].map(toServerSet));

      const read = await adapter.read({
        zone: zoneId,
        names: ['v0000.example.com', 'w.example.com', 'x0009.example.com'],
      });

      expect(read.filter((set) => set.name === 'w.example.com').map(canonicalRecordSet)).toEqual(
        weighted.map(canonicalRecordSet),
      );
      expect(read.filter((set) => set.name === 'x0009.example.com')).toHaveLength(1);
      expect(listCalls(started)).toHaveLength(2);
      const second = listCalls(started)[1]?.input as ListResourceRecordSetsCommandInput;
      expect(second).toMatchObject({
        StartRecordName: 'w.example.com.',
        StartRecordType: 'A',
        StartRecordIdentifier: 'pool-07',
      });
    });
  });

  describe('configuration', () => {
    it('takes static keys, region and profile from the environment it is given', () => {
      const provider = { ...providerFor({ endpoint: 'http://127.0.0.1:1' } as Route53TestServer, 'Z1') };
      expect(
        route53ApiOptions(provider, {
          AWS_ACCESS_KEY_ID: 'k',
          AWS_SECRET_ACCESS_KEY: 's',
          AWS_SESSION_TOKEN: 't',
        }),
      ).toEqual({
        endpoint: 'http://127.0.0.1:1',
        credentials: { accessKeyId: 'k', secretAccessKey: 's', sessionToken: 't' },
      });
      expect(
        route53ApiOptions(
          { ...provider, region: 'eu-west-1' },
          { AWS_PROFILE: 'dns', AWS_REGION: 'us-west-2' },
        ),
      ).toEqual({
        endpoint: 'http://127.0.0.1:1',
        region: 'eu-west-1',
        profile: 'dns',
      });
    });

    it('with roleArn, assumes the role through STS and writes DNS with the temporary credentials', async () => {
      const { server, zoneId } = await start();
      const assumed: URLSearchParams[] = [];
      const sts = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          assumed.push(new URLSearchParams(body));
          response.writeHead(200, { 'content-type': 'text/xml' });
          response.end(
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
              '<Credentials><AccessKeyId>ASIATEMPORARY</AccessKeyId><SecretAccessKey>temporary</SecretAccessKey>' +
              `<SessionToken>token</SessionToken><Expiration>${new Date(Date.now() + 3600e3).toISOString()}</Expiration>` +
              '</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/dns/s</Arn>' +
              '<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>' +
              '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>',
          );
        });
      });
      await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', resolve));
      try {
        const provider = providerFor(server, zoneId, { roleArn: 'arn:aws:iam::123456789012:role/dns' });
        const options = route53ApiOptions(provider, TEST_ENV);
        expect(options.assumeRole).toEqual({
          roleArn: 'arn:aws:iam::123456789012:role/dns',
          sessionName: `quorumdns-${provider.name}`,
        });
        const port = (sts.address() as AddressInfo).port;
        const api = createRoute53Api({
          ...options,
          assumeRole: { ...options.assumeRole!, stsEndpoint: `http://127.0.0.1:${port}` },
        });
        try {
          const zone = await api.getHostedZone({ Id: zoneId });
          expect(zone.HostedZone?.Id).toContain(zoneId);
        } finally {
          api.close();
        }
        expect(assumed).toHaveLength(1);
        expect(assumed[0]?.get('Action')).toBe('AssumeRole');
        expect(assumed[0]?.get('RoleArn')).toBe('arn:aws:iam::123456789012:role/dns');
        expect(assumed[0]?.get('RoleSessionName')).toBe(`quorumdns-${provider.name}`);
      } finally {
        await new Promise<void>((resolve) => sts.close(() => resolve()));
      }
    });
  });

  it('dry-run sync of a fresh service makes reads only', async () => {
    const { server, zoneId, provider, adapter } = await start();
    const result = await dryRunFreshService({ provider, adapter, zone: zoneId, deploymentId: 'r53-test' });
    expect(result.plan.changes.length).toBe(2);
    expect(Object.keys(server.stats().requests).sort()).toEqual(['GetHostedZone', 'ListResourceRecordSets']);
  });
});

function byName(x: RecordSet, y: RecordSet): number {
  return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
}

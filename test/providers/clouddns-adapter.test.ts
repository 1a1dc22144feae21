/**
 * The Cloud DNS adapter against the local Cloud DNS server, through the real @google-cloud/dns client over HTTP
 * on 127.0.0.1: the shared conformance suite, then what only Cloud DNS has (wrr items with weight 0, exact
 * deletions, pending -> done, its error answers, paging with filters), and proof that nothing leaves loopback.
 * What the server holds is always checked through the server's own store, never through the adapter under test.
 *
 * Run with `npm test -- test/providers/clouddns-adapter.test.ts`: the client needs --experimental-vm-modules
 * inside jest (teeny-request loads node-fetch with a dynamic import).
 */
import net from 'node:net';
import vm from 'node:vm';
import { type AuthClient, PassThroughClient } from 'google-auth-library';
import type { CloudDnsProvider } from '../../src/config/types';
import { createAdapter } from '../../src/providers/create-adapter';
import type { DnsProviderAdapter } from '../../src/providers/provider-adapter';
import { type RateLimiter, unlimited } from '../../src/providers/rate-limiter';
import type { ManagedRecordType, RecordSet } from '../../src/providers/record-set';
import { canonicalRecordSet } from '../../src/providers/record-set-equality';
import { type CloudDnsApi, createCloudDnsApi } from '../../src/providers/clouddns/clouddns-api';
import {
  CLOUDDNS_CAPABILITIES,
  type CloudDnsAdapterOptions,
  createCloudDnsAdapter,
} from '../../src/providers/clouddns/clouddns-adapter';
import { authClientFor } from '../../src/providers/clouddns/clouddns-credentials';
import { describeAdapterConformance, type ConformanceHarness } from './conformance/adapter-conformance';
import {
  startCloudDnsServer,
  type CloudDnsRrset,
  type CloudDnsServerOptions,
  type CloudDnsTestServer,
} from './clouddns-server';
import { getClosedPort, startHangingServer, startResettingServer } from '../support/misbehaving-servers';
import { providerFailure } from './support/provider-failure';
import {
  dryRunFreshService,
  type SyncedAdapter,
  syncToWeights,
  weightedApiService,
} from './support/adapter-sync';
import { waitFor } from '../support/wait-for';

// --- network guards ----------------------------------------------------------------------------------------
// No Application Default Credentials lookup, no metadata server: and should anything still try, the metadata
// address it would use is a closed loopback port.
process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:9';
process.env.GCE_METADATA_IP = '127.0.0.1:9';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.GOOGLE_APPLICATION_CREDENTIALS;

if (
  process.env.JEST_WORKER_ID !== undefined &&
  typeof (vm as { SyntheticModule?: unknown }).SyntheticModule !== 'function'
) {
  throw new Error(
    '@google-cloud/dns cannot send requests inside jest without --experimental-vm-modules: run ' +
      '`npm test -- test/providers/clouddns-adapter.test.ts` (package.json passes the flag)',
  );
}

/** Every TCP connection any code in this file opens: refused (and recorded) unless it goes to loopback. */
const connectTargets: string[] = [];
const refusedTargets: string[] = [];
const realConnect = net.Socket.prototype.connect;

function isLoopback(host: string): boolean {
  return (
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '::1' ||
    host === 'localhost' ||
    host.startsWith('::ffff:127.')
  );
}

/** The host of a `socket.connect(...)` call, whatever form its arguments take (`undefined`: a unix socket). */
function hostOf(args: unknown[]): string | undefined {
  const first: unknown = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown };
    if (typeof options.path === 'string') return undefined;
    return typeof options.host === 'string' ? options.host : 'localhost';
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  return undefined;
}

beforeAll(() => {
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== undefined) {
      connectTargets.push(host);
      if (!isLoopback(host)) {
        refusedTargets.push(host);
        throw new Error(`test network guard: refused a connection to ${host} (tests talk to loopback only)`);
      }
    }
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof realConnect;
});

afterAll(() => {
  net.Socket.prototype.connect = realConnect;
});

// --- fixtures ----------------------------------------------------------------------------------------------

const PROJECT = 'quorumdns-test';
const ZONE = 'example-com';
const APEX = 'example.com.';
/** The only environment the adapters of this file get: the endpoint override's token, nothing else. */
const TEST_ENV: NodeJS.ProcessEnv = { QUORUMDNS_CLOUDDNS_TOKEN: 'test-token' };
const MANAGED: ReadonlySet<string> = new Set<ManagedRecordType>(['A', 'AAAA', 'CNAME', 'TXT']);

function providerFor(server: CloudDnsTestServer, extra: Partial<CloudDnsProvider> = {}): CloudDnsProvider {
  return {
    type: 'clouddns',
    name: 'gcp',
    project: PROJECT,
    managedZone: ZONE,
    endpoint: server.baseUrl,
    ownerRecords: true,
    limits: {},
    syncTimeout: 15_000,
    maxDeletes: 10,
    ...extra,
  };
}

const dotted = (name: string): string => `${name}.`;

/** api.example.com's weighted rrset on the wire: east's two addresses, then west's one (weight 3), TTL 30. */
function apiWrrRrset(eastWeight: number, westWeight: number): CloudDnsRrset {
  return {
    name: 'api.example.com.',
    type: 'A',
    ttl: 30,
    routingPolicy: {
      wrr: {
        items: [
          { weight: eastWeight, rrdatas: ['192.0.2.10', '192.0.2.11'] },
          { weight: westWeight, rrdatas: ['198.51.100.20'] },
        ],
      },
    },
  };
}

/** Our record sets in the server's vocabulary (its own conversion, not the adapter's codec). */
function toServerRrset(set: RecordSet): CloudDnsRrset {
  const value = (v: string): string => (set.type === 'CNAME' ? dotted(v) : v);
  const rrset: CloudDnsRrset = { name: dotted(set.name), type: set.type, ttl: set.ttl };
  if (set.wrr !== undefined) {
    rrset.routingPolicy = {
      wrr: { items: set.wrr.map((item) => ({ weight: item.weight, rrdatas: item.values.map(value) })) },
    };
  } else rrset.rrdatas = (set.values ?? []).map(value);
  return rrset;
}

function fromServerRrset(rrset: CloudDnsRrset): RecordSet {
  const value = (v: string): string => (rrset.type === 'CNAME' ? v.replace(/\.$/, '') : v);
  const set: RecordSet = { name: rrset.name, type: rrset.type as ManagedRecordType, ttl: rrset.ttl };
  if (rrset.routingPolicy !== undefined) {
    set.wrr = rrset.routingPolicy.wrr.items.map((item) => ({
      weight: item.weight,
      values: item.rrdatas.map(value),
    }));
  } else set.values = (rrset.rrdatas ?? []).map(value);
  return canonicalRecordSet(set);
}

function snapshotOf(server: CloudDnsTestServer): RecordSet[] {
  return server
    .rrsets(PROJECT, ZONE)
    .filter((rrset) => MANAGED.has(rrset.type))
    .map(fromServerRrset);
}

const a = (name: string, values: string[], ttl = 60): RecordSet => ({ name, type: 'A', ttl, values });

interface Started {
  server: CloudDnsTestServer;
  provider: CloudDnsProvider;
  adapter: DnsProviderAdapter;
  /** Every API call the adapter made, in order (the real client underneath). */
  calls: Array<{ operation: string; zone: string; detail: unknown }>;
}

const running: Array<{ server?: CloudDnsTestServer; adapter: DnsProviderAdapter }> = [];

/** A server with zone example-com and an adapter on it whose API calls are recorded. */
async function start(
  serverOptions: CloudDnsServerOptions = {},
  adapterOptions: Omit<CloudDnsAdapterOptions, 'api'> = {},
  providerExtra: Partial<CloudDnsProvider> = {},
): Promise<Started> {
  const server = await startCloudDnsServer({ syncDelayMs: 100, ...serverOptions });
  server.createManagedZone(PROJECT, ZONE, APEX);
  const provider = providerFor(server, providerExtra);
  const real = createCloudDnsApi({
    project: PROJECT,
    endpoint: server.baseUrl,
    authClient: adapterOptions.authClient ?? staticTokenClient(),
    ...(adapterOptions.requestTimeoutMs !== undefined
      ? { requestTimeoutMs: adapterOptions.requestTimeoutMs }
      : {}),
  });
  const calls: Started['calls'] = [];
  const api: CloudDnsApi = {
    listRrsets: (zone, query, signal) => {
      calls.push({ operation: 'rrsets.list', zone, detail: query });
      return real.listRrsets(zone, query, signal);
    },
    createChange: (zone, change, signal) => {
      calls.push({ operation: 'changes.create', zone, detail: change });
      return real.createChange(zone, change, signal);
    },
    getChange: (zone, id, signal) => {
      calls.push({ operation: 'changes.get', zone, detail: id });
      return real.getChange(zone, id, signal);
    },
    getManagedZone: (zone, signal) => {
      calls.push({ operation: 'managedZones.get', zone, detail: undefined });
      return real.getManagedZone(zone, signal);
    },
    close: () => real.close(),
  };
  const adapter = createCloudDnsAdapter(provider, { pageRateLimiter: unlimited, ...adapterOptions, api });
  running.push({ server, adapter });
  return { server, provider, adapter, calls };
}

/**
 * The adapter's own choice for an endpoint override is exercised by the conformance harness below; where the
 * API is built directly, it gets the same kind of client.
 */
function staticTokenClient(): AuthClient {
  return authClientFor({
    kind: 'static-token',
    token: 'test-token',
    tokenFrom: 'QUORUMDNS_CLOUDDNS_TOKEN',
  }) as AuthClient;
}

afterEach(async () => {
  for (const { server, adapter } of running.splice(0)) {
    await adapter.close();
    await server?.close();
  }
});

function byName(x: RecordSet, y: RecordSet): number {
  return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
}

// --- the shared conformance suite --------------------------------------------------------------------------

describeAdapterConformance(
  'clouddns (local Cloud DNS server, real @google-cloud/dns client)',
  async (): Promise<ConformanceHarness> => {
    const server = await startCloudDnsServer({ syncDelayMs: 100 });
    server.createManagedZone(PROJECT, ZONE, APEX);
    const provider = providerFor(server);
    // Production wiring: credentials chosen by the adapter (endpoint override -> static token), real client.
    const adapter = createCloudDnsAdapter(provider, { env: TEST_ENV });
    return {
      adapter,
      zone: ZONE,
      domain: 'example.com',
      provider,
      seed: async (sets) => server.seed(PROJECT, ZONE, sets.map(toServerRrset)),
      snapshot: async () => snapshotOf(server),
      injectThrottling: (count, operation) => {
        if (operation === 'write')
          server.injectFault({ status: 429, count, method: 'POST', resource: 'changes' });
        else if (operation === 'read')
          server.injectFault({ status: 429, count, method: 'GET', resource: 'rrsets' });
        else server.injectFault({ status: 429, count });
      },
      writeCalls: () => server.stats().requests['POST changes'] ?? 0,
      acceptedWrites: () => server.stats().acceptedChanges,
      teardown: async () => {
        await adapter.close();
        await server.close();
      },
    };
  },
);

// --- Cloud DNS specifics -------------------------------------------------------------------------------------

describe('Cloud DNS adapter', () => {
  it('declares Cloud DNS capabilities', () => {
    expect(CLOUDDNS_CAPABILITIES).toEqual({
      modes: ['rewrite', 'weights'],
      weightedStyle: 'items-in-set',
      alias: false,
      limits: { maxChanges: 1000, maxRecordValues: 5000, maxValueChars: 95_000 },
      updateCost: 1,
      requestsPerSecond: 10,
      hasSyncStatus: true,
    });
  });

  it('is what createAdapter builds for a clouddns provider', async () => {
    const server = await startCloudDnsServer();
    server.createManagedZone(PROJECT, ZONE, APEX);
    const adapter = createAdapter(providerFor(server), {
      env: TEST_ENV,
      redis: undefined as never,
      keyPrefix: 'unused',
    });
    running.push({ server, adapter });
    expect(adapter).toMatchObject({ type: 'clouddns', name: 'gcp', capabilities: CLOUDDNS_CAPABILITIES });
    server.seed(PROJECT, ZONE, [toServerRrset(a('www.example.com', ['192.0.2.1']))]);
    expect(await adapter.read({ zone: ZONE, names: ['www.example.com'] })).toEqual([
      a('www.example.com', ['192.0.2.1']),
    ]);
  });

  it('round-trips wrr items, a weight of 0 included, as routingPolicy.wrr', async () => {
    const { server, adapter, calls } = await start();
    const weighted: RecordSet = {
      name: 'api.example.com',
      type: 'A',
      ttl: 30,
      wrr: [
        { weight: 0, values: ['192.0.2.10', '192.0.2.11'] },
        { weight: 3, values: ['198.51.100.20'] },
      ],
    };

    await adapter.apply(ZONE, [{ action: 'create', after: weighted }]);

    expect(calls.find((call) => call.operation === 'changes.create')?.detail).toEqual({
      additions: [apiWrrRrset(0, 3)],
      deletions: [],
    });
    const stored = server.rrsets(PROJECT, ZONE).find((rrset) => rrset.name === 'api.example.com.');
    expect(stored).toEqual(apiWrrRrset(0, 3));
    expect(await adapter.read({ zone: ZONE, names: ['api.example.com'] })).toEqual([
      canonicalRecordSet(weighted),
    ]);
  });

  it('weights: drains and restores a pool in one atomic change each, deleting the exact set it read', async () => {
    const { server, provider, adapter, calls } = await start();
    const target: SyncedAdapter = { provider, adapter, zone: ZONE, deploymentId: 'gcp-test' };
    const service = weightedApiService(target);
    const sync = (weights: Record<string, number>) => syncToWeights(target, service, weights);
    const items = () =>
      server.rrsets(PROJECT, ZONE).find((rrset) => rrset.name === 'api.example.com.')?.routingPolicy?.wrr
        .items;

    await sync({ east: 1, west: 3 });
    expect(items()).toEqual([
      { weight: 1, rrdatas: ['192.0.2.10', '192.0.2.11'] },
      { weight: 3, rrdatas: ['198.51.100.20'] },
    ]);

    const posted = calls.filter((call) => call.operation === 'changes.create').length;
    const drained = await sync({ west: 3 });
    expect(drained.plan.changes.map((change) => change.action)).toEqual(['update']);
    expect(items()).toEqual([
      { weight: 0, rrdatas: ['192.0.2.10', '192.0.2.11'] },
      { weight: 3, rrdatas: ['198.51.100.20'] },
    ]);
    const drainChange = calls.filter((call) => call.operation === 'changes.create')[posted]?.detail;
    expect(drainChange).toEqual({
      deletions: [apiWrrRrset(1, 3)],
      additions: [apiWrrRrset(0, 3)],
    });

    await sync({ east: 1, west: 3 });
    expect(items()?.map((item) => item.weight)).toEqual([1, 3]);
  });

  it('deletes a set written by another tool exactly as Cloud DNS spells it', async () => {
    const { server, adapter, calls } = await start();
    // Unquoted TXT and an upper-case CNAME target: what another tool may have written.
    server.seed(PROJECT, ZONE, [
      { name: 'legacy.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['Old-LB.Example.NET.'] },
      { name: 'notes.example.com.', type: 'TXT', ttl: 300, rrdatas: ['hello world'] },
    ]);
    const read = await adapter.read({ zone: ZONE, names: ['legacy.example.com', 'notes.example.com'] });
    expect(read.sort(byName)).toEqual([
      { name: 'legacy.example.com', type: 'CNAME', ttl: 300, values: ['old-lb.example.net'] },
      { name: 'notes.example.com', type: 'TXT', ttl: 300, values: ['"hello" "world"'] },
    ]);

    const [cname, txt] = read as [RecordSet, RecordSet];
    await adapter.apply(ZONE, [
      { action: 'update', before: cname, after: { ...cname, values: ['new-lb.example.net'] } },
      { action: 'delete', before: txt },
    ]);

    expect(calls.find((call) => call.operation === 'changes.create')?.detail).toMatchObject({
      deletions: [
        { name: 'legacy.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['Old-LB.Example.NET.'] },
        { name: 'notes.example.com.', type: 'TXT', ttl: 300, rrdatas: ['hello world'] },
      ],
      additions: [{ name: 'legacy.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['new-lb.example.net.'] }],
    });
    expect(
      server.rrsets(PROJECT, ZONE).filter((rrset) => rrset.type === 'CNAME' || rrset.type === 'TXT'),
    ).toEqual([{ name: 'legacy.example.com.', type: 'CNAME', ttl: 300, rrdatas: ['new-lb.example.net.'] }]);
  });

  it('reports pending, then done once Cloud DNS has the change everywhere', async () => {
    const { adapter } = await start({ syncDelayMs: 3_000 });
    const submitted = await adapter.apply(ZONE, [
      { action: 'create', after: a('www.example.com', ['192.0.2.1']) },
    ]);

    expect(submitted.changeId).toMatch(/^example-com\/\d+$/);
    expect(Math.abs(submitted.submittedAt - Date.now())).toBeLessThan(60_000);
    await expect(adapter.changeStatus(submitted.changeId)).resolves.toBe('pending');
    await waitFor(async () => (await adapter.changeStatus(submitted.changeId)) === 'in-sync', {
      timeoutMs: 25_000,
      intervalMs: 250,
      what: 'the change to be done',
    });
  });

  it('refuses names outside the managed zone before listing anything', async () => {
    const { adapter, calls } = await start();
    const error = await providerFailure(
      adapter.read({ zone: ZONE, names: ['www.example.com', 'www.example.org'] }),
    );
    expect(error.code).toBe('REJECTED');
    expect(error.message).toContain('managed zone example-com of project quorumdns-test is example.com');
    expect(error.message).toContain('www.example.org');
    expect(calls.map((call) => call.operation)).toEqual(['managedZones.get']);
  });

  describe('paging with filters', () => {
    it('reads one name with a name filter, across pages, leaving unmanaged types out', async () => {
      const { server, adapter, calls } = await start({}, { pageSize: 2 });
      server.seed(PROJECT, ZONE, [
        { name: 'www.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
        { name: 'www.example.com.', type: 'AAAA', ttl: 60, rrdatas: ['2001:DB8::1'] },
        { name: 'www.example.com.', type: 'MX', ttl: 300, rrdatas: ['10 mail.example.com.'] },
        { name: 'www.example.com.', type: 'TXT', ttl: 300, rrdatas: ['"v=spf1 -all"'] },
        { name: 'wwx.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.9'] },
      ]);

      const read = await adapter.read({ zone: ZONE, names: ['www.example.com'] });

      expect(read).toEqual([
        a('www.example.com', ['192.0.2.1']),
        { name: 'www.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
        { name: 'www.example.com', type: 'TXT', ttl: 300, values: ['"v=spf1 -all"'] },
      ]);
      const lists = calls.filter((call) => call.operation === 'rrsets.list').map((call) => call.detail);
      expect(lists).toEqual([
        { name: 'www.example.com.', maxResults: 2 },
        { name: 'www.example.com.', maxResults: 2, pageToken: expect.any(String) },
      ]);
      const paths = server.requests.filter((request) => request.path.includes('/rrsets')).map((r) => r.path);
      expect(paths).toHaveLength(2);
      expect(
        paths.every((path) => path.includes('name=www.example.com.') && path.includes('maxResults=2')),
      ).toBe(true);
      expect(paths[1]).toContain('pageToken=');
    });

    it('lists by name and type through the API', async () => {
      const { server } = await start();
      server.seed(PROJECT, ZONE, [
        { name: 'www.example.com.', type: 'A', ttl: 60, rrdatas: ['192.0.2.1'] },
        { name: 'www.example.com.', type: 'TXT', ttl: 300, rrdatas: ['"x"'] },
      ]);
      const api = createCloudDnsApi({
        project: PROJECT,
        endpoint: server.baseUrl,
        authClient: staticTokenClient(),
      });
      const page = await api.listRrsets(ZONE, { name: 'www.example.com.', type: 'TXT' });
      api.close();
      expect(page.rrsets).toEqual([
        expect.objectContaining({ name: 'www.example.com.', type: 'TXT', rrdatas: ['"x"'] }),
      ]);
      expect(page.nextPageToken).toBeUndefined();
      expect(server.requests.at(-1)?.path).toBe(
        `/dns/v1/projects/${PROJECT}/managedZones/${ZONE}/rrsets?name=www.example.com.&type=TXT`,
      );
    });

    it('lists the whole zone when that is cheaper than one listing per name, and remembers what it cost', async () => {
      const { server, adapter, calls } = await start({ defaultPageSize: 100 });
      const sets = Array.from({ length: 12 }, (_, i) =>
        a(`n${String(i).padStart(2, '0')}.example.com`, [`10.0.0.${i + 1}`]),
      );
      server.seed(PROJECT, ZONE, sets.map(toServerRrset));
      const lists = () => calls.filter((call) => call.operation === 'rrsets.list').map((call) => call.detail);

      // 12 names, more than a zone never listed is assumed to cost: one unfiltered page.
      const first = await adapter.read({ zone: ZONE, names: sets.map((set) => set.name) });
      expect(first.sort(byName)).toEqual(sets);
      expect(lists()).toEqual([{}]);

      // The zone is known to take one page now: two names cost that one page rather than two listings.
      const second = await adapter.read({ zone: ZONE, names: ['n00.example.com', 'n11.example.com'] });
      expect(second.map((set) => set.name).sort()).toEqual(['n00.example.com', 'n11.example.com']);
      expect(lists()).toEqual([{}, {}]);
      // The zone's apex was looked up once for both reads.
      expect(calls.filter((call) => call.operation === 'managedZones.get')).toHaveLength(1);
    });

    it('paces every request of a read beyond its first through the provider rate limiter', async () => {
      let acquired = 0;
      const counting: RateLimiter = {
        acquire: () => {
          acquired += 1;
          return Promise.resolve();
        },
      };
      const { adapter, calls } = await start({}, { pageRateLimiter: counting });
      await adapter.read({ zone: ZONE, names: ['a.example.com', 'b.example.com', 'c.example.com'] });
      // managedZones.get + three filtered listings: the shared layer paid for one, the adapter for three.
      expect(calls).toHaveLength(4);
      expect(acquired).toBe(3);
    });
  });

  describe('error mapping (answers of the local Cloud DNS server)', () => {
    const www = a('www.example.com', ['192.0.2.1']);

    it.each([
      [429, 'rateLimitExceeded', 'THROTTLED'],
      [500, 'backendError', 'UNAVAILABLE'],
      [503, 'backendError', 'UNAVAILABLE'],
      [403, 'forbidden', 'FORBIDDEN'],
      [412, 'conditionNotMet', 'CONFLICT'],
    ] as const)('HTTP %s %s on a change -> %s, sent once', async (status, reason, code) => {
      const { server, adapter } = await start();
      server.injectFault({ status, method: 'POST', resource: 'changes' });

      const error = await providerFailure(adapter.apply(ZONE, [{ action: 'create', after: www }]));

      expect(error).toMatchObject({ code, remoteCode: reason, httpStatus: status, provider: 'gcp' });
      expect(error.remoteMessage).toBeTruthy();
      expect(error.message).toContain('changes.create on managed zone example-com of project quorumdns-test');
      expect(error.message).toContain(error.remoteMessage);
      // The client did not retry: the shared layer is the only one that does.
      expect(server.stats().requests['POST changes']).toBe(1);
      expect(snapshotOf(server)).toEqual([]);
    });

    it('409 alreadyExists when a created set exists -> CONFLICT', async () => {
      const { server, adapter } = await start();
      server.seed(PROJECT, ZONE, [toServerRrset(www)]);
      const error = await providerFailure(adapter.apply(ZONE, [{ action: 'create', after: www }]));
      expect(error).toMatchObject({ code: 'CONFLICT', remoteCode: 'alreadyExists', httpStatus: 409 });
      expect(error.remoteMessage).toContain("'www.example.com. (A)' already exists");
    });

    it('412 conditionNotMet when the set changed since it was read -> CONFLICT, nothing written', async () => {
      const { server, adapter } = await start();
      server.seed(PROJECT, ZONE, [toServerRrset(www)]);
      const [read] = await adapter.read({ zone: ZONE, names: ['www.example.com'] });
      server.seed(PROJECT, ZONE, [toServerRrset(a('www.example.com', ['192.0.2.99']))]);

      const error = await providerFailure(
        adapter.apply(ZONE, [
          { action: 'update', before: read as RecordSet, after: a('www.example.com', ['192.0.2.2']) },
        ]),
      );

      expect(error).toMatchObject({ code: 'CONFLICT', remoteCode: 'conditionNotMet', httpStatus: 412 });
      expect(error.remoteMessage).toContain('entity.change.deletions[0]');
      expect(snapshotOf(server)).toEqual([a('www.example.com', ['192.0.2.99'])]);
    });

    it('404 on a deletion of a set that is gone -> CONFLICT', async () => {
      const { adapter } = await start();
      const error = await providerFailure(adapter.apply(ZONE, [{ action: 'delete', before: www }]));
      expect(error).toMatchObject({ code: 'CONFLICT', remoteCode: 'notFound', httpStatus: 404 });
      expect(error.remoteMessage).toContain('entity.change.deletions[0]');
    });

    it('400 invalid value -> REJECTED, naming the field', async () => {
      const { adapter } = await start();
      const error = await providerFailure(
        adapter.apply(ZONE, [{ action: 'create', after: a('www.example.com', ['not-an-address']) }]),
      );
      expect(error).toMatchObject({ code: 'REJECTED', remoteCode: 'invalid', httpStatus: 400 });
      expect(error.remoteMessage).toContain('entity.change.additions[0].rrdatas[0]');
      expect(error.remoteMessage).toContain('not-an-address');
    });

    it('403 quotaExceeded for a change over the per-change limits -> REJECTED, not FORBIDDEN', async () => {
      const { adapter } = await start({ limits: { maxAdditions: 1, maxDeletions: 1000 } });
      const error = await providerFailure(
        adapter.apply(ZONE, [
          { action: 'create', after: www },
          { action: 'create', after: a('api.example.com', ['192.0.2.2']) },
        ]),
      );
      expect(error).toMatchObject({ code: 'REJECTED', remoteCode: 'quotaExceeded', httpStatus: 403 });
      expect(error.remoteMessage).toContain('additions per change');
    });

    it('401 without credentials -> FORBIDDEN with where credentials come from', async () => {
      const { server, adapter } = await start({}, { authClient: new PassThroughClient() });
      const error = await providerFailure(adapter.read({ zone: ZONE, names: ['www.example.com'] }));
      expect(error).toMatchObject({ code: 'FORBIDDEN', remoteCode: 'required', httpStatus: 401 });
      expect(error.message).toContain('Application Default Credentials');
      expect(server.requests).toHaveLength(1);
    });

    it('a FORBIDDEN error names the credentials the adapter chose, never the token', async () => {
      const server = await startCloudDnsServer();
      server.createManagedZone(PROJECT, ZONE, APEX);
      const adapter = createCloudDnsAdapter(providerFor(server), {
        env: TEST_ENV,
        pageRateLimiter: unlimited,
      });
      running.push({ server, adapter });
      server.injectFault({ status: 403, method: 'GET' });

      const error = await providerFailure(adapter.read({ zone: ZONE, names: ['www.example.com'] }));

      expect(error.code).toBe('FORBIDDEN');
      expect(error.message).toContain(
        'credentials used: a static token (from QUORUMDNS_CLOUDDNS_TOKEN), for an endpoint override',
      );
      expect(error.message).toContain('dns.resourceRecordSets.list');
      expect(error.message).not.toContain('test-token');
    });

    it('an unknown managed zone -> NOT_FOUND; an unknown change -> NOT_FOUND', async () => {
      const { adapter } = await start();
      const zoneError = await providerFailure(
        adapter.read({ zone: 'no-such-zone', names: ['www.example.com'] }),
      );
      expect(zoneError).toMatchObject({ code: 'NOT_FOUND', remoteCode: 'notFound', httpStatus: 404 });
      expect(zoneError.message).toContain('managedZones.get on managed zone no-such-zone');
      const applyError = await providerFailure(
        adapter.apply('no-such-zone', [{ action: 'create', after: www }]),
      );
      expect(applyError.code).toBe('NOT_FOUND');

      const changeError = await providerFailure(adapter.changeStatus('example-com/999'));
      expect(changeError).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
      expect(changeError.message).toContain('changes.get of change 999 in managed zone example-com');
      expect((await providerFailure(adapter.changeStatus('999'))).code).toBe('REJECTED');
    });

    it('the project rate limit -> THROTTLED on reads too', async () => {
      const { server, adapter } = await start();
      await adapter.read({ zone: ZONE, names: ['www.example.com'] }); // looks the zone up once
      server.setRequestsPerSecond(0.001); // one request left in the bucket, then nothing for a long time
      await adapter.read({ zone: ZONE, names: ['www.example.com'] });
      const error = await providerFailure(adapter.read({ zone: ZONE, names: ['www.example.com'] }));
      expect(error).toMatchObject({ code: 'THROTTLED', remoteCode: 'rateLimitExceeded', httpStatus: 429 });
      expect(error.message).toContain('rrsets.list');
    });

    it('nothing listening -> UNAVAILABLE after a single attempt', async () => {
      const port = await getClosedPort();
      const provider: CloudDnsProvider = {
        ...providerFor({ baseUrl: `http://127.0.0.1:${port}/dns/v1` } as CloudDnsTestServer),
      };
      const adapter = createCloudDnsAdapter(provider, { env: TEST_ENV, pageRateLimiter: unlimited });
      running.push({ adapter });
      const started = Date.now();
      const error = await providerFailure(adapter.read({ zone: ZONE, names: ['www.example.com'] }));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.remoteCode).toBe('ECONNREFUSED');
      // The client's own retries would have waited 1 + 2 + 4 s (plus jitter) before giving up.
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a connection reset under a change -> UNAVAILABLE, and the change is sent exactly once', async () => {
      const resetting = await startResettingServer();
      const provider = providerFor({ baseUrl: `http://127.0.0.1:${resetting.port}` } as CloudDnsTestServer);
      const adapter = createCloudDnsAdapter(provider, { env: TEST_ENV, pageRateLimiter: unlimited });
      running.push({ adapter });
      try {
        const error = await providerFailure(adapter.apply(ZONE, [{ action: 'create', after: www }]));
        expect(error.code).toBe('UNAVAILABLE');
        expect(error.remoteCode).toBe('ECONNRESET');
        // @google-cloud/common would resend a POST that got no answer 3 more times; the adapter turns that off.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(resetting.connections).toBe(1);
      } finally {
        await resetting.close();
      }
    });

    it('no answer within the request deadline -> UNAVAILABLE', async () => {
      const hanging = await startHangingServer();
      const provider = providerFor({ baseUrl: `http://127.0.0.1:${hanging.port}` } as CloudDnsTestServer);
      const adapter = createCloudDnsAdapter(provider, {
        env: TEST_ENV,
        pageRateLimiter: unlimited,
        requestTimeoutMs: 300,
      });
      running.push({ adapter });
      try {
        const error = await providerFailure(adapter.read({ zone: ZONE, names: ['www.example.com'] }));
        expect(error.code).toBe('UNAVAILABLE');
        expect(error.remoteCode).toBe('ETIMEDOUT');
        expect(error.message).toContain('no answer within 300 ms');
      } finally {
        await hanging.close();
      }
    });
  });

  it('dry-run sync of a fresh service makes reads only', async () => {
    const { server, provider, adapter } = await start();
    const result = await dryRunFreshService({ provider, adapter, zone: ZONE, deploymentId: 'gcp-test' });
    expect(result.plan.changes.length).toBe(2);
    expect(Object.keys(server.stats().requests).sort()).toEqual(['GET managedZones', 'GET rrsets']);
  });

  it('every API call is one request the local server saw, and nothing went anywhere but loopback', async () => {
    const { server, adapter, calls } = await start();
    await adapter.apply(ZONE, [{ action: 'create', after: a('www.example.com', ['192.0.2.1']) }]);
    await adapter.read({ zone: ZONE, names: ['www.example.com', '_quorumdns.www.example.com'] });
    const submitted = await adapter.apply(ZONE, [
      {
        action: 'update',
        before: a('www.example.com', ['192.0.2.1']),
        after: a('www.example.com', ['192.0.2.2']),
      },
    ]);
    await adapter.changeStatus(submitted.changeId);

    expect(calls.map((call) => call.operation)).toEqual([
      'changes.create',
      'managedZones.get',
      'rrsets.list',
      'rrsets.list',
      'changes.create',
      'changes.get',
    ]);
    expect(server.requests.map((request) => `${request.method} ${request.status}`)).toEqual([
      'POST 200',
      'GET 200',
      'GET 200',
      'GET 200',
      'POST 200',
      'GET 200',
    ]);
    // The guard saw this file's connections (so it is in the path), and refused none.
    expect(connectTargets.length).toBeGreaterThan(0);
    expect(connectTargets.every(isLoopback)).toBe(true);
    expect(refusedTargets).toEqual([]);
  });
});

/**
 * The local Cloud DNS server, exercised through the real `@google-cloud/dns` client over HTTP on loopback:
 * what an adapter sees (status codes, `errors[0].reason`, record shapes, paging) must be what it would see
 * against dns.googleapis.com.
 */
process.env.METADATA_SERVER_DETECTION = 'none';

import type { DNS, Zone } from '@google-cloud/dns';
import {
  DOCUMENTED_CHANGE_LIMITS,
  createCloudDnsTestClient,
  startCloudDnsServer,
  type CloudDnsRrset,
  type CloudDnsTestServer,
} from './clouddns-server';
import { TokenBucket } from './clouddns-server/token-bucket';
import { waitFor } from '../support/wait-for';

const PROJECT = 'quorumdns-test';
const APEX = 'example.com.';

type RecordMetadata = Parameters<Zone['record']>[1];
type DnsRecord = ReturnType<Zone['record']>;

/** What the client surfaces of a failed call: the HTTP status and Google's reasons. */
interface SeenApiError {
  code: unknown;
  reasons: string[];
  message: string;
}

async function apiError(call: Promise<unknown>): Promise<SeenApiError> {
  try {
    await call;
  } catch (error) {
    const { code, errors, message } = error as { code?: unknown; errors?: unknown; message?: unknown };
    const reasons = Array.isArray(errors)
      ? errors.map((entry: { reason?: unknown }) => String(entry.reason))
      : [];
    return { code, reasons, message: String(message) };
  }
  throw new Error('expected the call to fail, it succeeded');
}

function record(zone: Zone, rrset: CloudDnsRrset): DnsRecord {
  // RecordMetadata does not declare routingPolicy, but the client sends whatever metadata it is given.
  const metadata: RecordMetadata = rrset;
  return zone.record(rrset.type, metadata);
}

const a = (name: string, rrdatas: string[], ttl = 60): CloudDnsRrset => ({ name, type: 'A', ttl, rrdatas });
const wrr = (name: string, items: Array<[number, string]>, ttl = 60): CloudDnsRrset => ({
  name,
  type: 'A',
  ttl,
  routingPolicy: { wrr: { items: items.map(([weight, value]) => ({ weight, rrdatas: [value] })) } },
});

function userRrsets(server: CloudDnsTestServer, zone: string): CloudDnsRrset[] {
  return server.rrsets(PROJECT, zone).filter((rrset) => rrset.type !== 'SOA' && rrset.type !== 'NS');
}

describe('local Cloud DNS server through @google-cloud/dns', () => {
  let server: CloudDnsTestServer;
  let dns: DNS;
  let zoneCount = 0;

  /** A fresh zone per test, so tests share the server but never each other's state. */
  function freshZone(): { name: string; zone: Zone } {
    zoneCount += 1;
    const name = `zone-${zoneCount}`;
    server.createManagedZone(PROJECT, name, APEX);
    return { name, zone: dns.zone(name) };
  }

  beforeAll(async () => {
    server = await startCloudDnsServer({ syncDelayMs: 100 });
    dns = createCloudDnsTestClient(server, { projectId: PROJECT });
  });
  afterAll(() => server.close());
  afterEach(() => server.clearFaults());

  describe('managed zones', () => {
    it('serves a zone by name and by id, and 404s an unknown zone', async () => {
      const { zone } = freshZone();
      const [metadata] = await zone.getMetadata();
      expect(metadata).toMatchObject({ kind: 'dns#managedZone', dnsName: APEX, visibility: 'public' });
      expect(metadata.nameServers).toHaveLength(4);
      const [byId] = await dns.zone(String(metadata.id)).getMetadata();
      expect(byId.name).toBe(zone.name);

      const missing = await apiError(dns.zone('no-such-zone').getRecords());
      expect(missing).toMatchObject({ code: 404, reasons: ['notFound'] });
      expect(missing.message).toContain("'no-such-zone'");
    });

    it('starts a zone with the SOA and NS record sets at its apex', async () => {
      const { zone } = freshZone();
      const [records] = await zone.getRecords();
      expect(records.map((entry) => [entry.metadata.name, entry.type])).toEqual([
        [APEX, 'NS'],
        [APEX, 'SOA'],
      ]);
    });

    it('refuses bad zones and unknown zones from the test API with a clear error', () => {
      expect(() => server.createManagedZone(PROJECT, 'no-dot', 'example.com')).toThrow(/trailing dot/);
      expect(() => server.rrsets(PROJECT, 'never-created')).toThrow(/createManagedZone first/);
      const { name } = freshZone();
      expect(() => server.createManagedZone(PROJECT, name, APEX)).toThrow(/already exists/);
      expect(() => server.seed(PROJECT, name, [a('x.example.com.', ['not-an-ip'])])).toThrow(/not-an-ip/);
    });
  });

  describe('changes', () => {
    it('creates a record set and returns the Change resource, pending', async () => {
      const { name, zone } = freshZone();
      const [change, response] = await zone.createChange({
        add: record(zone, a('api.example.com.', ['192.0.2.1'])),
      });

      expect(change.id).toBe('1'); // "0" created the zone's SOA and NS
      expect(response).toMatchObject({ kind: 'dns#change', id: '1', status: 'pending' });
      expect(Number.isNaN(Date.parse(response.startTime))).toBe(false);
      expect(userRrsets(server, name)).toEqual([a('api.example.com.', ['192.0.2.1'])]);
      const [records] = await zone.getRecords({ name: 'api.example.com.', type: 'A' });
      expect(records.map((entry) => entry.toJSON())).toEqual([
        {
          kind: 'dns#resourceRecordSet',
          name: 'api.example.com.',
          type: 'A',
          ttl: 60,
          rrdatas: ['192.0.2.1'],
        },
      ]);
      const posted = server.requests.filter((entry) => entry.method === 'POST').at(-1);
      expect(posted).toMatchObject({
        status: 200,
        path: `/dns/v1/projects/${PROJECT}/managedZones/${name}/changes`,
      });
      expect(posted?.body).toEqual({ additions: [a('api.example.com.', ['192.0.2.1'])], deletions: [] });
    });

    it('replaces a record set atomically: the exact current set deleted and the new one added', async () => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [a('api.example.com.', ['192.0.2.1', '192.0.2.2'])]);
      const [current] = await zone.getRecords({ name: 'api.example.com.', type: 'A' });

      const [, response] = await zone.createChange({
        delete: current,
        add: record(zone, a('api.example.com.', ['198.51.100.7'], 30)),
      });

      expect(userRrsets(server, name)).toEqual([a('api.example.com.', ['198.51.100.7'], 30)]);
      expect(response.deletions).toHaveLength(1);
      expect(response.additions[0]).toMatchObject({ rrdatas: ['198.51.100.7'], ttl: 30 });
    });

    it('matches deletions regardless of value order', async () => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [a('api.example.com.', ['192.0.2.1', '192.0.2.2'])]);
      await zone.createChange({ delete: record(zone, a('api.example.com.', ['192.0.2.2', '192.0.2.1'])) });
      expect(userRrsets(server, name)).toEqual([]);
    });

    it.each([
      ['a different ttl', a('api.example.com.', ['192.0.2.1', '192.0.2.2'], 300)],
      ['different values', a('api.example.com.', ['192.0.2.1', '192.0.2.9'])],
      ['a subset of the values', a('api.example.com.', ['192.0.2.1'])],
      [
        'a routing policy instead of values',
        wrr('api.example.com.', [
          [1, '192.0.2.1'],
          [1, '192.0.2.2'],
        ]),
      ],
    ])('answers 412 conditionNotMet to a deletion with %s, and changes nothing', async (_what, stale) => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [a('api.example.com.', ['192.0.2.1', '192.0.2.2'])]);
      const before = server.rrsets(PROJECT, name);

      const refused = await apiError(
        zone.createChange({
          delete: record(zone, stale),
          add: [
            record(zone, a('api.example.com.', ['203.0.113.5'])),
            record(zone, a('new.example.com.', ['203.0.113.6'])),
          ],
        }),
      );

      expect(refused).toMatchObject({ code: 412, reasons: ['conditionNotMet'] });
      expect(refused.message).toBe("Precondition not met for 'entity.change.deletions[0]'");
      expect(server.rrsets(PROJECT, name)).toEqual(before);
    });

    it('answers 404 notFound to the deletion of a record set that does not exist', async () => {
      const { name, zone } = freshZone();
      const refused = await apiError(
        zone.createChange({ delete: record(zone, a('gone.example.com.', ['192.0.2.1'])) }),
      );
      expect(refused).toMatchObject({ code: 404, reasons: ['notFound'] });
      expect(refused.message).toContain("'gone.example.com. (A)' does not exist");
      expect(userRrsets(server, name)).toEqual([]);
    });

    it('answers 409 alreadyExists to the addition of an existing (name, type), and changes nothing', async () => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [a('api.example.com.', ['192.0.2.1'])]);
      const refused = await apiError(
        zone.createChange({
          add: [
            record(zone, a('api.example.com.', ['192.0.2.2'])),
            record(zone, a('other.example.com.', ['192.0.2.3'])),
          ],
        }),
      );
      expect(refused).toMatchObject({ code: 409, reasons: ['alreadyExists'] });
      expect(refused.message).toContain("'api.example.com. (A)' already exists");
      expect(userRrsets(server, name)).toEqual([a('api.example.com.', ['192.0.2.1'])]);
    });

    it('answers 400 invalid naming every bad field at once', async () => {
      const { name, zone } = freshZone();
      const refused = await apiError(
        zone.createChange({
          add: [
            record(zone, a('bad-ip.example.com.', ['300.1.2.3'])),
            record(zone, { name: 'no-dot.example.com', type: 'TXT', ttl: 60, rrdatas: ['"x"'] }),
            record(zone, {
              ...a('both.example.com.', ['192.0.2.1']),
              ...wrr('both.example.com.', [[1, '192.0.2.2']]),
            }),
            record(zone, wrr('negative.example.com.', [[-1, '192.0.2.1']])),
          ],
        }),
      );
      expect(refused.code).toBe(400);
      expect(refused.reasons).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
      for (const field of ['rrdatas[0]', '.name', 'not both', '.weight'])
        expect(refused.message).toContain(field);
      expect(userRrsets(server, name)).toEqual([]);
    });

    it('refuses names outside the zone, a CNAME beside other types and the removal of the apex SOA', async () => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [a('api.example.com.', ['192.0.2.1'])]);
      const outside = await apiError(
        zone.createChange({ add: record(zone, a('api.example.org.', ['192.0.2.1'])) }),
      );
      expect(outside).toMatchObject({ code: 400, reasons: ['invalid'] });
      expect(outside.message).toContain("not within the zone 'example.com.'");

      const cname = await apiError(
        zone.createChange({
          add: record(zone, {
            name: 'api.example.com.',
            type: 'CNAME',
            ttl: 60,
            rrdatas: ['lb.example.net.'],
          }),
        }),
      );
      expect(cname).toMatchObject({ code: 400, reasons: ['cnameResourceRecordSetConflict'] });

      const [soa] = await zone.getRecords({ name: APEX, type: 'SOA' });
      const apex = await apiError(zone.createChange({ delete: soa }));
      expect(apex).toMatchObject({ code: 400, reasons: ['invalid'] });
      expect(server.rrsets(PROJECT, name).map((rrset) => rrset.type)).toEqual(['A', 'NS', 'SOA']);
    });

    it('moves a change from pending to done after syncDelayMs', async () => {
      const slow = await startCloudDnsServer({ syncDelayMs: 3000 });
      try {
        slow.createManagedZone(PROJECT, 'slow', APEX);
        const zone = createCloudDnsTestClient(slow, { projectId: PROJECT }).zone('slow');
        const [change, created] = await zone.createChange({
          add: record(zone, a('api.example.com.', ['192.0.2.1'])),
        });
        expect(created.status).toBe('pending');
        const [first] = await change.getMetadata();
        expect(first.status).toBe('pending');

        const done = await waitFor(
          async () => {
            const [metadata] = await zone.change(change.id as string).getMetadata();
            return metadata.status === 'done' ? metadata : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 200, what: 'the change to be done' },
        );
        expect(Date.now() - Date.parse(done.startTime)).toBeGreaterThanOrEqual(3000);
        // The records were there all along: pending is about propagation, not about the zone's content.
        expect(slow.rrsets(PROJECT, 'slow').some((rrset) => rrset.name === 'api.example.com.')).toBe(true);
      } finally {
        await slow.close();
      }
    });

    it('lists changes in both orders and 404s an unknown change id', async () => {
      const { zone } = freshZone();
      await zone.createChange({ add: record(zone, a('one.example.com.', ['192.0.2.1'])) });
      await zone.createChange({ add: record(zone, a('two.example.com.', ['192.0.2.2'])) });
      const [ascending] = await zone.getChanges();
      expect(ascending.map((change) => change.id)).toEqual(['0', '1', '2']);
      const [descending] = await zone.getChanges({
        sortOrder: 'descending',
        maxResults: 2,
        autoPaginate: false,
      });
      expect(descending.map((change) => change.id)).toEqual(['2', '1']);
      expect(await apiError(zone.change('99').getMetadata())).toMatchObject({
        code: 404,
        reasons: ['notFound'],
      });
    });
  });

  describe('weighted round robin', () => {
    it('round-trips routingPolicy.wrr, weight 0 included, and replaces it by exact deletion', async () => {
      const { name, zone } = freshZone();
      const weighted = wrr('api.example.com.', [
        [3, '192.0.2.1'],
        [0, '198.51.100.1'],
      ]);
      await zone.createChange({ add: record(zone, weighted) });
      expect(userRrsets(server, name)).toEqual([weighted]);

      const [read] = await zone.getRecords({ name: 'api.example.com.', type: 'A' });
      const policy = (read[0]?.toJSON() as unknown as CloudDnsRrset).routingPolicy;
      expect(policy?.wrr.items.map((item) => [item.weight, item.rrdatas])).toEqual([
        [3, ['192.0.2.1']],
        [0, ['198.51.100.1']],
      ]);

      // The set as read (with its output-only `kind` fields) is an exact deletion.
      const drained = wrr('api.example.com.', [
        [0, '192.0.2.1'],
        [5, '198.51.100.1'],
      ]);
      await zone.createChange({ delete: read, add: record(zone, drained) });
      expect(userRrsets(server, name)).toEqual([drained]);

      const stale = await apiError(
        zone.createChange({ delete: record(zone, weighted), add: record(zone, weighted) }),
      );
      expect(stale).toMatchObject({ code: 412, reasons: ['conditionNotMet'] });
    });
  });

  describe('listing', () => {
    it('pages with pageToken/nextPageToken and the default page size', async () => {
      const { name, zone } = freshZone();
      const seeded = Array.from({ length: 250 }, (_, i) =>
        a(`host-${String(i).padStart(3, '0')}.example.com.`, ['192.0.2.1']),
      );
      server.seed(PROJECT, name, seeded);
      const listsBefore = server.stats().requests['GET rrsets'] ?? 0;

      const [all] = await zone.getRecords();
      expect(all).toHaveLength(252);
      expect(new Set(all.map((entry) => `${entry.metadata.name} ${entry.type}`)).size).toBe(252);
      expect((server.stats().requests['GET rrsets'] ?? 0) - listsBefore).toBe(3); // 100 + 100 + 52

      const [page, next] = await zone.getRecords({ maxResults: 40, autoPaginate: false });
      expect(page).toHaveLength(40);
      expect(typeof next.pageToken).toBe('string');
    });

    it('resumes after the last item of the previous page even when the zone changed in between', async () => {
      const { name, zone } = freshZone();
      server.seed(
        PROJECT,
        name,
        Array.from({ length: 10 }, (_, i) => a(`h${i}.example.com.`, ['192.0.2.1'])),
      );
      const [first, next] = await zone.getRecords({ maxResults: 5, autoPaginate: false });
      // apex NS, apex SOA, h0, h1, h2
      expect(first.at(-1)?.metadata.name).toBe('h2.example.com.');
      // Delete two record sets the first page already returned: an offset-based token would skip two.
      await zone.createChange({ delete: first.slice(2, 4) });
      const [second] = await zone.getRecords({ ...next, maxResults: 100, autoPaginate: false });
      expect(second.map((entry) => entry.metadata.name)).toEqual(
        [3, 4, 5, 6, 7, 8, 9].map((i) => `h${i}.example.com.`),
      );
    });

    it('filters by name and by name + type; a type filter alone is a 400', async () => {
      const { name, zone } = freshZone();
      server.seed(PROJECT, name, [
        a('api.example.com.', ['192.0.2.1']),
        { name: 'api.example.com.', type: 'AAAA', ttl: 60, rrdatas: ['2001:db8::1'] },
        a('www.example.com.', ['192.0.2.2']),
      ]);
      const [byName] = await zone.getRecords({ name: 'api.example.com.' });
      expect(byName.map((entry) => entry.type)).toEqual(['A', 'AAAA']);
      const [byNameType] = await zone.getRecords({ name: 'API.example.com.', type: 'AAAA' });
      expect(byNameType.map((entry) => entry.data)).toEqual([['2001:db8::1']]);
      const [none] = await zone.getRecords({ name: 'nothing.example.com.' });
      expect(none).toEqual([]);

      const typeOnly = await apiError(zone.getRecords({ type: 'A' } as { name?: string }));
      expect(typeOnly).toMatchObject({ code: 400, reasons: ['invalid'] });
    });
  });

  describe('limits', () => {
    it('defaults to the documented per-change limits', () => {
      expect(DOCUMENTED_CHANGE_LIMITS).toMatchObject({ maxAdditions: 1000, maxDeletions: 1000 });
    });

    it('answers 403 quotaExceeded to a change over the limits, and applies none of it', async () => {
      const small = await startCloudDnsServer({ limits: { maxAdditions: 3, maxDeletions: 2 } });
      try {
        small.createManagedZone(PROJECT, 'small', APEX);
        const zone = createCloudDnsTestClient(small, { projectId: PROJECT }).zone('small');
        const four = [1, 2, 3, 4].map((i) => record(zone, a(`h${i}.example.com.`, ['192.0.2.1'])));

        const refused = await apiError(zone.createChange({ add: four }));
        expect(refused).toMatchObject({ code: 403, reasons: ['quotaExceeded'] });
        expect(refused.message).toContain('additions per change');
        expect(small.rrsets(PROJECT, 'small')).toHaveLength(2);

        await zone.createChange({ add: four.slice(0, 3) });
        await zone.createChange({ add: four.slice(3) });
        const deletions = await apiError(zone.createChange({ delete: four.slice(0, 3) }));
        expect(deletions.message).toContain('deletions per change');
        expect(small.stats().acceptedChanges).toBe(2);
      } finally {
        await small.close();
      }
    });
  });

  describe('rate limit and faults', () => {
    it('answers 429 rateLimitExceeded beyond the configured requests per second', async () => {
      const limited = await startCloudDnsServer({ requestsPerSecond: 5 });
      try {
        limited.createManagedZone(PROJECT, 'limited', APEX);
        const zone = createCloudDnsTestClient(limited, { projectId: PROJECT }).zone('limited');
        const started = Date.now();
        const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => zone.getRecords()));
        const elapsedS = (Date.now() - started) / 1000;
        const ok = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
        const refused = await Promise.all(
          outcomes.flatMap((outcome) =>
            outcome.status === 'rejected' ? [apiError(Promise.reject(outcome.reason))] : [],
          ),
        );

        expect(ok).toBeGreaterThanOrEqual(5); // the burst
        expect(ok).toBeLessThanOrEqual(5 + Math.ceil(elapsedS * 5) + 1); // plus what refilled meanwhile
        expect(refused.length).toBeGreaterThan(0);
        for (const error of refused)
          expect(error).toMatchObject({ code: 429, reasons: ['rateLimitExceeded'] });
        expect(limited.stats().throttled).toBe(refused.length);

        // Tokens come back with time...
        await waitFor(
          () =>
            zone.getRecords().then(
              () => true,
              () => false,
            ),
          { timeoutMs: 10_000, intervalMs: 250 },
        );
        // ...and lifting the limit lifts the throttling.
        limited.setRequestsPerSecond(undefined);
        const unlimited = await Promise.allSettled(Array.from({ length: 20 }, () => zone.getRecords()));
        expect(unlimited.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      } finally {
        await limited.close();
      }
    });

    it('injects faults by method and resource, for a count, and applies nothing while failing', async () => {
      const { name, zone } = freshZone();
      server.injectFault({ method: 'POST', resource: 'changes', status: 503, count: 2 });
      const add = record(zone, a('api.example.com.', ['192.0.2.1']));

      for (let i = 0; i < 2; i += 1) {
        expect(await apiError(zone.createChange({ add }))).toMatchObject({
          code: 503,
          reasons: ['backendError'],
        });
        expect(userRrsets(server, name)).toEqual([]);
      }
      await zone.getRecords(); // GETs were never affected
      await zone.createChange({ add });
      expect(userRrsets(server, name)).toHaveLength(1);
    });

    it('answers each injectable status the way Google does, or with the reason the test names', async () => {
      const { zone } = freshZone();
      const cases: Array<[429 | 500 | 403 | 412, string | undefined, string]> = [
        [429, undefined, 'rateLimitExceeded'],
        [500, undefined, 'backendError'],
        [403, undefined, 'forbidden'],
        [412, undefined, 'conditionNotMet'],
        [403, 'quotaExceeded', 'quotaExceeded'],
      ];
      for (const [status, reason, expected] of cases) {
        server.injectFault({
          resource: 'rrsets',
          status,
          count: 1,
          ...(reason === undefined ? {} : { reason }),
        });
        expect(await apiError(zone.getRecords())).toMatchObject({ code: status, reasons: [expected] });
      }
      expect(() => server.injectFault({ status: 418 as 403 })).toThrow(/status/);
    });

    it('draws probabilistic faults from a seed, so a run can be replayed', async () => {
      const { zone } = freshZone();
      const pattern = async (): Promise<string> => {
        server.injectFault({ resource: 'rrsets', status: 500, probability: 0.5, seed: 42 });
        let seen = '';
        for (let i = 0; i < 30; i += 1)
          seen += await zone.getRecords().then(
            () => '.',
            () => 'x',
          );
        server.clearFaults();
        return seen;
      };
      const first = await pattern();
      expect(first).toMatch(/x/);
      expect(first).toMatch(/\./);
      expect(await pattern()).toBe(first);
    });

    it('is retried by the client library itself when its retries are left on (POSTs included)', async () => {
      const { name } = freshZone();
      const retrying = createCloudDnsTestClient(server, { projectId: PROJECT, clientRetries: true }).zone(
        name,
      );
      server.injectFault({ method: 'POST', resource: 'changes', status: 503, count: 1 });
      const postsBefore = server.stats().requests['POST changes'] ?? 0;
      await retrying.createChange({ add: record(retrying, a('api.example.com.', ['192.0.2.1'])) });
      expect((server.stats().requests['POST changes'] ?? 0) - postsBefore).toBe(2);
      expect(userRrsets(server, name)).toHaveLength(1);
    });
  });

  describe('HTTP surface', () => {
    it('wants a bearer token, answers unknown methods with JSON 404s and bad JSON with 400 parseError', async () => {
      const { name } = freshZone();
      const zoneUrl = `${server.baseUrl}/projects/${PROJECT}/managedZones/${name}`;
      const headers = { authorization: 'Bearer test', 'content-type': 'application/json' };

      const anonymous = await fetch(`${zoneUrl}/rrsets`);
      expect(anonymous.status).toBe(401);
      const unknown = await fetch(`${zoneUrl}/things`, { headers });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
      const badJson = await fetch(`${zoneUrl}/changes`, { method: 'POST', headers, body: '{"additions": [' });
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toMatchObject({
        error: { errors: [{ reason: 'parseError', domain: 'global' }] },
      });
      const empty = await fetch(`${zoneUrl}/changes`, { method: 'POST', headers, body: '{}' });
      expect(await empty.json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'required' }] } });
    });
  });
});

describe('TokenBucket', () => {
  it('allows a burst of one second, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(4, () => now);
    expect([1, 2, 3, 4, 5].map(() => bucket.tryTake())).toEqual([true, true, true, true, false]);
    now += 250;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now += 10_000;
    expect([1, 2, 3, 4, 5].map(() => bucket.tryTake())).toEqual([true, true, true, true, false]);
  });
});

import dgram from 'node:dgram';
import { runCheck } from '../../../src/probe/checks/run-check';
import { startDnsServer, type DnsTestServer } from '../../support/misbehaving-servers';
import { dnsCheck } from './check-builders';

let dns: DnsTestServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'api.test A': {
      answers: [
        { type: 'A', data: '10.0.0.1', ttl: 300 },
        { type: 'A', data: '10.0.0.2', ttl: 300 },
      ],
    },
    'api.test AAAA': { answers: [{ type: 'AAAA', data: '2001:db8::1' }] },
    'www.test CNAME': { answers: [{ type: 'CNAME', data: 'Edge.CDN.test' }] },
    'txt.test TXT': { answers: [{ type: 'TXT', data: ['v=spf1 ', 'include:mail.test -all'] }] },
    'mail.test MX': { answers: [{ type: 'MX', data: { preference: 10, exchange: 'mx1.mail.test' } }] },
    '_https._tcp.svc.test SRV': {
      answers: [{ type: 'SRV', data: { priority: 0, weight: 5, port: 443, target: 'node1.svc.test' } }],
    },
    'zone.test SOA': {
      answers: [
        {
          type: 'SOA',
          data: {
            mname: 'ns1.zone.test',
            rname: 'hostmaster.zone.test',
            serial: 7,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: 60,
          },
        },
      ],
    },
    'zone.test NS': {
      answers: [
        { type: 'NS', data: 'ns1.zone.test' },
        { type: 'NS', data: 'ns2.zone.test' },
      ],
    },
    'nodata.test': {},
    'broken.test': { rcode: 'SERVFAIL' },
    'refused.test': { rcode: 'REFUSED' },
    'silent.test': { drop: true },
  });
});

afterAll(async () => {
  await dns.close();
});

function check(overrides: Parameters<typeof dnsCheck>[0] = {}) {
  return dnsCheck({ serverPort: dns.port, ...overrides });
}

describe('dns check: rcodes', () => {
  it('passes on NOERROR with answers', async () => {
    expect(await runCheck(check())).toEqual({ ok: true, latencyMs: expect.any(Number) });
  });

  it('fails an unexpected NXDOMAIN with class dns', async () => {
    expect(await runCheck(check({ query: 'missing.test' }))).toMatchObject({
      ok: false,
      failureClass: 'dns',
      detail: 'missing.test A: NXDOMAIN (expected NOERROR)',
    });
  });

  it('passes when NXDOMAIN is what it expects', async () => {
    expect(await runCheck(check({ query: 'missing.test', expectRcode: 'NXDOMAIN' }))).toMatchObject({
      ok: true,
    });
  });

  it('counts NOERROR without data as NOERROR', async () => {
    expect(await runCheck(check({ query: 'nodata.test' }))).toMatchObject({ ok: true });
    expect(await runCheck(check({ query: 'nodata.test', expectRcode: 'NXDOMAIN' }))).toMatchObject({
      failureClass: 'dns',
      detail: 'nodata.test A: NOERROR (expected NXDOMAIN)',
    });
  });

  it('reports SERVFAIL and REFUSED, and accepts them when expected', async () => {
    expect(await runCheck(check({ query: 'broken.test' }))).toMatchObject({
      failureClass: 'dns',
      detail: 'broken.test A: SERVFAIL (expected NOERROR)',
    });
    expect(await runCheck(check({ query: 'refused.test' }))).toMatchObject({
      failureClass: 'dns',
      detail: 'refused.test A: REFUSED (expected NOERROR)',
    });
    expect(await runCheck(check({ query: 'broken.test', expectRcode: 'SERVFAIL' }))).toMatchObject({
      ok: true,
    });
    expect(await runCheck(check({ query: 'refused.test', expectRcode: 'refused' }))).toMatchObject({
      ok: true,
    });
  });

  it('asks the server every time (no resolver cache), for the name and type configured', async () => {
    const before = dns.queries.length;
    await runCheck(check());
    await runCheck(check());
    expect(dns.queries.slice(before)).toEqual([
      { name: 'api.test', type: 'A' },
      { name: 'api.test', type: 'A' },
    ]);
  });
});

describe('dns check: expected answer', () => {
  it('passes when one answer equals it and lists the answers when none does', async () => {
    expect(await runCheck(check({ expectAnswer: '10.0.0.2' }))).toMatchObject({ ok: true });
    expect(await runCheck(check({ expectAnswer: '10.0.0.9' }))).toMatchObject({
      failureClass: 'dns',
      detail: 'api.test A: no answer equals "10.0.0.9" (got 10.0.0.1, 10.0.0.2)',
    });
  });

  it('fails a missing answer on NOERROR without data', async () => {
    expect(await runCheck(check({ query: 'nodata.test', expectAnswer: '10.0.0.1' }))).toMatchObject({
      failureClass: 'dns',
      detail: 'nodata.test A: no answer equals "10.0.0.1" (got no data)',
    });
  });

  it('compares IPv6 addresses in any spelling', async () => {
    expect(
      await runCheck(check({ recordType: 'AAAA', expectAnswer: '2001:0DB8:0000:0000:0000:0000:0000:0001' })),
    ).toMatchObject({ ok: true });
  });

  it('compares names case-insensitively, with or without the trailing dot', async () => {
    expect(
      await runCheck(check({ query: 'www.test', recordType: 'CNAME', expectAnswer: 'edge.cdn.test.' })),
    ).toMatchObject({
      ok: true,
    });
  });

  it('joins the strings of a TXT record', async () => {
    expect(
      await runCheck(
        check({ query: 'txt.test', recordType: 'TXT', expectAnswer: 'v=spf1 include:mail.test -all' }),
      ),
    ).toMatchObject({ ok: true });
  });

  it('accepts an MX as "preference exchange" or the exchange alone', async () => {
    const mx = (expectAnswer: string) =>
      runCheck(check({ query: 'mail.test', recordType: 'MX', expectAnswer }));
    expect(await mx('10 mx1.mail.test')).toMatchObject({ ok: true });
    expect(await mx('mx1.mail.test')).toMatchObject({ ok: true });
    expect(await mx('20 mx1.mail.test')).toMatchObject({
      failureClass: 'dns',
      detail: 'mail.test MX: no answer equals "20 mx1.mail.test" (got 10 mx1.mail.test)',
    });
  });

  it('accepts an SRV as the full record, target:port or the target', async () => {
    const srv = (expectAnswer: string) =>
      runCheck(check({ query: '_https._tcp.svc.test', recordType: 'SRV', expectAnswer }));
    expect(await srv('0 5 443 node1.svc.test')).toMatchObject({ ok: true });
    expect(await srv('node1.svc.test:443')).toMatchObject({ ok: true });
    expect(await srv('node2.svc.test')).toMatchObject({ failureClass: 'dns' });
  });

  it('accepts an SOA by its primary name server or in full, and an NS by name', async () => {
    const zone = (recordType: 'SOA' | 'NS', expectAnswer: string) =>
      runCheck(check({ query: 'zone.test', recordType, expectAnswer }));
    expect(await zone('SOA', 'ns1.zone.test')).toMatchObject({ ok: true });
    expect(await zone('SOA', 'ns1.zone.test hostmaster.zone.test 7 3600 600 86400 60')).toMatchObject({
      ok: true,
    });
    expect(await zone('SOA', 'ns1.zone.test hostmaster.zone.test 6 3600 600 86400 60')).toMatchObject({
      failureClass: 'dns',
    });
    expect(await zone('NS', 'NS2.zone.test.')).toMatchObject({ ok: true });
  });
});

describe('dns check: no answer', () => {
  it('times out on a server that never answers, within the deadline', async () => {
    const started = performance.now();
    const result = await runCheck(check({ query: 'silent.test', timeout: 300 }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'timeout',
      detail: `no answer within 300 ms from 127.0.0.1:${dns.port}`,
    });
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('classifies a closed UDP port (ICMP port unreachable) as refused', async () => {
    const socket = dgram.createSocket('udp4');
    const port = await new Promise<number>((resolve) =>
      socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)),
    );
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    expect(await runCheck(check({ serverPort: port }))).toMatchObject({
      ok: false,
      failureClass: 'refused',
      detail: `query to 127.0.0.1:${port} refused (ECONNREFUSED)`,
    });
  });

  it('stops with detail "aborted" when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = runCheck(check({ query: 'silent.test', timeout: 10_000 }), { signal: controller.signal });
    const started = performance.now();
    setImmediate(() => controller.abort());
    expect(await pending).toMatchObject({ ok: false, failureClass: 'timeout', detail: 'aborted' });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('fails clearly on a server that is not an IP address', async () => {
    expect(await runCheck(check({ server: 'ns1.example.test' }))).toMatchObject({
      ok: false,
      failureClass: 'dns',
      detail: 'invalid DNS server "ns1.example.test"',
    });
  });
});

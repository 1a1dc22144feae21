import type { Check } from '../../../src/config/types';
import { runCheck } from '../../../src/probe/checks/run-check';
import {
  getClosedPort,
  startDnsServer,
  startHangingServer,
  startResettingServer,
  startStatusServer,
  startTcpServer,
  startTlsServer,
  type DnsTestServer,
  type TestServer,
} from '../../support/misbehaving-servers';
import { dnsCheck, httpCheck, tcpCheck } from './check-builders';
import { waitFor } from '../../support/wait-for';

const servers: Array<TestServer | DnsTestServer> = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Handles and timers that outlive a check: what `--detectOpenHandles` would complain about. */
function leakableResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of process.getActiveResourcesInfo()) {
    if (/Timeout|TCPSocketWrap|TCPWRAP|UDPWRAP|TLSWRAP|QueryReqWrap|GetAddrInfoReqWrap/i.test(resource)) {
      counts[resource] = (counts[resource] ?? 0) + 1;
    }
  }
  return counts;
}

describe('runCheck', () => {
  it('dispatches on the check type', async () => {
    const http = await startStatusServer(200, 'ok');
    const tcp = await startTcpServer();
    const dns = await startDnsServer({ 'api.test A': { answers: [{ type: 'A', data: '10.0.0.1' }] } });
    servers.push(http, tcp, dns);
    expect(await runCheck(httpCheck({ port: http.port }))).toMatchObject({ ok: true });
    expect(await runCheck(tcpCheck({ port: tcp.port }))).toMatchObject({ ok: true });
    expect(await runCheck(dnsCheck({ serverPort: dns.port, expectAnswer: '10.0.0.1' }))).toMatchObject({
      ok: true,
    });
    expect(http.connections).toBe(1);
    expect(tcp.connections).toBe(1);
    expect(dns.queries).toEqual([{ name: 'api.test', type: 'A' }]);
  });

  it('resolves with a failure for a check type it does not know', async () => {
    const bogus = { type: 'icmp', interval: 1000, timeout: 500 } as unknown as Check;
    expect(await runCheck(bogus)).toEqual({
      ok: false,
      failureClass: 'status',
      detail: 'unknown check type "icmp"',
      latencyMs: expect.any(Number),
    });
  });

  it('resolves (never rejects) even when the injected clock throws', async () => {
    const result = await runCheck(tcpCheck(), {
      now: () => {
        throw new Error('clock broken');
      },
    });
    expect(result).toMatchObject({ ok: false, detail: 'clock broken', latencyMs: 0 });
  });

  it('measures latency on the injected clock, rounded to 0.1 ms', async () => {
    const tcp = await startTcpServer();
    servers.push(tcp);
    const readings = [1000, 1012.345];
    const result = await runCheck(tcpCheck({ port: tcp.port }), { now: () => readings.shift() ?? 0 });
    expect(result).toEqual({ ok: true, latencyMs: 12.3 });
  });

  it('leaves no socket, timer or query behind across every outcome', async () => {
    const ok = await startStatusServer(200, 'ok');
    const tls = await startTlsServer();
    const hanging = await startHangingServer();
    const resetting = await startResettingServer();
    const dns = await startDnsServer({ 'silent.test': { drop: true }, 'api.test': {} });
    servers.push(ok, tls, hanging, resetting, dns);
    const closedPort = await getClosedPort();
    const controller = new AbortController();

    const before = leakableResources();
    const checks: Array<Promise<unknown>> = [];
    // Long deadlines for the checks that end on their own: a timer they failed to clear would still be pending.
    const long = 20_000;
    for (let i = 0; i < 20; i += 1) {
      checks.push(
        runCheck(httpCheck({ port: ok.port, timeout: long, bodyMatch: { kind: 'contains', text: 'ok' } })),
        runCheck(httpCheck({ type: 'https', port: tls.port, timeout: long })),
        runCheck(httpCheck({ type: 'https', port: tls.port, timeout: long, tlsVerify: false })),
        runCheck(httpCheck({ port: hanging.port, timeout: 150 })),
        runCheck(httpCheck({ port: hanging.port, timeout: long }), { signal: controller.signal }),
        runCheck(httpCheck({ port: resetting.port, timeout: long })),
        runCheck(httpCheck({ port: closedPort, timeout: long })),
        runCheck(tcpCheck({ port: ok.port, timeout: long })),
        runCheck(dnsCheck({ serverPort: dns.port, query: 'api.test', timeout: long })),
        runCheck(dnsCheck({ serverPort: dns.port, query: 'silent.test', timeout: 150 })),
      );
    }
    setTimeout(() => controller.abort(), 200);
    const results = await Promise.all(checks);
    expect(results).toHaveLength(200);
    // "No kind grew" rather than "equal": in a shared jest process, handles of an earlier test file may
    // close while this test runs, which must not read as a failure; a leak still makes a kind grow.
    const noKindGrew = () =>
      Object.entries(leakableResources()).every(([kind, count]) => count <= (before[kind] ?? 0));
    await waitFor(noKindGrew, { what: 'every kind of handle back to its count before' });
  });
});

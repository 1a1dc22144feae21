/**
 * `quorumdns probe --via <target>=<address>` (a lab/test feature): parsing, and checks that connect to the
 * mapped address while presenting the target's Host header and TLS server name.
 */
import { main } from '../../src/cli/main';
import { connectAddressFor, parseConnectVia, type ConnectViaMap } from '../../src/probe/checks/connect-via';
import { runCheck } from '../../src/probe/checks/run-check';
import { captureIo } from '../support/capture-io';
import {
  getClosedPort,
  startDnsServer,
  startStatusServer,
  startTcpServer,
  startTlsServer,
  type DnsTestServer,
  type HttpTestServer,
  type TcpTestServer,
} from '../support/misbehaving-servers';
import { dnsCheck, httpCheck, tcpCheck } from './checks/check-builders';

describe('parseConnectVia', () => {
  test('maps each target to its address; hosts are matched case-insensitively, IPv6 in brackets', () => {
    const map = parseConnectVia([
      '127.0.1.1:8080=127.0.2.1:40000',
      'API.Lab.test:443=127.0.0.1:8443',
      '[::1]:80=[::1]:81',
    ]);
    expect(connectAddressFor(map, '127.0.1.1', 8080)).toEqual({ host: '127.0.2.1', port: 40000 });
    expect(connectAddressFor(map, 'api.lab.test', 443)).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(connectAddressFor(map, '::1', 80)).toEqual({ host: '::1', port: 81 });
  });

  test('an address that is not mapped (another port, another host) is connected to as it is', () => {
    const map = parseConnectVia(['127.0.1.1:8080=127.0.2.1:40000']);
    expect(connectAddressFor(map, '127.0.1.1', 8081)).toEqual({ host: '127.0.1.1', port: 8081 });
    expect(connectAddressFor(map, '127.0.1.2', 8080)).toEqual({ host: '127.0.1.2', port: 8080 });
    expect(connectAddressFor(undefined, 'x.test', 1)).toEqual({ host: 'x.test', port: 1 });
  });

  test.each([
    ['127.0.0.1:80', '--via "127.0.0.1:80" must be <host:port>=<host:port>'],
    ['127.0.0.1:80=127.0.0.1:80=x', 'must be <host:port>=<host:port>'],
    ['127.0.0.1=127.0.0.2:80', 'the target of --via "127.0.0.1" must be host:port'],
    [
      '127.0.0.1:80=127.0.0.2:0',
      'the address of --via "127.0.0.2:0": the port must be a number from 1 to 65535',
    ],
    ['127.0.0.1:80=127.0.0.2:http', 'the port must be a number from 1 to 65535'],
    ['::1:80=127.0.0.2:81', 'must be host:port (IPv6 as [address]:port)'],
    ['[nope]:80=127.0.0.2:81', '"nope" is not an IPv6 address'],
  ])('%s is refused: %s', (value, message) => {
    expect(() => parseConnectVia([value])).toThrow(message);
  });

  test('the same target twice is refused (which would win is a silent surprise)', () => {
    expect(() => parseConnectVia(['127.0.0.1:80=127.0.0.2:1', '127.0.0.1:80=127.0.0.3:1'])).toThrow(
      '--via names 127.0.0.1:80 more than once',
    );
  });
});

describe('checks through --via', () => {
  let web: HttpTestServer;
  let tls: HttpTestServer;
  let tcp: TcpTestServer;
  let dns: DnsTestServer;
  /** A port nothing listens on: the targets the checks name, which only work when rerouted. */
  let closedPort: number;

  beforeAll(async () => {
    web = await startStatusServer(200, 'ok');
    tls = await startTlsServer();
    tcp = await startTcpServer();
    dns = await startDnsServer({ 'api.test A': { answers: [{ type: 'A', data: '10.0.0.1' }] } });
    closedPort = await getClosedPort();
  });

  afterAll(async () => {
    await Promise.all([web.close(), tls.close(), tcp.close(), dns.close()]);
  });

  const via = (target: string, address: string): ConnectViaMap => parseConnectVia([`${target}=${address}`]);

  test('without --via the target is refused; with it the check reaches the mapped server', async () => {
    const check = httpCheck({ host: '127.0.0.1', port: closedPort });
    expect(await runCheck(check)).toMatchObject({ ok: false, failureClass: 'refused' });
    const before = web.requests.length;
    const result = await runCheck(check, {
      connectVia: via(`127.0.0.1:${closedPort}`, `127.0.0.1:${web.port}`),
    });
    expect(result).toMatchObject({ ok: true });
    expect(web.requests.length).toBe(before + 1);
  });

  test('the Host header stays the target’s (derived, or the check’s hostHeader)', async () => {
    const map = via(`127.0.0.1:${closedPort}`, `127.0.0.1:${web.port}`);
    await runCheck(httpCheck({ host: '127.0.0.1', port: closedPort }), { connectVia: map });
    expect(web.requests.at(-1)?.headers.host).toBe(`127.0.0.1:${closedPort}`);
    await runCheck(httpCheck({ host: '127.0.0.1', port: closedPort, hostHeader: 'api.lab.test' }), {
      connectVia: map,
    });
    expect(web.requests.at(-1)?.headers.host).toBe('api.lab.test');
  });

  test('https: the TLS server name is the target’s, not the address connected to', async () => {
    const result = await runCheck(
      httpCheck({
        type: 'https',
        host: '127.0.0.1',
        port: closedPort,
        hostHeader: 'localhost',
        tlsVerify: false,
      }),
      { connectVia: via(`127.0.0.1:${closedPort}`, `127.0.0.1:${tls.port}`) },
    );
    expect(result).toMatchObject({ ok: true });
    expect(tls.requests.at(-1)).toMatchObject({ servername: 'localhost', headers: { host: 'localhost' } });
  });

  test('tcp checks connect to the mapped address', async () => {
    const check = tcpCheck({ host: '127.0.0.1', port: closedPort });
    const accepted = tcp.connections;
    expect(
      await runCheck(check, { connectVia: via(`127.0.0.1:${closedPort}`, `127.0.0.1:${tcp.port}`) }),
    ).toMatchObject({
      ok: true,
    });
    expect(tcp.connections).toBe(accepted + 1);
  });

  test('dns checks query the mapped server (its answers are judged)', async () => {
    const check = dnsCheck({ server: '127.0.0.1', serverPort: closedPort, expectAnswer: '10.0.0.1' });
    expect(
      await runCheck(check, { connectVia: via(`127.0.0.1:${closedPort}`, `127.0.0.1:${dns.port}`) }),
    ).toMatchObject({ ok: true });
    const missing = await runCheck(
      { ...check, query: 'missing.test' },
      { connectVia: via(`127.0.0.1:${closedPort}`, `127.0.0.1:${dns.port}`) },
    );
    expect(missing).toMatchObject({ ok: false, failureClass: 'dns' });
    expect(missing.detail).toContain('missing.test A: NXDOMAIN');
  });
});

describe('quorumdns probe --via', () => {
  test('a malformed --via is a usage error (exit 2) naming the value', async () => {
    const io = captureIo({ cwd: process.cwd(), env: {} });
    const code = await main(['probe', '--region', 'r1', '--config', 'x.yaml', '--via', '127.0.0.1:80'], io);
    expect(code).toBe(2);
    expect(io.stderrText()).toContain('--via "127.0.0.1:80" must be <host:port>=<host:port>');
  });
});

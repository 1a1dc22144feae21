import { runCheck } from '../../../src/probe/checks/run-check';
import {
  startHangingServer,
  startResettingServer,
  startStatusServer,
  startTlsServer,
  type HttpTestServer,
  type TestServer,
} from '../../support/misbehaving-servers';
import { httpCheck } from './check-builders';
import { waitFor } from '../../support/wait-for';

const servers: TestServer[] = [];
let tlsServer: HttpTestServer;

beforeAll(async () => {
  tlsServer = await startTlsServer();
  servers.push(tlsServer);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

function httpsCheck(overrides: Parameters<typeof httpCheck>[0] = {}) {
  return httpCheck({ type: 'https', port: tlsServer.port, ...overrides });
}

describe('https check', () => {
  it('fails a self-signed certificate with class tls when verifying (the default)', async () => {
    const result = await runCheck(httpsCheck());
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'tls',
      detail: 'TLS self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('passes against the same server with tlsVerify: false', async () => {
    expect(await runCheck(httpsCheck({ tlsVerify: false }))).toMatchObject({ ok: true });
  });

  it('presents the Host header name as SNI while connecting to the IP', async () => {
    const result = await runCheck(httpsCheck({ tlsVerify: false, hostHeader: 'api.example.com' }));
    expect(result.ok).toBe(true);
    expect(tlsServer.requests.at(-1)).toMatchObject({
      servername: 'api.example.com',
      headers: expect.objectContaining({ host: 'api.example.com' }),
    });
  });

  it('presents an explicit sni over the Host header name', async () => {
    await runCheck(httpsCheck({ tlsVerify: false, hostHeader: 'api.example.com', sni: 'edge.example.net' }));
    expect(tlsServer.requests.at(-1)).toMatchObject({
      servername: 'edge.example.net',
      headers: expect.objectContaining({ host: 'api.example.com' }),
    });
  });

  it('sends no SNI for a bare IP (RFC 6066 forbids IP server names)', async () => {
    await runCheck(httpsCheck({ tlsVerify: false }));
    expect(tlsServer.requests.at(-1)!.servername).toBe(false);
  });

  it('opens a fresh TLS connection for every check', async () => {
    const before = tlsServer.connections;
    for (let i = 0; i < 3; i += 1) expect((await runCheck(httpsCheck({ tlsVerify: false }))).ok).toBe(true);
    expect(tlsServer.connections - before).toBe(3);
    const lastThree = tlsServer.requests.slice(-3).map((request) => request.headers.connection);
    expect(lastThree).toEqual(['close', 'close', 'close']);
  });

  it('fails with class tls when the server does not speak TLS', async () => {
    const plain = await startStatusServer(200, 'ok');
    servers.push(plain);
    const result = await runCheck(httpsCheck({ port: plain.port, tlsVerify: false }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'tls',
      detail: 'TLS handshake failed: wrong version number (EPROTO)',
    });
  });

  it('classifies a connection reset during the handshake as reset, saying so', async () => {
    const resetting = await startResettingServer();
    servers.push(resetting);
    const result = await runCheck(httpsCheck({ port: resetting.port }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'reset',
      detail: 'connection closed during TLS handshake (ECONNRESET)',
    });
  });

  it('times out in the handshake on a server that accepts but never answers', async () => {
    const hanging = await startHangingServer();
    servers.push(hanging);
    const started = performance.now();
    const result = await runCheck(httpsCheck({ port: hanging.port, timeout: 300 }));
    expect(result).toMatchObject({
      failureClass: 'timeout',
      detail: 'no answer within 300 ms (TLS handshake)',
    });
    expect(performance.now() - started).toBeLessThan(800);
    await waitFor(() => hanging.openConnections === 0);
  });
});

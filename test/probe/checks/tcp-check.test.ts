import type { LookupFunction } from 'node:net';
import { runCheck } from '../../../src/probe/checks/run-check';
import { getClosedPort, startTcpServer, type TcpTestServer } from '../../support/misbehaving-servers';
import { tcpCheck } from './check-builders';
import { waitFor } from '../../support/wait-for';

let server: TcpTestServer;

beforeAll(async () => {
  server = await startTcpServer();
});

afterAll(async () => {
  await server.close();
});

/** A lookup that never answers: the connect never starts, so only the deadline can end the check. */
const neverAnsweringLookup = (() => undefined) as unknown as LookupFunction;

describe('tcp check', () => {
  it('passes when the port accepts, then closes the connection at once without sending', async () => {
    const before = server.connections;
    const result = await runCheck(tcpCheck({ port: server.port }));
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number) });
    expect(server.connections - before).toBe(1);
    await waitFor(() => server.openConnections === 0);
    expect(server.bytesReceived).toBe(0);
  });

  it('opens a fresh connection for every check', async () => {
    const before = server.connections;
    for (let i = 0; i < 3; i += 1) await runCheck(tcpCheck({ port: server.port }));
    expect(server.connections - before).toBe(3);
  });

  it('classifies a closed port as refused', async () => {
    const port = await getClosedPort();
    expect(await runCheck(tcpCheck({ port }))).toMatchObject({
      ok: false,
      failureClass: 'refused',
      detail: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('fails with class timeout when no connection is made within the deadline', async () => {
    const started = performance.now();
    const result = await runCheck(tcpCheck({ host: 'db.internal.test', port: 5432, timeout: 200 }), {
      lookup: neverAnsweringLookup,
    });
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'timeout',
      detail: 'no connection within 200 ms',
    });
    expect(performance.now() - started).toBeLessThan(700);
  });

  it('classifies a failed host lookup as dns', async () => {
    const failingLookup = ((hostname: string, _options: unknown, callback: (error: Error) => void) =>
      callback(
        Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname}`), { code: 'EAI_AGAIN' }),
      )) as unknown as LookupFunction;
    expect(
      await runCheck(tcpCheck({ host: 'db.internal.test', port: 5432 }), { lookup: failingLookup }),
    ).toMatchObject({
      failureClass: 'dns',
      detail: 'getaddrinfo EAI_AGAIN db.internal.test',
    });
  });

  it('stops with detail "aborted" when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = runCheck(tcpCheck({ host: 'db.internal.test', timeout: 10_000 }), {
      signal: controller.signal,
      lookup: neverAnsweringLookup,
    });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failureClass: 'timeout', detail: 'aborted' });
  });
});

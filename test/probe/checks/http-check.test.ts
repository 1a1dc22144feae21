import type { LookupFunction } from 'node:net';
import { runCheck } from '../../../src/probe/checks/run-check';
import {
  getClosedPort,
  startBodyServer,
  startClosingServer,
  startHangingServer,
  startHttpServer,
  startHugeBodyServer,
  startJsonServer,
  startRedirectServer,
  startResettingServer,
  startSlowServer,
  startStatusServer,
  type HttpTestServer,
  type TestServer,
} from '../../support/misbehaving-servers';
import { httpCheck } from './check-builders';
import { waitFor } from '../../support/wait-for';

const servers: TestServer[] = [];
async function track<T extends TestServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  servers.push(started);
  return started;
}

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('http check: answers', () => {
  let ok: HttpTestServer;
  beforeAll(async () => {
    ok = await track(startStatusServer(200, 'ok'));
  });

  it('passes on a 200 and reports a latency', async () => {
    const result = await runCheck(httpCheck({ port: ok.port }));
    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number) });
    expect(result.latencyMs).toBeGreaterThan(0);
  });

  it('fails with class status and the expected ranges on a 503', async () => {
    const server = await track(startStatusServer(503, 'down'));
    const result = await runCheck(httpCheck({ port: server.port }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'status',
      detail: 'HTTP 503 (expected 200-399)',
    });
  });

  it('judges against configured ranges', async () => {
    const server = await track(startStatusServer(302));
    const check = httpCheck({
      port: server.port,
      expectStatus: [
        { from: 200, to: 299 },
        { from: 301, to: 301 },
      ],
    });
    expect(await runCheck(check)).toMatchObject({
      failureClass: 'status',
      detail: 'HTTP 302 (expected 200-299, 301)',
    });
    const teapot = await track(startStatusServer(418));
    expect(
      await runCheck(httpCheck({ port: teapot.port, expectStatus: [{ from: 418, to: 418 }] })),
    ).toMatchObject({
      ok: true,
    });
  });

  it('sends the method, path, Host header, literal and resolved headers, and Connection: close', async () => {
    const check = httpCheck({
      port: ok.port,
      method: 'post',
      path: '/health?deep=1',
      hostHeader: 'api.example.com',
      headers: { 'X-Literal': 'one', 'X-Token': { kind: 'env', name: 'UNUSED' }, 'X-Override': 'literal' },
    });
    const result = await runCheck(check, { headers: { 'x-override': 'resolved', 'X-Token': 's3cret' } });
    expect(result.ok).toBe(true);
    const seen = ok.requests.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/health?deep=1');
    expect(seen.headers.host).toBe('api.example.com');
    expect(seen.headers['x-literal']).toBe('one');
    expect(seen.headers['x-override']).toBe('resolved');
    expect(seen.headers['x-token']).toBe('s3cret');
    expect(seen.headers.connection).toBe('close');
    expect(seen.headers['user-agent']).toBe('quorumdns-probe');
  });

  it('never sends an unresolved secret reference', async () => {
    await runCheck(httpCheck({ port: ok.port, headers: { 'X-Token': { kind: 'env', name: 'TOKEN' } } }));
    expect(ok.requests.at(-1)!.headers['x-token']).toBeUndefined();
  });

  it('opens a fresh connection for every check', async () => {
    const server = await track(startStatusServer(200, 'ok'));
    for (let i = 0; i < 3; i += 1) expect((await runCheck(httpCheck({ port: server.port }))).ok).toBe(true);
    expect(server.connections).toBe(3);
    expect(server.requests.map((request) => request.connectionNumber)).toEqual([1, 2, 3]);
  });

  it('does not leak a header value into the detail of a request it cannot send', async () => {
    const result = await runCheck(httpCheck({ port: ok.port }), {
      headers: { 'X-Token': 'top-secret\r\nX: y' },
    });
    expect(result).toMatchObject({ ok: false, failureClass: 'reset' });
    expect(result.detail).toContain('"X-Token"');
    expect(result.detail).not.toContain('top-secret');
  });
});

describe('http check: connection failures', () => {
  it('classifies a closed port as refused, naming the address', async () => {
    const port = await getClosedPort();
    const result = await runCheck(httpCheck({ port }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'refused',
      detail: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  it('classifies a reset after accept as reset', async () => {
    const server = await track(startResettingServer());
    const result = await runCheck(httpCheck({ port: server.port }));
    expect(result).toMatchObject({ ok: false, failureClass: 'reset' });
    expect(result.detail).toMatch(/ECONNRESET/);
  });

  it('classifies a close without an answer as reset (socket hang up)', async () => {
    const server = await track(startClosingServer());
    const result = await runCheck(httpCheck({ port: server.port }));
    expect(result).toMatchObject({ ok: false, failureClass: 'reset', detail: 'socket hang up (ECONNRESET)' });
  });

  it('classifies a failed lookup of check.host as dns', async () => {
    const failingLookup = ((hostname: string, _options: unknown, callback: (error: Error) => void) => {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    }) as unknown as LookupFunction;
    const result = await runCheck(httpCheck({ host: 'api.nowhere.test', port: 80 }), {
      lookup: failingLookup,
    });
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'dns',
      detail: 'getaddrinfo ENOTFOUND api.nowhere.test',
    });
  });

  it('honours the hard deadline on a server that never answers', async () => {
    const server = await track(startHangingServer());
    const started = performance.now();
    const result = await runCheck(httpCheck({ port: server.port, timeout: 300 }));
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'timeout',
      detail: 'no answer within 300 ms (waiting for response)',
    });
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(800);
    await waitFor(() => server.openConnections === 0);
  });

  it('times out on an answer slower than the deadline', async () => {
    const server = await track(startSlowServer(5_000));
    const started = performance.now();
    const result = await runCheck(httpCheck({ port: server.port, timeout: 250 }));
    expect(result).toMatchObject({
      failureClass: 'timeout',
      detail: 'no answer within 250 ms (waiting for response)',
    });
    expect(performance.now() - started).toBeLessThan(750);
  });

  it('returns at once with detail "aborted" when the signal aborts mid-check', async () => {
    const server = await track(startHangingServer());
    const controller = new AbortController();
    const started = performance.now();
    const pending = runCheck(httpCheck({ port: server.port, timeout: 10_000 }), {
      signal: controller.signal,
    });
    await waitFor(() => server.connections === 1);
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ ok: false, failureClass: 'timeout', detail: 'aborted' });
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor(() => server.openConnections === 0);
  });

  it('does not connect at all when the signal is already aborted', async () => {
    const server = await track(startHangingServer());
    const controller = new AbortController();
    controller.abort();
    const result = await runCheck(httpCheck({ port: server.port }), { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, failureClass: 'timeout', detail: 'aborted' });
    expect(server.connections).toBe(0);
  });

  it('resolves (never rejects) when Node refuses to build the request', async () => {
    const result = await runCheck(httpCheck({ port: 80, method: 'GE T' }));
    expect(result.ok).toBe(false);
    expect(result.failureClass).toBeDefined();
  });
});

describe('http check: latency budget', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await track(startStatusServer(200, 'ok'));
  });

  /** A clock that advances `stepMs` on every reading: the check sees exactly that latency. */
  function steppingClock(stepMs: number): () => number {
    let t = 0;
    return () => (t += stepMs);
  }

  it('fails an ok answer slower than the budget with class latency', async () => {
    const result = await runCheck(httpCheck({ port: server.port, latencyBudget: 500 }), {
      now: steppingClock(800),
    });
    expect(result).toEqual({
      ok: false,
      failureClass: 'latency',
      detail: 'answered in 800 ms (budget 500 ms)',
      latencyMs: 800,
    });
  });

  it('passes an answer within the budget', async () => {
    const result = await runCheck(httpCheck({ port: server.port, latencyBudget: 500 }), {
      now: steppingClock(300),
    });
    expect(result).toEqual({ ok: true, latencyMs: 300 });
  });

  it('reports the status, not the latency, of a slow failing answer', async () => {
    const failing = await track(startStatusServer(500));
    const result = await runCheck(httpCheck({ port: failing.port, latencyBudget: 10 }), {
      now: steppingClock(900),
    });
    expect(result.failureClass).toBe('status');
  });

  it('measures real latency on a slow server', async () => {
    const slow = await track(startSlowServer(120));
    const result = await runCheck(httpCheck({ port: slow.port, latencyBudget: 50 }));
    expect(result.failureClass).toBe('latency');
    expect(result.latencyMs).toBeGreaterThanOrEqual(115);
  });
});

describe('http check: body match', () => {
  it('passes when the body contains the text and fails with "body lacks"', async () => {
    const server = await track(startBodyServer('status: ok'));
    expect(
      await runCheck(httpCheck({ port: server.port, bodyMatch: { kind: 'contains', text: 'ok' } })),
    ).toMatchObject({
      ok: true,
    });
    const result = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'contains', text: 'healthy' } }),
    );
    expect(result).toMatchObject({ ok: false, failureClass: 'body', detail: 'body lacks "healthy"' });
  });

  it('matches a regex', async () => {
    const server = await track(startBodyServer('version=1.42 state=UP'));
    const pass = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'regex', pattern: 'state=(UP|OK)' } }),
    );
    expect(pass.ok).toBe(true);
    const fail = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'regex', pattern: '^DOWN' } }),
    );
    expect(fail).toMatchObject({ failureClass: 'body', detail: 'body does not match /^DOWN/' });
  });

  it('compares a JSON path', async () => {
    const server = await track(
      startJsonServer({ status: 'degraded', checks: [{ state: 'up' }, { state: 'down' }] }),
    );
    const check = (path: string, equals: string | number | boolean | null) =>
      runCheck(httpCheck({ port: server.port, bodyMatch: { kind: 'jsonPath', path, equals } }));
    expect(await check('$.status', 'ok')).toMatchObject({
      failureClass: 'body',
      detail: '$.status is "degraded", expected "ok"',
    });
    expect(await check('$.checks[1].state', 'down')).toMatchObject({ ok: true });
    expect(await check('$.checks[2].state', 'up')).toMatchObject({
      failureClass: 'body',
      detail: '$.checks[2].state is missing, expected "up"',
    });
  });

  it('fails a JSON path match on a body that is not JSON', async () => {
    const server = await track(startBodyServer('<html>ok</html>', 'text/html'));
    const result = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'jsonPath', path: '$.status', equals: 'ok' } }),
    );
    expect(result).toMatchObject({ failureClass: 'body', detail: 'body is not JSON' });
  });

  it('reads at most 64 KiB of a 10 MB body and stops reading', async () => {
    const tenMegabytes = 10 * 1024 * 1024;
    const server = await track(startHugeBodyServer(tenMegabytes, 'NEEDLE'));
    const started = performance.now();
    const result = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'contains', text: 'NEEDLE' }, timeout: 5_000 }),
    );
    // The needle sits at the very end: only a client that read all 10 MB would find it.
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'body',
      detail: 'body lacks "NEEDLE" (first 64 KiB)',
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    await waitFor(() => server.responses[0]?.closedEarly === true);
    expect(server.responses[0]).toMatchObject({ finished: false, closedEarly: true });
    expect(server.responses[0]!.bytesWritten).toBeLessThan(tenMegabytes);

    const head = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'contains', text: 'xxxx' } }),
    );
    expect(head.ok).toBe(true);
  });

  it('does not read the body when nothing judges it', async () => {
    const server = await track(startHugeBodyServer(10 * 1024 * 1024));
    const result = await runCheck(httpCheck({ port: server.port }));
    expect(result.ok).toBe(true);
    await waitFor(() => server.responses[0]?.closedEarly === true);
    expect(server.responses[0]!.finished).toBe(false);
  });

  it('classifies a connection cut in the middle of the body as reset', async () => {
    const server = await track(
      startHttpServer((_request, response) => {
        response.writeHead(200, { 'Content-Length': '1000' });
        response.write('partial');
        setImmediate(() => response.socket?.resetAndDestroy());
      }),
    );
    const result = await runCheck(
      httpCheck({ port: server.port, bodyMatch: { kind: 'contains', text: 'ok' } }),
    );
    expect(result).toMatchObject({ ok: false, failureClass: 'reset' });
    expect(result.detail).toMatch(/^connection closed while reading body/);
  });

  it('times out while reading a body that never ends', async () => {
    const server = await track(
      startHttpServer((_request, response) => {
        response.writeHead(200, { 'Content-Length': '1000' });
        response.write('partial');
      }),
    );
    const result = await runCheck(
      httpCheck({ port: server.port, timeout: 200, bodyMatch: { kind: 'contains', text: 'ok' } }),
    );
    expect(result).toMatchObject({
      failureClass: 'timeout',
      detail: 'no answer within 200 ms (reading body)',
    });
  });
});

describe('http check: redirects', () => {
  it('judges a redirect as an answer when not asked to follow', async () => {
    const server = await track(startRedirectServer('/final'));
    expect(await runCheck(httpCheck({ port: server.port }))).toMatchObject({ ok: true });
    expect(server.requests).toHaveLength(1);
    const strict = await runCheck(httpCheck({ port: server.port, expectStatus: [{ from: 200, to: 299 }] }));
    expect(strict).toMatchObject({ failureClass: 'status', detail: 'HTTP 302 (expected 200-299)' });
  });

  it('follows a relative redirect over a fresh connection, keeping the Host header', async () => {
    const server = await track(startRedirectServer('/final', 301));
    const result = await runCheck(
      httpCheck({
        port: server.port,
        path: '/start',
        followRedirects: true,
        hostHeader: 'api.example.com',
        bodyMatch: { kind: 'contains', text: 'ok' },
        expectStatus: [{ from: 200, to: 299 }],
      }),
    );
    expect(result.ok).toBe(true);
    expect(
      server.requests.map((request) => [request.url, request.headers.host, request.connectionNumber]),
    ).toEqual([
      ['/start', 'api.example.com', 1],
      ['/final', 'api.example.com', 2],
    ]);
  });

  it('follows an absolute redirect to another server', async () => {
    const target = await track(startStatusServer(200, 'ok'));
    const origin = await track(startRedirectServer(`http://127.0.0.1:${target.port}/landing`, 307));
    const result = await runCheck(
      httpCheck({ port: origin.port, followRedirects: true, expectStatus: [{ from: 200, to: 200 }] }),
    );
    expect(result.ok).toBe(true);
    expect(target.requests.at(-1)).toMatchObject({ url: '/landing', method: 'GET' });
  });

  it('stops after 5 redirects', async () => {
    const server = await track(startRedirectServer((path) => `${path}x`));
    const result = await runCheck(httpCheck({ port: server.port, followRedirects: true }));
    expect(result).toMatchObject({
      ok: false,
      failureClass: 'status',
      detail: 'too many redirects (more than 5)',
    });
    expect(server.requests).toHaveLength(6);
    expect(server.connections).toBe(6);
  });

  it('keeps one deadline across redirect hops', async () => {
    const hanging = await track(startHangingServer());
    const origin = await track(startRedirectServer(`http://127.0.0.1:${hanging.port}/`));
    const started = performance.now();
    const result = await runCheck(httpCheck({ port: origin.port, followRedirects: true, timeout: 300 }));
    expect(result).toMatchObject({
      failureClass: 'timeout',
      detail: 'no answer within 300 ms (waiting for response)',
    });
    expect(performance.now() - started).toBeLessThan(800);
  });
});

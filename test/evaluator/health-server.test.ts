/** The /metrics, /healthz and /readyz server, over real loopback HTTP. */
import { request } from 'node:http';
import { Counter, Registry } from 'prom-client';
import {
  type HealthServer,
  HealthServerError,
  type Readiness,
  startHealthServer,
} from '../../src/api/health-server';

function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const registry = new Registry();
const counter = new Counter({ name: 'quorumdns_test_things_total', help: 'things', registers: [registry] });
let readiness: Readiness | (() => never) = { ready: true, reasons: [] };
let server: HealthServer;

beforeAll(async () => {
  server = await startHealthServer({
    port: 0,
    registry,
    readyTimeoutMs: 200,
    ready: () => (typeof readiness === 'function' ? readiness() : readiness),
  });
});
afterAll(() => server.close());

test('binds 127.0.0.1 on an ephemeral port by default', () => {
  expect(server.host).toBe('127.0.0.1');
  expect(server.port).toBeGreaterThan(0);
});

test('/metrics serves the registry in the Prometheus text format', async () => {
  counter.inc(3);
  const response = await get(server.port, '/metrics');
  expect(response.status).toBe(200);
  expect(response.type).toContain('text/plain');
  expect(response.body).toContain('quorumdns_test_things_total 3');
});

test('/healthz is 200 while the process runs', async () => {
  expect(await get(server.port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
});

test('/readyz follows the readiness callback, with reasons; a throw or a hang is not ready', async () => {
  expect((await get(server.port, '/readyz')).status).toBe(200);
  readiness = { ready: false, reasons: ['Redis unreachable: ECONNREFUSED'] };
  expect(await get(server.port, '/readyz')).toMatchObject({
    status: 503,
    body: 'not ready\nRedis unreachable: ECONNREFUSED\n',
  });
  readiness = () => {
    throw new Error('boom');
  };
  expect(await get(server.port, '/readyz')).toMatchObject({ status: 503, body: 'not ready\nboom\n' });
  readiness = { ready: true, reasons: [] };
});

test('a slow readiness check answers 503 after readyTimeoutMs', async () => {
  const slow = await startHealthServer({
    port: 0,
    registry,
    readyTimeoutMs: 50,
    ready: () => new Promise<Readiness>(() => undefined),
  });
  try {
    const response = await get(slow.port, '/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toContain('took over 50 ms');
  } finally {
    await slow.close();
  }
});

test('unknown paths are 404 and other methods 405', async () => {
  expect((await get(server.port, '/nope')).status).toBe(404);
  expect((await get(server.port, '/metrics', 'POST')).status).toBe(405);
});

test('a port in use is a HealthServerError naming it', async () => {
  await expect(
    startHealthServer({ port: server.port, registry, ready: () => ({ ready: true, reasons: [] }) }),
  ).rejects.toThrow(HealthServerError);
  await expect(
    startHealthServer({ port: server.port, registry, ready: () => ({ ready: true, reasons: [] }) }),
  ).rejects.toThrow(`127.0.0.1:${server.port}: EADDRINUSE`);
});

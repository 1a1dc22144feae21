/**
 * The fault proxy the end-to-end tests put in one probe region's path: each mode as a real check sees it
 * (through `--via`'s connect map, as a probe worker would use it), and switching modes at run time.
 */
import net from 'node:net';
import { parseConnectVia } from '../../src/probe/checks/connect-via';
import { runCheck } from '../../src/probe/checks/run-check';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { type HttpTestServer, startStatusServer } from '../support/misbehaving-servers';
import { httpCheck } from '../probe/checks/check-builders';
import { waitFor } from '../support/wait-for';

let target: HttpTestServer;
let proxy: FaultProxy;

beforeAll(async () => {
  target = await startStatusServer(200, 'ok', { host: '127.0.3.1' });
  proxy = await startFaultProxy({ target: { host: '127.0.3.1', port: target.port }, host: '127.0.3.2' });
});

afterAll(async () => {
  await proxy.close();
  await target.close();
});

afterEach(() => proxy.setMode('pass', { slowDelayMs: 1000 }));

/** The check a probe region runs against the data center, rerouted through the proxy. */
function checkThroughProxy(timeout: number) {
  return runCheck(httpCheck({ host: '127.0.3.1', port: target.port, timeout }), {
    connectVia: parseConnectVia([`127.0.3.1:${target.port}=${proxy.address}`]),
  });
}

test('listens on its own loopback address and refuses anything else', async () => {
  expect(proxy.address).toBe(`127.0.3.2:${proxy.port}`);
  await expect(startFaultProxy({ target: { host: '127.0.0.1', port: 1 }, host: '10.0.0.1' })).rejects.toThrow(
    'loopback only',
  );
  await expect(startFaultProxy({ target: { host: '192.0.2.1', port: 1 } })).rejects.toThrow('loopback only');
});

test('pass: the check reaches the data center through the proxy', async () => {
  const before = target.requests.length;
  expect(await checkThroughProxy(2000)).toMatchObject({ ok: true });
  expect(target.requests.length).toBe(before + 1);
  // The Host header is the data center's: the proxy is invisible to it.
  expect(target.requests.at(-1)?.headers.host).toBe(`127.0.3.1:${target.port}`);
  expect(proxy.stats().acceptedIn.pass).toBeGreaterThan(0);
});

test('blackhole: accepted, never answered, the data center never sees it; the check times out', async () => {
  proxy.setMode('blackhole');
  const connectionsBefore = target.connections;
  const accepted = proxy.stats().acceptedIn.blackhole;
  // Long enough for the connect to complete even on a loaded machine: the wait is for the answer.
  const result = await checkThroughProxy(1000);
  expect(result).toMatchObject({ ok: false, failureClass: 'timeout' });
  expect(result.detail).toContain('waiting for response');
  expect(proxy.stats().acceptedIn.blackhole).toBe(accepted + 1);
  expect(proxy.stats().droppedBytes).toBeGreaterThan(0);
  expect(target.connections).toBe(connectionsBefore);
});

test('reset: the check fails with class reset', async () => {
  proxy.setMode('reset');
  const resets = proxy.stats().resets;
  const result = await checkThroughProxy(2000);
  expect(result).toMatchObject({ ok: false, failureClass: 'reset' });
  expect(proxy.stats().resets).toBe(resets + 1);
});

test('slow: every chunk is delayed — a check with a short timeout fails, a patient one passes late', async () => {
  proxy.setMode('slow', { slowDelayMs: 400 });
  expect(await checkThroughProxy(250)).toMatchObject({ ok: false, failureClass: 'timeout' });
  const patient = await checkThroughProxy(5000);
  expect({ ok: patient.ok, detail: patient.detail ?? null }).toEqual({ ok: true, detail: null });
  // Request and response are each held 400 ms: a lower bound, safe on a slow machine.
  expect(patient.latencyMs).toBeGreaterThanOrEqual(790);
});

test('switching to reset resets connections already open', async () => {
  const socket = net.connect({ host: '127.0.3.2', port: proxy.port });
  const closed = new Promise<string | undefined>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    socket.on('close', () => resolve(undefined));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await waitFor(() => proxy.stats().open > 0, { what: 'the proxy to hold the connection' });
  proxy.setMode('reset');
  expect(await closed).toBe('ECONNRESET');
  expect(proxy.stats().open).toBe(0);
});

test('an unknown mode is refused', () => {
  expect(() => proxy.setMode('flaky' as never)).toThrow(
    'fault proxy mode must be one of pass, blackhole, reset, slow',
  );
});

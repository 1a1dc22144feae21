/**
 * An evaluator whose Redis does not answer at start: it fails within its connect timeout with its own coded
 * error (what `quorumdns evaluate` logs as `evaluator could not start`) and closes every connection it opened.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { Evaluator } from '../../src/evaluator/evaluator';
import { memoryLogger } from '../../src/probe/logger';
import { testConfig, testService, waitFor } from './support/fixtures';

/** Accepts connections on loopback and never answers: a Redis that hangs. */
let silent: Server;
const open = new Set<Socket>();
let accepted = 0;

beforeAll(async () => {
  silent = createServer((socket) => {
    accepted += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    // Read and drop what the client sends: a paused socket would never see the client's FIN, so never close.
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of open) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

test('a Redis that never answers: EREDISUNAVAILABLE within the connect timeout, every connection closed', async () => {
  const address = silent.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const started = Date.now();
  const failure = await Evaluator.start({
    config: testConfig('qdns-test-silent', [testService('web')]),
    redisUrl: `redis://127.0.0.1:${port}`,
    id: 'silent-redis',
    registry: new Registry(),
    logger: memoryLogger(),
    connectTimeoutMs: 300,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toMatchObject({ code: 'EREDISUNAVAILABLE', message: 'Redis did not answer within 300 ms' });
  // The timeout decides when start gives up, not the connections' own (longer) timeouts.
  expect(Date.now() - started).toBeLessThan(5000);
  // It did reach the server (so the test shows the close, not a refused connect) and hung up on every
  // connection it opened: nothing is left reconnecting in the background.
  expect(accepted).toBeGreaterThan(0);
  await waitFor(() => open.size === 0, { what: 'every connection to the silent Redis closed' });
});

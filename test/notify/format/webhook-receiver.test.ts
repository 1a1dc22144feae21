/**
 * The example receiver (examples/webhook-receiver.ts) against what the generic webhook formatter really
 * sends, over real HTTP on loopback: the documented verification interoperates with our signing.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createReceiver, type ReceivedNotification } from '../../../examples/webhook-receiver';
import { buildNotification } from '../../../src/notify/build-notification';
import { formatterFor } from '../../../src/notify/channels';
import type { FormattedRequest } from '../../../src/notify/channel-formatter';
import type { Notification } from '../../../src/notify/notification';
import { TIMESTAMP_HEADER } from '../../../src/notify/webhook-signature';
import { outage, testConfig } from './fixtures';

const SECRET = 'receiver-test-secret';
const SENT_AT = Date.UTC(2026, 0, 1, 0, 1);

let server: Server;
let port: number;
let clock = SENT_AT;
const received: ReceivedNotification[] = [];

beforeAll(async () => {
  server = createReceiver({ secret: SECRET, onNotification: (n) => received.push(n), now: () => clock });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  clock = SENT_AT;
});

function post(
  request: Pick<FormattedRequest, 'headers' | 'body'>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: request.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A real failover notification; each test gives its own id (the receiver remembers ids it has seen). */
function notification(id: string): Notification {
  const config = testConfig();
  const { recorder, failover } = outage(config);
  return {
    ...buildNotification({ config, service: 'api', events: failover, record: recorder.record! })!,
    id,
  };
}

function signed(n: Notification, at = SENT_AT): FormattedRequest {
  return formatterFor('webhook').format(n, { signingSecret: SECRET }, at);
}

describe('example webhook receiver', () => {
  it('accepts a signed notification and hands over its JSON', async () => {
    const n = notification('accepted');
    const answer = await post(signed(n));
    expect(answer).toEqual({ status: 200, text: 'ok' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ version: 1, id: n.id, kind: 'failover', title: n.title });
  });

  it('rejects a replay older than 5 minutes', async () => {
    const request = signed(notification('replayed'));
    clock = SENT_AT + 5 * 60_000 + 1;
    const answer = await post(request);
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(/too old/);
    expect(received).toHaveLength(0);
  });

  it('rejects a tampered body, a forged timestamp and a missing signature', async () => {
    const request = signed(notification('tampered'));
    const tampered = await post({ ...request, body: request.body.replace('"failover"', '"failback"') });
    expect(tampered).toEqual({ status: 401, text: 'bad signature' });
    const forged = await post({
      ...request,
      headers: { ...request.headers, [TIMESTAMP_HEADER]: String(SENT_AT + 1) },
    });
    expect(forged.status).toBe(401);
    const unsigned = await post(formatterFor('webhook').format(notification('unsigned'), {}, SENT_AT));
    expect(unsigned.status).toBe(401);
    expect(received).toHaveLength(0);
  });

  it('handles a retried notification (same id, fresh signature) once', async () => {
    const n = notification('retried');
    expect(await post(signed(n, SENT_AT))).toEqual({ status: 200, text: 'ok' });
    clock = SENT_AT + 30_000;
    expect(await post(signed(n, SENT_AT + 30_000))).toEqual({ status: 200, text: 'duplicate ignored' });
    expect(received).toHaveLength(1);
  });
});

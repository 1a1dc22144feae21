/**
 * One delivery attempt against a real local receiver: how each answer is classified (delivered, transient,
 * rate limited with Retry-After, permanent with the remote's answer), the hard timeout, and that neither
 * errors nor receipts ever carry the webhook URL's secret path or a token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationChannel } from '../../../src/config/types';
import type { ChannelFormatter } from '../../../src/notify/channel-formatter';
import { formatterFor } from '../../../src/notify/channels/index';
import { deliverNotification, parseRetryAfter, postWebhook } from '../../../src/notify/deliver';
import {
  ChannelSecretError,
  DeliveryError,
  DeliveryTimeoutError,
  PermanentDeliveryError,
  RateLimitedError,
  TransientDeliveryError,
} from '../../../src/notify/delivery-errors';
import type { Notification } from '../../../src/notify/notification';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../../src/notify/webhook-signature';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const SECRET_PATH = '/services/T0SECRET1/B0SECRET2/xoxSecretToken123456';
const TOKEN_PARTS = ['T0SECRET1', 'B0SECRET2', 'xoxSecretToken123456'];

let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  await receiver.close();
});

function post(overrides: Partial<Parameters<typeof postWebhook>[0]> = {}): ReturnType<typeof postWebhook> {
  return postWebhook({
    url: `${receiver.url}${SECRET_PATH}`,
    headers: { 'content-type': 'application/json' },
    body: '{"hello":"world"}',
    timeoutMs: 3000,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error('expected the delivery to fail');
}

function expectNoSecret(text: string): void {
  for (const part of TOKEN_PARTS) expect(text).not.toContain(part);
  expect(text).not.toContain(SECRET_PATH);
}

const notification: Notification = {
  version: 1,
  id: 'n-1',
  kind: 'failover',
  severity: 'warning',
  deployment: 'test',
  service: 'api',
  title: 'api: failover a -> b',
  summary: 'Pool a drained.',
  drill: false,
  generation: 3,
  at: 1_700_000_000_000,
  dnsChanges: [],
  pools: [{ pool: 'a', change: 'drained', reason: 'quorum says down' }],
  votes: [],
  rules: ['quorum'],
  explanation: ['pool a is down'],
  eventIds: ['1700000000000-0'],
};

describe('postWebhook', () => {
  it('posts the body with a fresh connection and accepts a 2xx with the remote answer', async () => {
    receiver.script({ status: 202, body: 'queued' });
    const receipt = await post();
    expect(receipt).toMatchObject({ status: 202, answer: 'queued' });
    expect(receipt.target).toBe(`${receiver.url}/***`);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(SECRET_PATH);
    expect(request?.body).toBe('{"hello":"world"}');
    expect(request?.headers.connection).toBe('close');
    expect(request?.headers['user-agent']).toMatch(/^quorumdns\//);
  });

  it('treats a 2xx the platform calls a rejection as permanent (checkResponse)', async () => {
    receiver.script({ status: 200, body: 'invalid_blocks' });
    const error = await failure(
      post({ checkResponse: (_status, body) => (body === 'ok' ? undefined : `answered ${body}`) }),
    );
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain('invalid_blocks');
  });

  it.each([500, 502, 503, 408])('%i is transient', async (status) => {
    receiver.script({ status, body: 'try later' });
    const error = await failure(post());
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(status);
    expect(error.message).toContain(String(status));
  });

  it('a 400 is permanent and keeps the status and the (truncated) answer as its reason', async () => {
    receiver.script({ status: 400, body: `invalid_payload ${'x'.repeat(5000)}` });
    const error = await failure(post());
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.code).toBe('ENOTIFY_PERMANENT');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(400);
    expect(error.answer).toMatch(/^invalid_payload x+… \(5016 characters\)$/);
    expect(error.answer?.length).toBeLessThan(600);
    expect(error.message).toMatch(/answered 400 Bad Request: invalid_payload/);
  });

  it('a 404 (webhook deleted) is permanent; a redirect is not followed', async () => {
    receiver.script(
      { status: 404, body: 'no_service' },
      { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' }, body: '' },
    );
    expect(await failure(post())).toBeInstanceOf(PermanentDeliveryError);
    const redirect = await failure(post());
    expect(redirect).toBeInstanceOf(PermanentDeliveryError);
    expect(redirect.message).toContain('redirects are not followed');
    expect(receiver.requests).toHaveLength(2);
  });

  it('a 429 carries Retry-After in seconds, as an HTTP date, capped, or absent', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    receiver.script(
      { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' },
      { status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' } },
      { status: 429, headers: { 'retry-after': '86400' } },
      { status: 429 },
    );
    const seconds = await failure(post({ now: () => now }));
    expect(seconds).toBeInstanceOf(RateLimitedError);
    expect((seconds as RateLimitedError).retryAfterMs).toBe(7000);
    expect(seconds.message).toContain('slow down');
    const date = (await failure(post({ now: () => now }))) as RateLimitedError;
    expect(date.retryAfterMs).toBe(30_000);
    const capped = (await failure(post({ now: () => now, maxRetryAfterMs: 60_000 }))) as RateLimitedError;
    expect(capped.retryAfterMs).toBe(60_000);
    expect(capped.message).toContain('capped');
    const absent = (await failure(post({ now: () => now }))) as RateLimitedError;
    expect(absent).toBeInstanceOf(RateLimitedError);
    expect(absent.retryAfterMs).toBeUndefined();
  });

  it('a receiver that never answers costs at most the timeout', async () => {
    receiver.script({ hang: true });
    const started = Date.now();
    const error = await failure(post({ timeoutMs: 300 }));
    expect(error).toBeInstanceOf(DeliveryTimeoutError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('300 ms');
    // Bounded: far below the 30 s a hung request would otherwise cost (generous for a busy machine).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a slow body is bounded by the same deadline', async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(200);
      response.write('partial');
      // Never ends the body.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await failure(post({ url: `http://127.0.0.1:${port}${SECRET_PATH}`, timeoutMs: 300 }));
      expect(error).toBeInstanceOf(DeliveryTimeoutError);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a refused connection is transient and names the cause, not the URL', async () => {
    const closed = await startWebhookReceiver();
    const url = `${closed.url}${SECRET_PATH}`;
    await closed.close();
    const error = await failure(post({ url }));
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.message).toContain('connection refused (ECONNREFUSED)');
    expectNoSecret(error.message);
  });

  it('never shows the secret path or tokens, even when the remote echoes them', async () => {
    receiver.script({
      status: 400,
      body: `no such hook ${receiver.url}${SECRET_PATH} (token ${TOKEN_PARTS[2]}, path ${SECRET_PATH})`,
    });
    const error = await failure(post());
    expectNoSecret(error.message);
    expectNoSecret(error.answer ?? '');
    expect(error.answer).toContain('no such hook');
  });

  it('refuses what is not an http(s) URL without quoting it', async () => {
    const error = await failure(post({ url: 'ftp://user:pw@example.invalid/xoxSecretToken123456' }));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).not.toContain('xoxSecretToken123456');
    expect(error.message).not.toContain('pw');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['0', 0],
    ['120', 120_000],
    ['1.5', 1500],
    [' 3 ', 3000],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
  ])('%j -> %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
  it.each([undefined, '', '-5', 'soon', '1e3'])('%j -> undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('deliverNotification', () => {
  const webhook = (overrides: Partial<NotificationChannel> = {}): NotificationChannel => ({
    name: 'hooks',
    type: 'webhook',
    url: { kind: 'env', name: 'QDNS_TEST_HOOK' },
    secret: { kind: 'env', name: 'QDNS_TEST_SIGNING' },
    timeout: 2000,
    ...overrides,
  });

  it('resolves the secrets at send time, formats, signs and posts', async () => {
    const env = { QDNS_TEST_HOOK: `${receiver.url}${SECRET_PATH}`, QDNS_TEST_SIGNING: 'sign-me-please' };
    const receipt = await deliverNotification(webhook(), notification, {
      formatter: formatterFor('webhook'),
      env,
      now: () => 1_700_000_000_000,
    });
    expect(receipt.status).toBe(200);
    const [request] = receiver.requests;
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ version: 1, id: 'n-1', kind: 'failover' });
    const verified = verifyWebhook({
      secret: 'sign-me-please',
      header: String(request?.headers[SIGNATURE_HEADER.toLowerCase()]),
      timestamp: String(request?.headers[TIMESTAMP_HEADER.toLowerCase()]),
      body: request?.body ?? '',
      now: 1_700_000_000_000,
    });
    expect(verified).toEqual({ ok: true });
  });

  it('an unset secret is a retryable error that names the variable, not a value', async () => {
    const error = await failure(
      deliverNotification(webhook(), notification, { formatter: formatterFor('webhook'), env: {} }),
    );
    expect(error).toBeInstanceOf(ChannelSecretError);
    expect(error.code).toBe('ENOTIFY_SECRET');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('QDNS_TEST_HOOK');
  });

  it('a formatter that throws is a permanent error, and sends nothing', async () => {
    const broken: ChannelFormatter = {
      type: 'webhook',
      format: () => {
        throw new Error('routing key missing');
      },
    };
    const error = await failure(
      deliverNotification(webhook(), notification, {
        formatter: broken,
        env: { QDNS_TEST_HOOK: `${receiver.url}/x`, QDNS_TEST_SIGNING: 's3cr3t-value' },
      }),
    );
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain('routing key missing');
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends what a formatter addresses itself (PagerDuty) under the override base, path kept', async () => {
    const pagerduty: NotificationChannel = {
      name: 'pager',
      type: 'pagerduty',
      routingKey: { kind: 'env', name: 'QDNS_TEST_ROUTING_KEY' },
      timeout: 2000,
    };
    receiver.script({ status: 202, body: '{"status":"success","dedup_key":"k"}' });
    const incident = { action: 'trigger' as const, dedupKey: 'quorumdns/test/api/pool/a' };
    const receipt = await deliverNotification(
      pagerduty,
      { ...notification, incident },
      {
        formatter: formatterFor('pagerduty'),
        env: { QDNS_TEST_ROUTING_KEY: 'R0UTINGKEYSECRET0000000000000000' },
        formatterUrlOverride: `${receiver.url}/pagerduty`,
      },
    );
    expect(receipt.status).toBe(202);
    // A failover is an incident trigger: the Events API's enqueue path, under the local base.
    expect(receiver.requests[0]?.path).toBe('/pagerduty/v2/enqueue');
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      event_action: 'trigger',
      dedup_key: incident.dedupKey,
    });
    expect(receipt.answer).toContain('success');
  });
});

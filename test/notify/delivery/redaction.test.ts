/**
 * Secrets stay secret along the whole failure path: a remote that echoes the webhook URL, its token and the
 * signing secret back in a 4xx answer leaves no trace of them in log lines, in the failure record that
 * `quorumdns notify failed` shows, or in the BullMQ job (failed reason and stack trace) kept in Redis.
 */
import { waitFor } from '../../support/wait-for';
import {
  createNotifyHarness,
  failoverEvents,
  type NotifyHarness,
  SECRET_PARTS,
  SECRET_PATH,
} from '../support/notify-harness';

jest.setTimeout(60_000);

let h: NotifyHarness;
afterAll(async () => {
  await h?.dispose();
});

test('no part of the URL path, token or signing secret in logs, failure records or job records', async () => {
  h = await createNotifyHarness('redaction', { routes: [{ channel: 'ops', minSeverity: 'warning' }] });
  const signing = 'whsec_SigningSecretValue77';
  h.env.QDNS_TEST_SIGNING = signing;
  const ops = h.config.notifications.ops;
  if (ops === undefined) throw new Error('harness has no ops channel');
  ops.secret = { kind: 'env', name: 'QDNS_TEST_SIGNING' };
  const url = h.env.QDNS_TEST_HOOK_OPS ?? '';
  h.receiver.script(
    { status: 503, body: `down for ${url}` },
    { status: 403, body: `forbidden: ${url} path=${SECRET_PATH} token=${SECRET_PARTS[2]} secret=${signing}` },
  );
  await h.startWorker();
  const events = await h.emit(failoverEvents());

  await waitFor(async () => (await h.failures.count()) === 1, { what: 'the failure to be listed' });
  const owner = await waitFor(
    async () => {
      const job = await h.queue.getJob(`notify/api/${events[0]?.id}/ops`);
      return job?.finishedOn !== undefined ? job : undefined;
    },
    { what: 'the owner job to fail' },
  );
  // The signature header went out, so the secret was really used.
  expect(h.receiver.requests[0]?.headers['x-quorumdns-signature']).toMatch(/^v1=[0-9a-f]{64}$/);

  const [failure] = await h.failures.listed();
  expect(failure?.reason).toContain('403 Forbidden: forbidden:');
  const jobHash = await h.redis.hgetall(`${h.prefix}:notify:${owner.id}`);
  const texts = {
    logs: h.logText(),
    failure: JSON.stringify(failure),
    failedReason: owner.failedReason,
    stacktrace: JSON.stringify(owner.stacktrace),
    jobHash: JSON.stringify(jobHash),
  };
  expect(texts.logs).toContain('will retry');
  expect(texts.logs).toContain('notification undeliverable');
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of [...SECRET_PARTS, SECRET_PATH, signing]) {
      if (text.includes(secret)) throw new Error(`${where} contains ${secret}: ${text}`);
    }
  }
});

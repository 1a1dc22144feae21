/**
 * Retries through real BullMQ: a 5xx is retried with backoff until the webhook accepts; a 429's Retry-After
 * delays the next attempt by what the remote asked; a permanent 400 is not retried, is listed by
 * `quorumdns notify failed` with the remote's answer, and `quorumdns notify retry` delivers it again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { NOTIFY_JOB_NAME, notifyJobId, notifyJobOptions } from '../../../src/evaluator/queues';
import type { NotifyCursor } from '../../../src/notify/notify-cursor';
import { captureIo } from '../../support/capture-io';
import { waitFor } from '../../support/wait-for';
import { cliConfig } from '../support/cli-config';
import {
  createNotifyHarness,
  failoverEvents,
  type NotifyHarness,
  SECRET_PARTS,
} from '../support/notify-harness';

jest.setTimeout(60_000);

let h: NotifyHarness;
afterEach(async () => {
  await h?.dispose();
});

async function cursorOf(channel: string): Promise<NotifyCursor | undefined> {
  const text = await h.redis.hget(h.keys.service('api').notify, channel);
  return text === null ? undefined : (JSON.parse(text) as NotifyCursor);
}

function expectNoSecret(text: string): void {
  for (const part of SECRET_PARTS) expect(text).not.toContain(part);
}

test('a 5xx is retried with backoff until the webhook accepts; one message for the whole commit', async () => {
  h = await createNotifyHarness('retry', { routes: [{ channel: 'ops', minSeverity: 'warning' }] });
  h.receiver.script({ status: 503, body: 'unavailable' }, { status: 500, body: 'oops' });
  await h.startWorker();
  const events = await h.emit(failoverEvents());

  const requests = await h.receiver.waitForRequests(3, { prefix: '/ops' });
  await waitFor(async () => (await cursorOf('ops'))?.lastOutcome === 'delivered', { what: 'cursor moved' });
  expect(requests.map((request) => request.answer.status ?? 200)).toEqual([503, 500, 200]);
  // Exponential backoff from 1 s: the attempts are spread out (lower bounds only: never a tight timing).
  expect((requests[1]?.at ?? 0) - (requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect((requests[2]?.at ?? 0) - (requests[1]?.at ?? 0)).toBeGreaterThanOrEqual(1800);
  const body = JSON.parse(requests[2]?.body ?? '{}') as { eventIds: string[]; kind: string };
  expect(body.kind).toBe('failover');
  expect(body.eventIds.sort()).toEqual(events.map((event) => event.id).sort());
  expect((await cursorOf('ops'))?.lastEventId).toBe(events[events.length - 1]?.id);
  // Both jobs of the commit end completed; the failed attempts were logged without the URL's secret.
  await waitFor(async () => (await h.queue.getJobCounts('completed')).completed === events.length, {
    what: 'every notify job completed',
  });
  expect(h.receiver.requestsTo('/ops')).toHaveLength(3);
  expect(h.logText()).toContain('will retry');
  expectNoSecret(h.logText());
});

test("a 429's Retry-After sets the delay of the next attempt", async () => {
  h = await createNotifyHarness('retry-after', { routes: [{ channel: 'ops' }] });
  h.receiver.script({ status: 429, headers: { 'Retry-After': '3' }, body: 'rate limited' });
  await h.startWorker();
  await h.emit([{ kind: 'override-set', severity: 'warning', message: 'api: frozen by alice' }]);

  const requests = await h.receiver.waitForRequests(2, { prefix: '/ops' });
  // The exponential step would have been 1 s; the remote asked for 3 s.
  expect((requests[1]?.at ?? 0) - (requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(2900);
  await waitFor(async () => (await cursorOf('ops'))?.lastOutcome === 'delivered', { what: 'delivered' });
});

test('a permanent 400 is not retried, is listed with its reason, and notify retry delivers it', async () => {
  h = await createNotifyHarness('permanent', { routes: [{ channel: 'ops', minSeverity: 'warning' }] });
  h.receiver.script({ status: 400, body: 'invalid_payload: missing text' });
  await h.startWorker();
  const events = await h.emit(failoverEvents());

  await waitFor(async () => (await h.failures.count()) === 1, { what: 'the failure to be listed' });
  await waitFor(async () => (await h.queue.getJobCounts('failed', 'completed')).failed === 1, {
    what: 'the owner job to fail',
  });
  expect(h.receiver.requestsTo('/ops')).toHaveLength(1);
  // The cursor moved past the undeliverable group: the channel is not blocked by it.
  expect(await cursorOf('ops')).toMatchObject({ lastOutcome: 'failed', lastEventId: events[1]?.id });

  const dir = mkdtempSync(join(tmpdir(), 'qdns-notify-retry-'));
  try {
    const configPath = join(dir, 'quorumdns.yaml');
    writeFileSync(configPath, cliConfig(h.prefix));
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const io = captureIo({ cwd: dir, env: {} });
      const code = await main([...args, '--config', configPath], io);
      return { code, out: io.stdoutText(), err: io.stderrText() };
    };

    const listed = await run(['notify', 'failed', '--json']);
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
    const json = JSON.parse(listed.out) as { schemaVersion: number; failed: Array<Record<string, unknown>> };
    expect(json.schemaVersion).toBe(1);
    expect(json.failed).toHaveLength(1);
    const failure = json.failed[0] as Record<string, unknown>;
    expect(failure).toMatchObject({
      id: `api/ops/${events[0]?.id}`,
      service: 'api',
      channel: 'ops',
      code: 'ENOTIFY_PERMANENT',
      status: 400,
      attempts: 1,
      eventIds: events.map((event) => event.id),
    });
    expect(String(failure.reason)).toContain('answered 400 Bad Request: invalid_payload: missing text');
    expectNoSecret(listed.out);

    const text = await run(['notify', 'failed']);
    expect(text.out).toContain(`api/ops/${events[0]?.id}`);
    expect(text.out).toContain('reason: POST http://127.0.0.1:');
    expect(text.out).toContain('1 attempt,');
    expectNoSecret(text.out);

    const unknown = await run(['notify', 'retry', 'api/ops/1-0']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('api/ops/1-0 is not listed');

    const retried = await run(['notify', 'retry', '--all']);
    expect(retried.err).toBe('');
    expect(retried.code).toBe(0);
    expect(retried.out).toContain(`queued again: api/ops/${events[0]?.id} (retry 1`);

    const delivered = await h.receiver.waitForRequests(2, { prefix: '/ops' });
    expect(delivered[1]?.answer.status ?? 200).toBe(200);
    // The same message again: same id, same events.
    expect(JSON.parse(delivered[1]?.body ?? '{}')).toMatchObject({
      id: (JSON.parse(delivered[0]?.body ?? '{}') as { id: string }).id,
      eventIds: events.map((event) => event.id),
    });
    await waitFor(async () => (await run(['notify', 'failed'])).out === 'no undelivered notifications\n', {
      what: 'the failure to be resolved',
    });
    expect(await h.redis.hkeys(h.keys.service('api').notify)).toEqual(['ops']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the last attempt failing records the message and unblocks the channel', async () => {
  h = await createNotifyHarness('exhausted', { routes: [{ channel: 'ops' }] });
  h.receiver.setDefault({ status: 502, body: 'bad gateway' });
  await h.startWorker();
  // Two attempts instead of ten: the same path, a shorter test.
  const [event] = await h.append([{ kind: 'override-set', message: 'api: frozen' }]);
  const data = { service: 'api', eventId: event?.id as string, channel: 'ops', drill: false };
  await h.queue.add(NOTIFY_JOB_NAME, data, { ...notifyJobOptions, attempts: 2, jobId: notifyJobId(data) });
  await waitFor(async () => (await h.failures.count()) === 1, {
    what: 'the failure to be listed',
    timeoutMs: 30_000,
  });
  const [failure] = await h.failures.listed();
  expect(failure).toMatchObject({ code: 'ENOTIFY_TRANSIENT', status: 502, attempts: 2 });
  expect(failure?.reason).toContain('502 Bad Gateway: bad gateway');
  expect(await cursorOf('ops')).toMatchObject({ lastOutcome: 'failed', lastEventId: event?.id });

  // The next event goes out on its own once the webhook is back.
  h.receiver.setDefault({ status: 200, body: 'ok' });
  const [next] = await h.emit([{ kind: 'override-removed', message: 'api: unfrozen' }]);
  await waitFor(async () => (await cursorOf('ops'))?.lastEventId === next?.id, {
    what: 'next event delivered',
  });
  expect(await cursorOf('ops')).toMatchObject({ lastOutcome: 'delivered' });
});

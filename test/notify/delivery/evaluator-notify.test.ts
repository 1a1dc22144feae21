/**
 * The notify worker inside the evaluator process (`Evaluator.start({ notify })`, what `quorumdns evaluate`
 * runs), driven by opinions written as probe workers write them: an outage and a recovery produce one
 * message per decision, reminders while the pool stays drained (capped, and stopped by the restore), and a
 * webhook that hangs delays neither the next decision nor its apply job.
 */
import { Registry } from 'prom-client';
import type { Config, NotificationChannel, Service } from '../../../src/config/types';
import { Evaluator } from '../../../src/evaluator/evaluator';
import { EventLog } from '../../../src/evaluator/event-log';
import { memoryLogger } from '../../../src/probe/logger';
import {
  jobQueues,
  POOL_A,
  ProbeSide,
  REDIS_URL,
  testConfig,
  testRedis,
  testService,
  waitFor,
} from '../../evaluator/support/fixtures';
import { evaluatorDriver } from '../../evaluator/support/evaluator-driver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(90_000);

const fixture = testRedis('notify-e2e');
const { redis, keys, prefix } = fixture;
const eventLog = new EventLog(redis, keys);
const probe = new ProbeSide(redis, keys);
const queues = jobQueues(redis, prefix);
const driver = evaluatorDriver(redis, keys);
const logger = memoryLogger();
const SECRET = '/T0SECRETZZZ/xoxSecretTokenE2E999';

let receiver: WebhookReceiver;
let hanging: WebhookReceiver;
let evaluator: Evaluator;

interface Message {
  kind: string;
  service: string;
  title: string;
  generation: number;
  eventIds: string[];
}

function messages(at: WebhookReceiver, path: string, service: string): Message[] {
  return at
    .requestsTo(path)
    .map((request) => JSON.parse(request.body) as Message)
    .filter((message) => message.service === service);
}

function withRoutes(service: Service, notify: Service['notify']): Service {
  return { ...service, notify };
}

function channel(name: string, timeout = 5000): NotificationChannel {
  return { name, type: 'webhook', url: { kind: 'env', name: `QDNS_E2E_${name.toUpperCase()}` }, timeout };
}

const { flip, waitForGeneration } = driver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  hanging = await startWebhookReceiver();
  hanging.setDefault({ hang: true });
  const reminding = { channel: 'ops', minSeverity: 'warning' as const, quietPeriod: 0, repeatEvery: 60_000 };
  const config: Config = {
    ...testConfig(prefix, [
      withRoutes(testService('outage'), [
        // Info too: the first decision and the failback are info events.
        { ...reminding, minSeverity: 'info', maxReminders: 2 },
        { channel: 'audit', minSeverity: 'info', quietPeriod: 0, maxReminders: 3 },
      ]),
      withRoutes(testService('restore'), [{ ...reminding, maxReminders: 50 }]),
      withRoutes(testService('hang'), [
        { channel: 'slow', minSeverity: 'info', quietPeriod: 0, maxReminders: 3 },
      ]),
    ]),
    notifications: { ops: channel('ops'), audit: channel('audit'), slow: channel('slow', 60_000) },
  };
  probe.startBeating();
  await probe.beat();
  evaluator = await Evaluator.start({
    config,
    redisUrl: REDIS_URL,
    id: 'notify-e2e',
    tickMs: 250,
    registry: new Registry(),
    logger,
    notify: {
      env: {
        QDNS_E2E_OPS: `${receiver.url}/ops${SECRET}`,
        QDNS_E2E_AUDIT: `${receiver.url}/audit${SECRET}`,
        QDNS_E2E_SLOW: `${hanging.url}/slow${SECRET}`,
      },
      // The config's minimum is a minute; a test cannot wait that long.
      repeatEveryMs: 500,
      leaseRetryMs: 100,
      ownerPollMs: 250,
    },
  });
});

afterAll(async () => {
  probe.stop();
  // Answer what hangs now and whatever comes next, so the graceful close does not wait for the timeout.
  hanging.setDefault({ status: 200, body: 'ok' });
  hanging.releaseHanging();
  await evaluator?.close();
  await driver.close();
  await queues.close();
  await receiver?.close();
  await hanging?.close();
  await fixture.dispose();
});

test('an outage and a recovery: one message per decision, capped reminders while drained', async () => {
  await probe.allUp('outage');
  await flip('outage');
  await waitForGeneration('outage', 1);

  await probe.setOpinions('outage', POOL_A, ['r1', 'r2', 'r3'], 'down');
  await flip('outage');
  await waitForGeneration('outage', 2);
  const drained = (await eventLog.read({ services: ['outage'] })).find(
    (event) => event.kind === 'pool-drained' && event.pool === 'a',
  );
  expect(drained).toBeDefined();

  // Failover, then reminders 1 and 2 (maxReminders), each one message.
  await waitFor(() => messages(receiver, '/ops', 'outage').filter((m) => m.kind === 'reminder').length >= 2, {
    what: 'two reminders',
    timeoutMs: 20_000,
  });
  const lastReminder = await waitFor(
    () =>
      queues.notify.getJob(`notify-reminder/outage/ops/a/${drained?.at}/2`).then((job) => job?.finishedOn),
    { what: 'the second reminder job to finish' },
  );
  expect(lastReminder).toBeGreaterThan(0);
  expect(await queues.notify.getJob(`notify-reminder/outage/ops/a/${drained?.at}/3`)).toBeUndefined();

  await probe.setOpinions('outage', POOL_A, ['r1', 'r2', 'r3'], 'up');
  await flip('outage');
  await waitForGeneration('outage', 3);
  await waitFor(() => messages(receiver, '/ops', 'outage').some((m) => m.kind === 'failback'), {
    what: 'the failback message',
    timeoutMs: 20_000,
  });

  const ops = messages(receiver, '/ops', 'outage');
  expect(ops.map((m) => m.kind)).toEqual(['decision', 'failover', 'reminder', 'reminder', 'failback']);
  expect(ops.map((m) => m.generation)).toEqual([1, 2, 2, 2, 3]);
  expect(ops[2]?.title).toMatch(/reminder 1 of 2/);
  expect(ops[3]?.title).toMatch(/reminder 2 of 2/);
  // `audit` takes every event, grouped per commit, and has no reminders.
  const audit = messages(receiver, '/audit', 'outage');
  expect(audit.map((m) => m.kind)).not.toContain('reminder');
  const failover = audit.find((m) => m.kind === 'failover');
  // Every event of the failover's evaluation (one commit), and only those.
  const failoverEvents = (await eventLog.read({ services: ['outage'] })).filter((e) => e.at === drained?.at);
  expect(failover?.eventIds.sort()).toEqual(failoverEvents.map((e) => e.id).sort());
  expect(new Set(audit.map((m) => m.generation)).size).toBe(audit.length);
  // Log lines carry the redacted target only.
  const logs = logger.entries.map((entry) => JSON.stringify(entry)).join('\n');
  expect(logs).toContain('notification delivered');
  expect(logs).not.toContain('xoxSecretTokenE2E999');
  expect(logs).not.toContain('T0SECRETZZZ');
});

test('a restore ends the reminders', async () => {
  await probe.allUp('restore');
  await flip('restore');
  await waitForGeneration('restore', 1);
  await probe.setOpinions('restore', POOL_A, ['r1', 'r2', 'r3'], 'down');
  await flip('restore');
  await waitForGeneration('restore', 2);
  await waitFor(() => messages(receiver, '/ops', 'restore').some((m) => m.kind === 'reminder'), {
    what: 'a first reminder',
  });
  await probe.setOpinions('restore', POOL_A, ['r1', 'r2', 'r3'], 'up');
  await flip('restore');
  await waitForGeneration('restore', 3);
  const stopped = await waitFor(
    async () =>
      (await queues.notify.getJobs(['completed'])).find(
        (job) =>
          job.name === 'notify-reminder' &&
          job.data.service === 'restore' &&
          (job.returnvalue as { outcome?: string } | null)?.outcome === 'pool-restored',
      ),
    { what: 'a reminder job that found the pool restored', timeoutMs: 20_000 },
  );
  const stoppedAt = stopped.data.reminder as number;
  expect(
    await queues.notify.getJob(`notify-reminder/restore/ops/a/${stopped.data.drainedAt}/${stoppedAt + 1}`),
  ).toBe(undefined);
  expect(messages(receiver, '/ops', 'restore').filter((m) => m.kind === 'reminder').length).toBeLessThan(50);
});

test('a webhook that hangs delays neither the next decision nor its apply job', async () => {
  await probe.allUp('hang');
  await flip('hang');
  await waitForGeneration('hang', 1);
  // The generation-1 message is stuck at the receiver, which never answers (timeout 60 s).
  await waitFor(() => hanging.pending() >= 1, { what: 'a delivery hanging at the receiver' });

  await probe.setOpinions('hang', POOL_A, ['r1', 'r2', 'r3'], 'down');
  await flip('hang');
  const failedOver = await waitForGeneration('hang', 2);
  expect(failedOver.state.decision.pools.filter((pool) => pool.weight > 0).map((pool) => pool.pool)).toEqual([
    'b',
  ]);
  expect((await queues.apply.getJob('apply/hang/route53-main/Z123/2'))?.data.generation).toBe(2);
  // The decision was committed and its apply job added while the first message was still hanging.
  expect(hanging.pending()).toBeGreaterThanOrEqual(1);
  expect(hanging.requests.every((request) => request.answer.hang === true)).toBe(true);
});

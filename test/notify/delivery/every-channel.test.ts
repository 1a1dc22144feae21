/**
 * Issue 6's "done when": an outage and a recovery driven through the real evaluator and notify worker (real
 * Redis, real BullMQ, opinions written as probe workers write them) produce exactly the expected messages on
 * every channel type, each at its own local receiver that answers as the platform does.
 *
 * One service (`shop`, failover a -> b) routes to one channel of each type, at two minSeverity levels:
 * `info` channels also hear of the first decision; `warning` channels only of the failover and the failback
 * (a restore is routed like the drain it clears). A second PagerDuty channel at `critical` is never paged by
 * a plain failover, so it must get neither a trigger nor a resolve. Retries and permanent failures per
 * channel family are covered in retries.test.ts and deliver.test.ts, not repeated here.
 */
import { Registry } from 'prom-client';
import type {
  ChannelType,
  Config,
  NotificationChannel,
  NotificationRoute,
  Service,
  Severity,
} from '../../../src/config/types';
import { Evaluator } from '../../../src/evaluator/evaluator';
import type { PagerDutyBody } from '../../../src/notify/channels/pagerduty';
import type { WebhookBody } from '../../../src/notify/channels/webhook';
import { poolIncidentKey } from '../../../src/notify/build-notification';
import { verifyWebhook } from '../../../src/notify/webhook-signature';
import { memoryLogger } from '../../../src/probe/logger';
import {
  jobQueues,
  ProbeSide,
  POOL_A,
  REDIS_URL,
  testConfig,
  testRedis,
  testService,
} from '../../evaluator/support/fixtures';
import { waitFor } from '../../support/wait-for';
import { evaluatorDriver } from '../../evaluator/support/evaluator-driver';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
  type ScriptedAnswer,
} from '../support/webhook-receiver';

jest.setTimeout(60_000);

const SERVICE = 'shop';
const DEPLOYMENT = 'test';
const STATUS_PAGE = 'https://status.example.com/shop';
/** Path of every chat webhook URL: the token part must never reach a log line. */
const SECRET_PATH = '/hooks/T0EVERYCHAN/B0EVERYCHAN/xoxEveryChannelToken77';
const SIGNING_SECRET = 'whsec-every-channel-e2e-0123456789';
const ROUTING_KEY = 'R0UTINGKEYWARNING0000000000000001';
const CRITICAL_ROUTING_KEY = 'R0UTINGKEYCRITICAL000000000000002';

const ADDRESSES: Record<string, string> = {
  a1: '192.0.2.11',
  a2: '192.0.2.12',
  b1: '198.51.100.21',
  b2: '198.51.100.22',
};
const ANSWER_A = `${SERVICE}.example.com A 192.0.2.11, 192.0.2.12`;
const ANSWER_B = `${SERVICE}.example.com A 198.51.100.21, 198.51.100.22`;

/** What each platform answers an accepted message with (docs/notifications.md). */
const PLATFORM_ANSWER: Record<ChannelType, ScriptedAnswer> = {
  slack: { status: 200, body: 'ok' },
  mattermost: { status: 200, body: 'ok' },
  teams: { status: 202, body: '' },
  discord: { status: 204, body: '' },
  googlechat: {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '{"name":"spaces/AAAA/messages/BBBB.CCCC"}',
  },
  pagerduty: {
    status: 202,
    headers: { 'Content-Type': 'application/json' },
    body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
  },
  webhook: { status: 200, body: '' },
};

interface ChannelSpec {
  type: ChannelType;
  minSeverity: Severity;
}

/** One channel of each type, plus a pager that only takes `critical`. */
const CHANNELS: Record<string, ChannelSpec> = {
  slack: { type: 'slack', minSeverity: 'warning' },
  teams: { type: 'teams', minSeverity: 'info' },
  discord: { type: 'discord', minSeverity: 'warning' },
  googlechat: { type: 'googlechat', minSeverity: 'info' },
  mattermost: { type: 'mattermost', minSeverity: 'warning' },
  pager: { type: 'pagerduty', minSeverity: 'warning' },
  audit: { type: 'webhook', minSeverity: 'info' },
  'pager-critical': { type: 'pagerduty', minSeverity: 'critical' },
};

const TITLE = {
  decision: `${SERVICE}: first decision, serving a`,
  failover: `${SERVICE}: failover a -> b`,
  failback: `${SERVICE}: failback b -> a`,
};
/** Headlines (emoji + title) by severity style: warning orange, informational blue, recovery green. */
const HEADLINE = {
  decision: `🔵 ${TITLE.decision}`,
  failover: `🟠 ${TITLE.failover}`,
  failback: `🟢 ${TITLE.failback}`,
};
const COLOUR = {
  decision: { hex: '#2e86ab', rgb: 0x2e86ab, teams: 'Accent' },
  failover: { hex: '#f18f01', rgb: 0xf18f01, teams: 'Warning' },
  failback: { hex: '#2ba84a', rgb: 0x2ba84a, teams: 'Good' },
};

const fixture = testRedis('every-channel');
const { redis, keys, prefix } = fixture;
const probe = new ProbeSide(redis, keys);
const driver = evaluatorDriver(redis, keys);
const queues = jobQueues(redis, prefix);
const logger = memoryLogger();
const receivers = new Map<string, WebhookReceiver>();
let pagerReceiver: WebhookReceiver;
let evaluator: Evaluator | undefined;

function envName(channel: string, what: string): string {
  return `QDNS_EVERY_${channel.toUpperCase().replace(/-/g, '_')}_${what}`;
}

function channelConfig(name: string, spec: ChannelSpec): NotificationChannel {
  const channel: NotificationChannel = { name, type: spec.type, timeout: 5000 };
  if (spec.type === 'pagerduty') {
    // No URL: the formatter addresses PagerDuty's Events API itself; formatterUrlOverride redirects it here.
    channel.routingKey = { kind: 'env', name: envName(name, 'ROUTING_KEY') };
  } else {
    channel.url = { kind: 'env', name: envName(name, 'URL') };
  }
  if (spec.type === 'webhook') channel.secret = { kind: 'env', name: envName(name, 'SECRET') };
  return channel;
}

function shopService(): Service {
  const base = testService(SERVICE);
  const routes: NotificationRoute[] = Object.entries(CHANNELS).map(([channel, spec]) => ({
    channel,
    minSeverity: spec.minSeverity,
    quietPeriod: 0,
    maxReminders: 3,
  }));
  return {
    ...base,
    pools: base.pools.map((pool) => ({
      ...pool,
      endpoints: pool.endpoints.map((e) => ({
        ...e,
        target: { kind: 'address', address: ADDRESSES[e.id] ?? '192.0.2.1' },
      })),
    })),
    notify: routes,
  };
}

function bodies<T>(channel: string): T[] {
  return requestsOf(channel).map((request) => JSON.parse(request.body) as T);
}

function requestsOf(channel: string): ReceivedRequest[] {
  if (CHANNELS[channel]?.type === 'pagerduty') {
    const key = channel === 'pager' ? ROUTING_KEY : CRITICAL_ROUTING_KEY;
    return pagerReceiver.requests.filter(
      (r) => (JSON.parse(r.body) as { routing_key?: string }).routing_key === key,
    );
  }
  return receivers.get(channel)?.requests ?? [];
}

/** Every notify job of the prefix has finished (none waiting, delayed, retrying or running). */
async function notifyQueueIdle(): Promise<boolean> {
  const counts = await queues.notify.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
  return Object.values(counts).every((count) => count === 0);
}

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, spec] of Object.entries(CHANNELS)) {
    if (spec.type === 'pagerduty') {
      env[envName(name, 'ROUTING_KEY')] = name === 'pager' ? ROUTING_KEY : CRITICAL_ROUTING_KEY;
      continue;
    }
    const receiver = await startWebhookReceiver();
    receiver.setDefault(PLATFORM_ANSWER[spec.type]);
    receivers.set(name, receiver);
    env[envName(name, 'URL')] = `${receiver.url}/${name}${SECRET_PATH}`;
    if (spec.type === 'webhook') env[envName(name, 'SECRET')] = SIGNING_SECRET;
  }
  pagerReceiver = await startWebhookReceiver();
  pagerReceiver.setDefault(PLATFORM_ANSWER.pagerduty);

  const base = testConfig(prefix, [shopService()]);
  const config: Config = {
    ...base,
    deployment: { ...base.deployment, statusPageUrl: STATUS_PAGE },
    notifications: Object.fromEntries(
      Object.entries(CHANNELS).map(([name, spec]) => [name, channelConfig(name, spec)]),
    ),
  };
  // Opinions and heartbeats exist before the first evaluation: its decision is "a serves", not a guess.
  await probe.allUp(SERVICE);
  probe.startBeating();
  await probe.beat();
  evaluator = await Evaluator.start({
    config,
    redisUrl: REDIS_URL,
    id: 'every-channel',
    tickMs: 250,
    registry: new Registry(),
    logger,
    notify: {
      env,
      formatterUrlOverride: pagerReceiver.url,
      leaseRetryMs: 100,
      ownerPollMs: 250,
    },
  });
});

afterAll(async () => {
  probe.stop();
  await evaluator?.close();
  await driver.close();
  await queues.close();
  await Promise.all([...receivers.values(), pagerReceiver].map((receiver) => receiver?.close()));
  await fixture.dispose();
});

test('an outage and a recovery through the evaluator: the expected messages on every channel type', async () => {
  await driver.flip(SERVICE);
  await driver.waitForGeneration(SERVICE, 1);

  // Outage: every probe region sees both endpoints of pool a down.
  await probe.setOpinions(SERVICE, POOL_A, ['r1', 'r2', 'r3'], 'down');
  await driver.flip(SERVICE);
  const failedOver = await driver.waitForGeneration(SERVICE, 2);
  expect(failedOver.state.decision.pools.filter((p) => p.weight > 0).map((p) => p.pool)).toEqual(['b']);

  // Recovery: pool a comes back up; it gets traffic back after failbackAfter (2 s) of health.
  await probe.setOpinions(SERVICE, POOL_A, ['r1', 'r2', 'r3'], 'up');
  await driver.flip(SERVICE);
  const failedBack = await driver.waitForGeneration(SERVICE, 3);
  expect(failedBack.state.decision.pools.filter((p) => p.weight > 0).map((p) => p.pool)).toEqual(['a']);

  const expectedCount: Record<string, number> = {
    slack: 2,
    teams: 3,
    discord: 2,
    googlechat: 3,
    mattermost: 2,
    pager: 2,
    audit: 3,
    'pager-critical': 0,
  };
  await waitFor(
    () => Object.entries(expectedCount).every(([channel, count]) => requestsOf(channel).length >= count),
    {
      what: 'the failback on every channel',
      timeoutMs: 20_000,
    },
  );
  await waitFor(notifyQueueIdle, { what: 'the notify queue to settle', timeoutMs: 20_000 });
  expect(await queues.notify.getJobCountByTypes('failed')).toBe(0);
  for (const [channel, count] of Object.entries(expectedCount)) {
    expect({ channel, requests: requestsOf(channel).length }).toEqual({ channel, requests: count });
  }

  // Generic webhook (info): version 1 JSON, signed over timestamp and body, one message per decision.
  const audit = receivers.get('audit')?.requests ?? [];
  for (const request of audit) {
    expect(request.headers['content-type']).toBe('application/json');
    const verified = verifyWebhook({
      secret: SIGNING_SECRET,
      header: String(request.headers['x-quorumdns-signature']),
      timestamp: String(request.headers['x-quorumdns-timestamp']),
      body: request.body,
      now: request.at,
    });
    expect(verified).toEqual({ ok: true });
  }
  const auditBodies = bodies<WebhookBody>('audit');
  expect(auditBodies.map((b) => [b.version, b.type, b.kind, b.severity, b.generation, b.title])).toEqual([
    [1, 'quorumdns.notification', 'decision', 'info', 1, TITLE.decision],
    [1, 'quorumdns.notification', 'failover', 'warning', 2, TITLE.failover],
    [1, 'quorumdns.notification', 'failback', 'info', 3, TITLE.failback],
  ]);
  expect(audit.map((r) => r.headers['x-quorumdns-notification-id'])).toEqual(auditBodies.map((b) => b.id));
  const [, failover, failback] = auditBodies;
  expect(failover?.pools).toEqual([expect.objectContaining({ pool: 'a', change: 'drained' })]);
  expect(failover?.dnsChanges).toEqual([
    { target: 'route53-main/Z123', before: [ANSWER_A], after: [ANSWER_B], state: 'planned' },
  ]);
  expect(failover?.votes.map((v) => v.region).sort()).toEqual(['r1', 'r2', 'r3']);
  expect(failover?.incident).toEqual({
    action: 'trigger',
    dedupKey: poolIncidentKey(DEPLOYMENT, SERVICE, 'a'),
  });
  expect(failback?.pools).toEqual([expect.objectContaining({ pool: 'a', change: 'restored' })]);
  expect(failback?.dnsChanges).toEqual([
    { target: 'route53-main/Z123', before: [ANSWER_B], after: [ANSWER_A], state: 'planned' },
  ]);
  expect(failback?.incident).toEqual({
    action: 'resolve',
    dedupKey: poolIncidentKey(DEPLOYMENT, SERVICE, 'a'),
  });

  // Slack (warning): Block Kit, a header naming the service and the pools, the DNS change in a code block.
  interface SlackBody {
    text: string;
    blocks: Array<{
      type: string;
      text?: { type: string; text: string };
      elements?: Array<{ text: string }>;
    }>;
  }
  const slack = bodies<SlackBody>('slack');
  expect(slack.map((b) => b.blocks[0])).toEqual([
    { type: 'header', text: { type: 'plain_text', text: HEADLINE.failover, emoji: true } },
    { type: 'header', text: { type: 'plain_text', text: HEADLINE.failback, emoji: true } },
  ]);
  const slackSections = (body: SlackBody | undefined): string =>
    (body?.blocks ?? []).map((block) => block.text?.text ?? '').join('\n');
  expect(slackSections(slack[0])).toContain(`- ${ANSWER_A}\n+ ${ANSWER_B}`);
  expect(slackSections(slack[1])).toContain(`- ${ANSWER_B}\n+ ${ANSWER_A}`);
  expect(slack[0]?.text).toContain('failover a -&gt; b');
  expect(slack[0]?.blocks.at(-1)?.elements?.map((e) => e.text)).toContain(`<${STATUS_PAGE}|Status page>`);

  // Mattermost (warning): Slack's legacy attachments, coloured by severity.
  interface MattermostBody {
    text: string;
    attachments: Array<{ color: string; text: string; fields: Array<{ title: string; value: string }> }>;
  }
  const mattermost = bodies<MattermostBody>('mattermost');
  expect(mattermost.map((b) => [b.text, b.attachments.length, b.attachments[0]?.color])).toEqual([
    [HEADLINE.failover, 1, COLOUR.failover.hex],
    [HEADLINE.failback, 1, COLOUR.failback.hex],
  ]);
  expect(mattermost[0]?.attachments[0]?.fields).toContainEqual({
    short: true,
    title: 'Service',
    value: SERVICE,
  });
  expect(mattermost[1]?.attachments[0]?.text).toContain(`- ${ANSWER_B}\n+ ${ANSWER_A}`);

  // Discord (warning): one embed, its colour the severity's, no mention can ping anyone.
  interface DiscordBody {
    embeds: Array<{ title: string; color: number; url?: string; description: string }>;
    allowed_mentions: { parse: string[] };
  }
  const discord = bodies<DiscordBody>('discord');
  expect(discord.map((b) => [b.embeds.length, b.embeds[0]?.title, b.embeds[0]?.color])).toEqual([
    [1, HEADLINE.failover, COLOUR.failover.rgb],
    [1, HEADLINE.failback, COLOUR.failback.rgb],
  ]);
  expect(discord.map((b) => b.allowed_mentions)).toEqual([{ parse: [] }, { parse: [] }]);
  expect(discord[0]?.embeds[0]?.url).toBe(STATUS_PAGE);
  expect(discord[0]?.embeds[0]?.description).toContain(
    `\`\`\`diff\nroute53-main/Z123 · planned\n- ${ANSWER_A}`,
  );

  // Teams (info): a message with one Adaptive Card 1.4 attachment, headline coloured by severity.
  interface TeamsBody {
    type: string;
    attachments: Array<{
      contentType: string;
      content: {
        type: string;
        version: string;
        body: Array<{ type: string; text?: string; color?: string }>;
        actions?: Array<{ url: string }>;
      };
    }>;
  }
  const teams = bodies<TeamsBody>('teams');
  expect(
    teams.map((b) => {
      const card = b.attachments[0];
      return [b.type, b.attachments.length, card?.contentType, card?.content.type, card?.content.version];
    }),
  ).toEqual(Array(3).fill(['message', 1, 'application/vnd.microsoft.card.adaptive', 'AdaptiveCard', '1.4']));
  expect(teams.map((b) => b.attachments[0]?.content.body[0])).toEqual([
    expect.objectContaining({ type: 'TextBlock', text: HEADLINE.decision, color: COLOUR.decision.teams }),
    expect.objectContaining({ type: 'TextBlock', text: HEADLINE.failover, color: COLOUR.failover.teams }),
    expect.objectContaining({ type: 'TextBlock', text: HEADLINE.failback, color: COLOUR.failback.teams }),
  ]);
  expect(teams[1]?.attachments[0]?.content.actions).toEqual([
    { type: 'Action.OpenUrl', title: 'Status page', url: STATUS_PAGE },
  ]);

  // Google Chat (info): cardsV2, the headline as text (notifications) and as the card's header.
  interface ChatBody {
    text: string;
    cardsV2: Array<{
      cardId: string;
      card: { header: { title: string; subtitle: string }; sections: Array<{ header?: string }> };
    }>;
  }
  const chat = bodies<ChatBody>('googlechat');
  expect(chat.map((b) => [b.text, b.cardsV2.length, b.cardsV2[0]?.card.header])).toEqual([
    [HEADLINE.decision, 1, { title: HEADLINE.decision, subtitle: `${DEPLOYMENT} · generation 1 · info` }],
    [HEADLINE.failover, 1, { title: HEADLINE.failover, subtitle: `${DEPLOYMENT} · generation 2 · warning` }],
    [HEADLINE.failback, 1, { title: HEADLINE.failback, subtitle: `${DEPLOYMENT} · generation 3 · info` }],
  ]);
  expect(chat[1]?.cardsV2[0]?.card.sections.map((s) => s.header)).toEqual(
    expect.arrayContaining(['Facts', 'DNS', 'Pools', 'Probe regions']),
  );

  // PagerDuty (warning): trigger with the pool's dedup_key, then resolve with the SAME key, at /v2/enqueue.
  const pages = requestsOf('pager');
  expect(pages.map((r) => r.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
  const [trigger, resolve] = bodies<PagerDutyBody>('pager');
  const dedupKey = poolIncidentKey(DEPLOYMENT, SERVICE, 'a');
  expect(trigger).toMatchObject({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: TITLE.failover,
      source: `quorumdns/${DEPLOYMENT}/${SERVICE}`,
      severity: 'warning',
      component: 'a',
      group: SERVICE,
      class: 'failover',
    },
    links: [{ href: STATUS_PAGE, text: 'Status page' }],
  });
  expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: dedupKey });
  // The critical-only pager was never paged, so it has nothing to resolve: no job was even queued for it.
  expect(pagerReceiver.requests).toHaveLength(2);
  const criticalJobs = (await queues.notify.getJobs(['completed', 'failed'])).filter(
    (job) => (job.data as { channel?: string }).channel === 'pager-critical',
  );
  expect(criticalJobs).toEqual([]);

  // The URLs and keys are secrets: no log line carries them.
  const logs = logger.entries.map((entry) => JSON.stringify(entry)).join('\n');
  expect(logs).toContain('notification delivered');
  for (const secret of ['xoxEveryChannelToken77', 'T0EVERYCHAN', ROUTING_KEY, SIGNING_SECRET]) {
    expect(logs).not.toContain(secret);
  }
});

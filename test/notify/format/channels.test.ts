import type { ChannelType } from '../../../src/config/types';
import { buildNotification } from '../../../src/notify/build-notification';
import type { ChannelSecrets } from '../../../src/notify/channel-formatter';
import { formatterFor, MissingSecretError } from '../../../src/notify/channels';
import { DISCORD_LIMITS, type DiscordPayload, embedCharacters } from '../../../src/notify/channels/discord';
import { GOOGLE_CHAT_LIMITS, type GoogleChatPayload } from '../../../src/notify/channels/googlechat';
import {
  attachmentCharacters,
  MATTERMOST_LIMITS,
  type MattermostPayload,
} from '../../../src/notify/channels/mattermost';
import { PAGERDUTY_LIMITS } from '../../../src/notify/channels/pagerduty';
import { SLACK_LIMITS, type SlackPayload } from '../../../src/notify/channels/slack';
import { TEAMS_LIMITS, type TeamsPayload } from '../../../src/notify/channels/teams';
import { WEBHOOK_LIMITS } from '../../../src/notify/channels/webhook';
import type { Notification } from '../../../src/notify/notification';
import { utf8Length } from '../../../src/notify/truncate';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../../src/notify/webhook-signature';
import { EventRecorder, outage, serviceOf, SLACK_URL, STATUS_PAGE, testConfig } from './fixtures';

const config = testConfig();
const NOW = Date.UTC(2026, 0, 1, 0, 5);
const ROUTING_KEY = 'R0UTINGKEY0123456789abcdef012345';
const SIGNING_SECRET = 'hmac-s3cret-value';
/** What delivery resolves for each type: chat URLs are credentials; PagerDuty's `url` is only an API base override. */
function secretsFor(type: ChannelType): ChannelSecrets {
  if (type === 'pagerduty') return { routingKey: ROUTING_KEY };
  if (type === 'webhook')
    return { url: 'https://hooks.internal.example/qdns', signingSecret: SIGNING_SECRET };
  return { url: SLACK_URL };
}
const TYPES: ChannelType[] = [
  'slack',
  'teams',
  'discord',
  'googlechat',
  'mattermost',
  'pagerduty',
  'webhook',
];

function failoverNotification(): Notification {
  const { recorder, failover } = outage(config);
  const n = buildNotification({ config, service: 'api', events: failover, record: recorder.record! });
  if (n === undefined) throw new Error('no notification');
  return n;
}

function failOpenNotification(): Notification {
  const { recorder } = outage(config);
  const events = recorder.step(recorder.down(['aws-use1', 'gcp-euw1']));
  return buildNotification({ config, service: 'api', events, record: recorder.record! })!;
}

function failbackNotification(): Notification {
  const { recorder } = outage(config);
  recorder.step(recorder.allUp());
  const events = recorder.step(recorder.allUp(), { at: recorder.scenario.now + 70_000 });
  return buildNotification({ config, service: 'api', events, record: recorder.record! })!;
}

function drillNotification(): Notification {
  const recorder = new EventRecorder(serviceOf(config, 'api'));
  recorder.step(recorder.allUp());
  const events = recorder.step(recorder.down(['aws-use1']), { drill: true });
  return buildNotification({ config, service: 'api', events, record: recorder.record! })!;
}

/** Every long part far beyond any platform's limit: 50,000 characters of explanation, hundreds of rows. */
function hugeNotification(): Notification {
  const n = failoverNotification();
  const line = 'x'.repeat(50_000);
  return {
    ...n,
    title: `${n.title} ${'t'.repeat(2000)}`,
    summary: `${n.summary} ${'s'.repeat(20_000)}`,
    explanation: [line, ...Array.from({ length: 2000 }, (_, i) => `line ${i} ${'y'.repeat(20)}`)],
    pools: Array.from({ length: 300 }, (_, i) => ({
      pool: `pool-${i}`,
      change: 'drained' as const,
      reason: 'r'.repeat(500),
    })),
    votes: Array.from({ length: 150 }, (_, i) => ({
      region: `region-${i}`,
      says: `down: ${'e'.repeat(400)}`,
    })),
    dnsChanges: Array.from({ length: 40 }, (_, i) => ({
      target: `route53 aws-${i}/Z${i}`,
      before: Array.from({ length: 20 }, () => `api.example.com A ${'192.0.2.1, '.repeat(30)}`),
      after: Array.from({ length: 20 }, () => `api.example.com A ${'198.51.100.1, '.repeat(30)}`),
      state: 'planned' as const,
    })),
  };
}

function format(type: ChannelType, n: Notification, secrets: ChannelSecrets = secretsFor(type)) {
  const request = formatterFor(type).format(n, secrets, NOW);
  return { request, json: JSON.parse(request.body) as unknown };
}

describe('every formatter', () => {
  it.each(TYPES)('%s: JSON body, JSON content type, no webhook URL or signing secret inside', (type) => {
    const { request } = format(type, failoverNotification());
    expect(request.headers['Content-Type']).toMatch(/^application\/json/);
    expect(() => JSON.parse(request.body) as unknown).not.toThrow();
    const everything = JSON.stringify(request);
    expect(everything).not.toContain('XXXXSECRETXXXX');
    expect(everything).not.toContain(SIGNING_SECRET);
    if (type !== 'pagerduty') expect(everything).not.toContain(ROUTING_KEY);
  });

  it.each(TYPES)(
    '%s: a 50,000-character explanation is cut, not rejected, and the payload fits its limits',
    (type) => {
      const n = hugeNotification();
      const { request, json } = format(type, n);
      const body = request.body;
      expect(body).not.toContain('x'.repeat(50_000));
      expect(body).toContain('…');
      switch (type) {
        case 'slack': {
          const payload = json as SlackPayload;
          expect(payload.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
          expect(JSON.stringify(payload.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.blocksJson);
          expect(payload.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
          for (const block of payload.blocks) {
            if (block.type === 'header')
              expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
            if (block.type === 'section' && 'text' in block)
              expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
            if (block.type === 'section' && 'fields' in block) {
              expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
              for (const field of block.fields)
                expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
            }
          }
          break;
        }
        case 'discord': {
          const [embed] = (json as DiscordPayload).embeds;
          expect(embed!.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
          expect(embed!.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
          expect(embed!.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
          for (const field of embed!.fields) {
            expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
            expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
            expect(field.value.length).toBeGreaterThan(0);
          }
          expect(embedCharacters(embed!)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
          break;
        }
        case 'teams':
          expect(utf8Length(body)).toBeLessThanOrEqual(TEAMS_LIMITS.bodyBytes);
          expect((json as TeamsPayload).attachments[0]!.content.body.length).toBeGreaterThan(3);
          break;
        case 'googlechat': {
          const payload = json as GoogleChatPayload;
          expect(utf8Length(body)).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.messageBytes);
          expect(payload.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.text);
          const widgets = payload.cardsV2[0]!.card.sections.reduce((sum, s) => sum + s.widgets.length, 0);
          expect(widgets).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.widgets);
          break;
        }
        case 'mattermost': {
          const payload = json as MattermostPayload;
          expect(payload.text.length).toBeLessThanOrEqual(MATTERMOST_LIMITS.text);
          expect(attachmentCharacters(payload.attachments[0]!)).toBeLessThanOrEqual(
            MATTERMOST_LIMITS.attachmentCharacters,
          );
          break;
        }
        case 'pagerduty': {
          const payload = json as { payload: { summary: string } };
          expect(utf8Length(body)).toBeLessThanOrEqual(PAGERDUTY_LIMITS.payloadBytes);
          expect(payload.payload.summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
          break;
        }
        case 'webhook': {
          const payload = json as Notification;
          expect(utf8Length(body)).toBeLessThanOrEqual(WEBHOOK_LIMITS.bodyBytes);
          expect(payload.version).toBe(1);
          expect(payload.explanation.join('\n')).toContain('…');
          break;
        }
      }
    },
  );

  it.each(TYPES)('%s: a drill is tagged [DRILL] in its headline', (type) => {
    const n = drillNotification();
    const { json } = format(type, n);
    const headlineOf: Record<ChannelType, (payload: never) => string> = {
      slack: (p: SlackPayload) => (p.blocks[0]!.type === 'header' ? p.blocks[0]!.text.text : ''),
      discord: (p: DiscordPayload) => p.embeds[0]!.title,
      teams: (p: TeamsPayload) => {
        const first = p.attachments[0]!.content.body[0]!;
        return first.type === 'TextBlock' ? first.text : '';
      },
      googlechat: (p: GoogleChatPayload) => `${p.text} | ${p.cardsV2[0]!.card.header.title}`,
      mattermost: (p: MattermostPayload) => p.text,
      pagerduty: (p: { payload: { summary: string } }) => p.payload.summary,
      webhook: (p: Notification) => (p.drill ? p.title : ''),
    };
    expect(headlineOf[type](json as never)).toContain('[DRILL] api: failover aws-use1 -> gcp-euw1');
  });
});

describe('severity colours and emoji', () => {
  it('critical is red, warning orange, an informational recovery green, on every colourful platform', () => {
    const cases: Array<[Notification, string, number, string]> = [
      [failOpenNotification(), '🔴', 0xd7263d, 'Attention'],
      [failoverNotification(), '🟠', 0xf18f01, 'Warning'],
      [failbackNotification(), '🟢', 0x2ba84a, 'Good'],
    ];
    for (const [n, emoji, rgb, teamsColor] of cases) {
      const slack = format('slack', n).json as SlackPayload;
      expect(slack.blocks[0]!.type === 'header' && slack.blocks[0]!.text.text.startsWith(emoji)).toBe(true);
      expect((format('discord', n).json as DiscordPayload).embeds[0]!.color).toBe(rgb);
      expect((format('teams', n).json as TeamsPayload).attachments[0]!.content.body[0]).toMatchObject({
        color: teamsColor,
      });
      expect((format('mattermost', n).json as MattermostPayload).attachments[0]!.color).toBe(
        `#${rgb.toString(16).padStart(6, '0')}`,
      );
      expect(
        (format('googlechat', n).json as GoogleChatPayload).cardsV2[0]!.card.header.title.startsWith(emoji),
      ).toBe(true);
    }
  });
});

describe('slack', () => {
  it('has a header, summary, facts, DNS, pools, votes, explanation and context, plus a fallback text', () => {
    const payload = format('slack', failoverNotification()).json as SlackPayload;
    expect(payload.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
    const text = JSON.stringify(payload.blocks);
    expect(text).toContain('route53 aws-main/Z0123456789ABC · planned');
    expect(text).toContain('+ api.example.com A 198.51.100.20, 198.51.100.21');
    expect(text).toContain('us-east-1: down: use1-a, use1-b');
    expect(text).toContain(`<${STATUS_PAGE}|Status page>`);
    expect(payload.text).toContain('api: failover aws-use1 -&gt; gcp-euw1');
  });

  it('escapes control characters so event text cannot mention @channel or forge links', () => {
    const n = { ...failoverNotification(), summary: 'evil <!channel> & <https://x.test|click>' };
    const payload = format('slack', n).json as SlackPayload;
    expect(JSON.stringify(payload)).not.toContain('<!channel>');
    expect(JSON.stringify(payload)).toContain('&lt;!channel&gt; &amp;');
  });

  it('accepts ok, reports anything else without leaking the URL', () => {
    const check = formatterFor('slack').checkResponse!;
    expect(check(200, 'ok')).toBeUndefined();
    expect(check(200, '{"ok":true}')).toBeUndefined();
    const message = check(200, `invalid_blocks at ${SLACK_URL}`);
    expect(message).toContain('invalid_blocks');
    expect(message).not.toContain('XXXXSECRETXXXX');
  });
});

describe('discord', () => {
  it('one embed with colour, timestamp, footer and status link; mentions disabled', () => {
    const payload = format('discord', failoverNotification()).json as DiscordPayload;
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    const embed = payload.embeds[0]!;
    expect(embed.url).toBe(STATUS_PAGE);
    expect(embed.timestamp).toBe(new Date(failoverNotification().at).toISOString());
    expect(embed.description).toContain('```diff');
    expect(embed.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['Service', 'Severity', 'Generation', 'Pools', 'Probe regions']),
    );
    expect(embed.footer.text).toContain('generation 2');
  });
});

describe('teams', () => {
  it('is a message with one Adaptive Card attachment of the documented shape', () => {
    const payload = format('teams', failoverNotification()).json as TeamsPayload;
    expect(payload.type).toBe('message');
    expect(payload.attachments).toHaveLength(1);
    const attachment = payload.attachments[0]!;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(attachment.content.$schema).toContain('adaptivecards.io');
    expect(attachment.content.body.map((e) => e.type)).toContain('FactSet');
    expect(attachment.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Status page', url: STATUS_PAGE },
    ]);
  });

  it('reports a connector-style failure hidden in a 200 answer', () => {
    const check = formatterFor('teams').checkResponse!;
    expect(check(202, '')).toBeUndefined();
    expect(
      check(
        200,
        'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413',
      ),
    ).toContain('413');
  });
});

describe('google chat', () => {
  it('cardsV2 with a header, sections of widgets and a fallback text; card text is HTML-escaped', () => {
    const n = { ...failoverNotification(), summary: 'a <b>bold</b> claim & more' };
    const payload = format('googlechat', n).json as GoogleChatPayload;
    const card = payload.cardsV2[0]!;
    expect(card.cardId).toMatch(/^quorumdns-/);
    expect(card.card.header.subtitle).toBe('acme-prod · generation 2 · warning');
    expect(card.card.sections.map((s) => s.header)).toEqual(
      expect.arrayContaining(['Facts', 'DNS', 'Pools', 'Probe regions', 'Explanation']),
    );
    expect(JSON.stringify(card)).toContain('a &lt;b&gt;bold&lt;/b&gt; claim &amp; more');
    expect(payload.text).toBe('🟠 api: failover aws-use1 -> gcp-euw1');
  });
});

describe('mattermost', () => {
  it('a Slack-compatible attachment payload (no Block Kit) with @channel defused', () => {
    const n = { ...failoverNotification(), summary: 'ping @channel and @here now' };
    const payload = format('mattermost', n).json as MattermostPayload;
    expect(payload).not.toHaveProperty('blocks');
    const attachment = payload.attachments[0]!;
    expect(attachment.color).toBe('#f18f01');
    expect(attachment.fields.map((f) => f.title)).toEqual(
      expect.arrayContaining(['Service', 'Pools', 'Probe regions']),
    );
    expect(attachment.text).not.toMatch(/@channel|@here/);
    expect(attachment.text).toContain(`[Status page](${STATUS_PAGE})`);
    expect(formatterFor('mattermost').checkResponse!(200, 'ok')).toBeUndefined();
  });
});

describe('pagerduty', () => {
  it('triggers a failover with a stable dedup key, at the Events API v2 endpoint', () => {
    const n = failoverNotification();
    const { request, json } = format('pagerduty', n);
    expect(request.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(json).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'quorumdns/acme-prod/api/pool/aws-use1',
      payload: {
        summary: 'api: failover aws-use1 -> gcp-euw1',
        source: 'quorumdns/acme-prod/api',
        severity: 'warning',
        component: 'aws-use1',
        group: 'api',
        class: 'failover',
      },
      links: [{ href: STATUS_PAGE, text: 'Status page' }],
    });
    expect(format('pagerduty', failoverNotification()).json).toMatchObject({
      dedup_key: (json as { dedup_key: string }).dedup_key,
    });
  });

  it('resolves on failback with the same key, and fail-open is critical', () => {
    expect(format('pagerduty', failbackNotification()).json).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'quorumdns/acme-prod/api/pool/aws-use1',
    });
    expect(format('pagerduty', failOpenNotification()).json).toMatchObject({
      event_action: 'trigger',
      dedup_key: 'quorumdns/acme-prod/api/fail-open',
      payload: { severity: 'critical' },
    });
  });

  it('drills and informational messages go as change events that page nobody', () => {
    const { request, json } = format('pagerduty', drillNotification());
    expect(request.url).toBe('https://events.pagerduty.com/v2/change/enqueue');
    expect(json).not.toHaveProperty('event_action');
    expect(json).not.toHaveProperty('dedup_key');
    expect((json as { payload: { summary: string } }).payload.summary).toMatch(/^\[DRILL\]/);
  });

  it('uses the channel URL as the Events API base (EU region, local receivers)', () => {
    const { request } = format('pagerduty', failoverNotification(), {
      routingKey: ROUTING_KEY,
      url: 'http://127.0.0.1:4567/',
    });
    expect(request.url).toBe('http://127.0.0.1:4567/v2/enqueue');
    const eu = format('pagerduty', drillNotification(), {
      routingKey: ROUTING_KEY,
      url: 'https://events.eu.pagerduty.com/v2/enqueue',
    });
    expect(eu.request.url).toBe('https://events.eu.pagerduty.com/v2/change/enqueue');
  });

  it('refuses to format without a routing key, with a typed error naming the setting', () => {
    expect(() => formatterFor('pagerduty').format(failoverNotification(), {}, NOW)).toThrow(
      MissingSecretError,
    );
    try {
      formatterFor('pagerduty').format(failoverNotification(), {}, NOW);
    } catch (error) {
      expect((error as MissingSecretError).code).toBe('ENOTIFY_SECRET');
      expect((error as Error).message).toContain('routingKey');
    }
  });

  it('reads the Events API answer', () => {
    const check = formatterFor('pagerduty').checkResponse!;
    expect(check(202, '{"status":"success","message":"Event processed","dedup_key":"k"}')).toBeUndefined();
    expect(
      check(
        202,
        '{"status":"invalid event","message":"Event object is invalid","errors":["Length of summary is too long"]}',
      ),
    ).toContain('Length of summary is too long');
  });
});

describe('generic webhook', () => {
  it('sends the notification itself (version 1) and signs the exact body', () => {
    const n = failoverNotification();
    const { request, json } = format('webhook', n);
    expect(json).toEqual({ type: 'quorumdns.notification', ...n });
    expect(request.headers['X-Quorumdns-Notification-Id']).toBe(n.id);
    const verdict = verifyWebhook({
      secret: SIGNING_SECRET,
      header: request.headers[SIGNATURE_HEADER]!,
      timestamp: request.headers[TIMESTAMP_HEADER]!,
      body: request.body,
      now: NOW + 1000,
    });
    expect(verdict).toEqual({ ok: true });
    expect(request.headers[TIMESTAMP_HEADER]).toBe(String(NOW));
  });

  it('sends no signature headers when the channel has no secret', () => {
    const { request } = format('webhook', failoverNotification(), {});
    expect(request.headers).not.toHaveProperty(SIGNATURE_HEADER);
    expect(request.headers).not.toHaveProperty(TIMESTAMP_HEADER);
  });
});

/**
 * Microsoft Teams through a Workflows (Power Automate) webhook, "Post to a channel when a webhook request is
 * received": a `message` whose one attachment is an Adaptive Card 1.4 (the version Teams renders everywhere).
 * The card holds the headline (coloured by severity), the summary, a FactSet of facts, the DNS changes,
 * FactSets of pools and votes, the explanation as small monospace lines, a footer, and a status page button.
 *
 * Teams refuses messages above about 28 KB ("Request Entity too large"): the whole body is kept under 26,000
 * bytes. Text goes one line per TextBlock because Teams' markdown joins single newlines and turns lines that
 * start with `- ` into bullets.
 */
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { limitItems, truncate, truncateLines, utf8Length } from '../truncate';
import { fitPayload, type SectionLimits } from './fit-payload';
import {
  dnsChangeHeading,
  dnsChangeLines,
  factsOf,
  footerLine,
  headline,
  isHttpUrl,
  styleOf,
} from './notification-text';

export const TEAMS_LIMITS = {
  /** Documented ~28 KB per message; the margin covers the envelope Power Automate adds. */
  bodyBytes: 26_000,
  /** Rows of a FactSet (pools, regions) before the rest is counted. */
  facts: 25,
} as const;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type CardElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap: boolean;
      size?: 'Small' | 'Default' | 'Medium' | 'Large';
      weight?: 'Bolder';
      color?: 'Attention' | 'Warning' | 'Good' | 'Accent';
      fontType?: 'Monospace';
      isSubtle?: boolean;
      spacing?: 'None' | 'Small' | 'Medium';
      style?: 'heading';
    }
  | { type: 'FactSet'; facts: Array<{ title: string; value: string }> };

export interface TeamsPayload {
  type: 'message';
  attachments: Array<{
    contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
    contentUrl: null;
    content: {
      $schema: string;
      type: 'AdaptiveCard';
      version: '1.4';
      msteams: { width: 'Full' };
      body: CardElement[];
      actions?: Array<{ type: 'Action.OpenUrl'; title: string; url: string }>;
    };
  }>;
}

const CARD_COLOR = { attention: 'Attention', warning: 'Warning', good: 'Good', accent: 'Accent' } as const;

function text(
  value: string,
  options: Partial<Extract<CardElement, { type: 'TextBlock' }>> = {},
): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, ...options };
}

function heading(value: string): CardElement {
  return text(value, { weight: 'Bolder', spacing: 'Medium' });
}

/** Lines as monospace TextBlocks without spacing, cut to `max` characters overall. */
function lineBlocks(lines: string[], max: number): CardElement[] {
  const kept = truncateLines(lines, max);
  return kept === ''
    ? []
    : kept
        .split('\n')
        .map((line) => text(line || ' ', { fontType: 'Monospace', size: 'Small', spacing: 'None' }));
}

/** Facts whose values share `max` characters. */
function factSet(rows: Array<[string, string]>, max: number): CardElement {
  const limited = limitItems(rows, TEAMS_LIMITS.facts, (left): [string, string] => ['…', `${left} more`]);
  const each = Math.max(40, Math.floor(max / Math.max(1, limited.length)));
  return {
    type: 'FactSet',
    facts: limited.map(([title, value]) => ({ title: truncate(title, 80), value: truncate(value, each) })),
  };
}

export function teamsPayload(n: Notification): TeamsPayload {
  const style = styleOf(n);
  const base: SectionLimits = { summary: 3000, dns: 4000, pools: 4000, votes: 3000, explanation: 12_000 };
  const build = (limits: SectionLimits): TeamsPayload => {
    const body: CardElement[] = [
      text(truncate(headline(n), 400), {
        size: 'Large',
        weight: 'Bolder',
        color: CARD_COLOR[style.teamsColor],
        style: 'heading',
      }),
    ];
    if (n.summary !== '') body.push(text(truncate(n.summary, limits.summary)));
    body.push(factSet(factsOf(n), 2000));
    if (n.dnsChanges.length > 0) {
      body.push(heading('DNS'));
      const lines = n.dnsChanges.flatMap((change) => [
        dnsChangeHeading(change),
        ...dnsChangeLines(change, 'plain').map((l) => `  ${l}`),
      ]);
      body.push(...lineBlocks(lines, limits.dns));
    }
    if (n.pools.length > 0) {
      body.push(heading('Pools'));
      body.push(
        factSet(
          n.pools.map((p) => [p.pool, `${p.change}: ${p.reason}`]),
          limits.pools,
        ),
      );
    }
    if (n.votes.length > 0) {
      body.push(heading('Probe regions'));
      body.push(
        factSet(
          n.votes.map((v) => [v.region, v.says]),
          limits.votes,
        ),
      );
    }
    if (n.explanation.length > 0 && limits.explanation > 0) {
      body.push(heading('Explanation'));
      body.push(...lineBlocks(n.explanation, limits.explanation));
    }
    body.push(text(truncate(footerLine(n), 500), { size: 'Small', isSubtle: true, spacing: 'Medium' }));
    const content: TeamsPayload['attachments'][number]['content'] = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      msteams: { width: 'Full' },
      body,
    };
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) {
      content.actions = [{ type: 'Action.OpenUrl', title: 'Status page', url: n.statusPageUrl }];
    }
    return {
      type: 'message',
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content }],
    };
  };
  return fitPayload(base, build, (payload) => utf8Length(JSON.stringify(payload)), TEAMS_LIMITS.bodyBytes);
}

/**
 * Workflows answer 202 with an empty body. The retired Office 365 connectors answered 200 with an error in
 * the body (`Microsoft Teams endpoint returned HTTP error 413`): report that rather than call it delivered.
 */
export function checkTeamsAnswer(status: number, body: string): string | undefined {
  const match = /returned HTTP error (\d{3})|Webhook message delivery failed[^\n]*/i.exec(body);
  if (match === null) return undefined;
  return `Teams answered ${status} but reports a failure: ${truncate(match[0], 200)}`;
}

export const teamsFormatter: ChannelFormatter = {
  type: 'teams',
  format(n: Notification, _secrets: ChannelSecrets, _now: number): FormattedRequest {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(teamsPayload(n)) };
  },
  checkResponse: checkTeamsAnswer,
};

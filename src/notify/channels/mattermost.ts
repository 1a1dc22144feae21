/**
 * Mattermost incoming webhook (https://developers.mattermost.com/integrate/webhooks/incoming/): Slack's
 * legacy payload, not Block Kit. `text` carries the headline (what notifications show); one attachment
 * coloured by severity holds the summary, DNS changes and explanation as Markdown, the facts as short fields,
 * pools and votes as long fields, and the footer.
 *
 * Limits: a post is at most 16,383 characters on Mattermost 5+ (4,000 on older servers, so `text` stays
 * within 4,000); older servers also refuse attachments above 7,900 characters, so the attachment is kept
 * under 7,500. `@channel`, `@all` and `@here` in event text are defused: Mattermost would notify everyone.
 */
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { truncate, truncateLines } from '../truncate';
import { checkOkAnswer } from './check-ok-answer';
import { fitPayload, type SectionLimits } from './fit-payload';
import {
  codeSafe,
  defuseMentions,
  dnsChangeHeading,
  dnsChangeLines,
  factsOf,
  footerLine,
  headline,
  isHttpUrl,
  poolLine,
  styleOf,
  voteLine,
} from './notification-text';

export const MATTERMOST_LIMITS = {
  text: 4000,
  attachmentCharacters: 7500,
} as const;

export interface MattermostAttachment {
  fallback: string;
  color: string;
  text: string;
  fields: Array<{ short: boolean; title: string; value: string }>;
  footer: string;
}

export interface MattermostPayload {
  text: string;
  attachments: MattermostAttachment[];
}

/** Markdown outside code blocks, with mentions defused. */
function markdown(text: string): string {
  return defuseMentions(text.replace(/([\\*_~`])/g, '\\$1'));
}

function cut(text: string, max: number): string {
  return truncate(markdown(text), max).replace(/\\…$/, '…');
}

function code(title: string, lines: string[], max: number, language = ''): string {
  const head = `**${title}**\n\`\`\`${language}\n`;
  const tail = '\n```';
  return head + truncateLines(lines.map(codeSafe), max - head.length - tail.length) + tail;
}

/** What counts against the attachment limit. */
export function attachmentCharacters(attachment: MattermostAttachment): number {
  return (
    attachment.fallback.length +
    attachment.text.length +
    attachment.footer.length +
    attachment.fields.reduce((sum, field) => sum + field.title.length + field.value.length, 0)
  );
}

export function mattermostPayload(n: Notification): MattermostPayload {
  const base: SectionLimits = { summary: 1500, dns: 1500, pools: 1500, votes: 1000, explanation: 3000 };
  const build = (limits: SectionLimits): MattermostPayload => {
    const parts: string[] = [];
    if (n.summary !== '') parts.push(cut(n.summary, limits.summary));
    if (n.dnsChanges.length > 0) {
      const lines = n.dnsChanges.flatMap((change) => [
        dnsChangeHeading(change),
        ...dnsChangeLines(change, 'diff'),
      ]);
      parts.push(code('DNS', lines, limits.dns, 'diff'));
    }
    if (n.explanation.length > 0 && limits.explanation > 0)
      parts.push(code('Explanation', n.explanation, limits.explanation));
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) {
      parts.push(`[Status page](${n.statusPageUrl.replace(/\)/g, '%29')})`);
    }
    const fields = factsOf(n).map(([title, value]) => ({ short: true, title, value: cut(value, 200) }));
    if (n.pools.length > 0) {
      fields.push({
        short: false,
        title: 'Pools',
        value: truncateLines(
          n.pools.map((p) => `- ${markdown(poolLine(p))}`),
          limits.pools,
        ),
      });
    }
    if (n.votes.length > 0) {
      fields.push({
        short: false,
        title: 'Probe regions',
        value: truncateLines(
          n.votes.map((v) => `- ${markdown(voteLine(v))}`),
          limits.votes,
        ),
      });
    }
    return {
      text: cut(headline(n), MATTERMOST_LIMITS.text),
      attachments: [
        {
          fallback: truncate(defuseMentions(`${headline(n)}: ${n.summary}`), 500),
          color: styleOf(n).hex,
          text: parts.join('\n\n'),
          fields,
          footer: truncate(footerLine(n), 300),
        },
      ],
    };
  };
  return fitPayload(
    base,
    build,
    (payload) => payload.attachments.reduce((sum, a) => sum + attachmentCharacters(a), 0),
    MATTERMOST_LIMITS.attachmentCharacters,
  );
}

export const mattermostFormatter: ChannelFormatter = {
  type: 'mattermost',
  format(n: Notification, _secrets: ChannelSecrets, _now: number): FormattedRequest {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(mattermostPayload(n)) };
  },
  checkResponse(status: number, body: string): string | undefined {
    return checkOkAnswer('Mattermost', status, body);
  },
};

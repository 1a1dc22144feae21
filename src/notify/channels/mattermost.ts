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
import { truncate } from '../truncate';
import { checkOkAnswer } from './check-ok-answer';
import { fitPayload, type SectionLimits } from './fit-payload';
import { cutEscaped, descriptionParts, poolAndVoteLists } from './markdown-message';
import { defuseMentions, factsOf, footerLine, headline, isHttpUrl, styleOf } from './notification-text';

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
    const parts = descriptionParts(n, limits, markdown);
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) {
      parts.push(`[Status page](${n.statusPageUrl.replace(/\)/g, '%29')})`);
    }
    const fields = factsOf(n).map(([title, value]) => ({
      short: true,
      title,
      value: cutEscaped(value, 200, markdown),
    }));
    for (const list of poolAndVoteLists(n, limits, '-', markdown)) fields.push({ short: false, ...list });
    return {
      text: cutEscaped(headline(n), MATTERMOST_LIMITS.text, markdown),
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

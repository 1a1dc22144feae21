/**
 * Slack incoming webhook with Block Kit (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
 * a header block, the summary, a fields section with the facts, sections for DNS changes, pools, votes and the
 * explanation (code blocks), a context block, and the top-level `text` as the notification fallback.
 *
 * Documented limits respected: header plain_text 150 characters; section text 3,000; at most 10 fields of
 * 2,000 each; at most 50 blocks. Slack also refuses messages whose blocks carry too much text altogether
 * (`msg_blocks_too_long`, observed at about 13,000 characters), so the blocks are kept under 12,000 characters
 * of JSON.
 */
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { truncate, truncateLines } from '../truncate';
import { checkOkAnswer } from './check-ok-answer';
import { fitPayload, type SectionLimits } from './fit-payload';
import {
  codeSafe,
  dnsDiffLines,
  escapeSlack,
  factsOf,
  footerLine,
  headline,
  isHttpUrl,
  poolLine,
  trimPartialEntity,
  voteLine,
} from './notification-text';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  blocks: 50,
  /** The fallback `text` only feeds notifications and old clients: a short paragraph is enough. */
  fallbackText: 3000,
  /** Below the observed `msg_blocks_too_long` threshold. */
  blocksJson: 12_000,
} as const;

/** Field values are facts, not prose: longer ones are cut well below the 2,000 allowed. */
const FIELD_VALUE = 300;

type TextObject = { type: 'plain_text'; text: string; emoji: boolean } | { type: 'mrkdwn'; text: string };

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text: TextObject }
  | { type: 'section'; fields: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text };
}

/** `*Title*` and a code block holding `lines`, the whole within `max` characters. */
function titledCode(title: string, lines: string[], max: number): string {
  const head = `*${title}*\n\`\`\`\n`;
  const tail = '\n```';
  const body = truncateLines(
    lines.map((line) => escapeSlack(codeSafe(line))),
    max - head.length - tail.length,
  );
  return head + trimPartialEntity(body) + tail;
}

function titledList(title: string, lines: string[], max: number): string {
  const head = `*${title}*\n`;
  return (
    head +
    trimPartialEntity(
      truncateLines(
        lines.map((line) => `• ${escapeSlack(line)}`),
        max - head.length,
      ),
    )
  );
}

/** Escaped for mrkdwn, then cut (cutting first could let the escapes push it past the limit). */
function escapedTruncate(text: string, max: number): string {
  return trimPartialEntity(truncate(escapeSlack(text), max));
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text) };
}

export function slackPayload(n: Notification): SlackPayload {
  const base: SectionLimits = {
    summary: SLACK_LIMITS.sectionText,
    dns: SLACK_LIMITS.sectionText,
    pools: SLACK_LIMITS.sectionText,
    votes: SLACK_LIMITS.sectionText,
    explanation: SLACK_LIMITS.sectionText,
  };
  const build = (limits: SectionLimits): SlackPayload => {
    const blocks: SlackBlock[] = [
      {
        type: 'header',
        text: { type: 'plain_text', text: truncate(headline(n), SLACK_LIMITS.headerText), emoji: true },
      },
    ];
    if (n.summary !== '') blocks.push(section(escapedTruncate(n.summary, limits.summary)));
    blocks.push({
      type: 'section',
      fields: factsOf(n)
        .slice(0, SLACK_LIMITS.fields)
        .map(([label, value]) =>
          mrkdwn(
            truncate(`*${label}*\n${escapeSlack(truncate(value, FIELD_VALUE))}`, SLACK_LIMITS.fieldText),
          ),
        ),
    });
    if (n.dnsChanges.length > 0) {
      blocks.push(section(titledCode('DNS', dnsDiffLines(n.dnsChanges), limits.dns)));
    }
    if (n.pools.length > 0) blocks.push(section(titledList('Pools', n.pools.map(poolLine), limits.pools)));
    if (n.votes.length > 0)
      blocks.push(section(titledList('Probe regions', n.votes.map(voteLine), limits.votes)));
    if (n.explanation.length > 0 && limits.explanation > 0) {
      blocks.push(section(titledCode('Explanation', n.explanation, limits.explanation)));
    }
    const context = [mrkdwn(escapedTruncate(footerLine(n), SLACK_LIMITS.sectionText))];
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) {
      context.push(mrkdwn(`<${slackLinkTarget(n.statusPageUrl)}|Status page>`));
    }
    blocks.push({ type: 'context', elements: context });
    return {
      text: escapedTruncate(`${headline(n)}\n${n.summary}`, SLACK_LIMITS.fallbackText),
      blocks: blocks.slice(0, SLACK_LIMITS.blocks),
    };
  };
  return fitPayload(base, build, (payload) => JSON.stringify(payload.blocks).length, SLACK_LIMITS.blocksJson);
}

/** A URL inside `<url|text>`: `|` and `>` would end it early. */
function slackLinkTarget(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}

export const slackFormatter: ChannelFormatter = {
  type: 'slack',
  format(n: Notification, _secrets: ChannelSecrets, _now: number): FormattedRequest {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(slackPayload(n)) };
  },
  checkResponse(status: number, body: string): string | undefined {
    return checkOkAnswer('Slack', status, body);
  },
};

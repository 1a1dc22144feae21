/**
 * Google Chat incoming webhook with a card (cardsV2, https://developers.google.com/workspace/chat/api/reference/rest/v1/cards):
 * the headline as the card header (deployment, generation and severity as the subtitle), a section per part
 * (summary, facts, DNS, pools, probe regions, a collapsed explanation) and a status page button. The `text`
 * field carries the headline too: it is what Chat shows in notifications.
 *
 * Card text (paragraphs, decorated text) is a small HTML subset, so it is HTML-escaped and lines are joined
 * with `<br>`; the header and labels are plain text and go as they are. Limits:
 * a message is at most 32,000 bytes (kept under 30,000), `text` at most 4,096 characters, a card at most 100
 * widgets (Chat ignores the rest).
 */
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { limitItems, truncate, truncateLines, utf8Length } from '../truncate';
import { fitPayload, type SectionLimits } from './fit-payload';
import {
  dnsChangeHeading,
  dnsChangeLines,
  escapeHtml,
  factsOf,
  footerLine,
  headline,
  isHttpUrl,
  styleOf,
} from './notification-text';

export const GOOGLE_CHAT_LIMITS = {
  text: 4096,
  messageBytes: 30_000,
  widgets: 100,
  /** Rows of one section (pools, regions, DNS targets) before the rest is counted. */
  rows: 20,
} as const;

type Widget =
  | { textParagraph: { text: string } }
  | { decoratedText: { topLabel: string; text: string; wrapText: boolean } }
  | { buttonList: { buttons: Array<{ text: string; onClick: { openLink: { url: string } } }> } };

interface CardSection {
  header?: string;
  collapsible?: boolean;
  uncollapsibleWidgetsCount?: number;
  widgets: Widget[];
}

export interface GoogleChatPayload {
  text: string;
  cardsV2: Array<{
    cardId: string;
    card: { header: { title: string; subtitle: string }; sections: CardSection[] };
  }>;
}

/** Escaped lines joined with `<br>`, cut to `max` characters of source text. */
function paragraph(lines: string[], max: number): Widget {
  return { textParagraph: { text: truncateLines(lines, max).split('\n').map(escapeHtml).join('<br>') } };
}

function labelled(rows: Array<[string, string]>, max: number): Widget[] {
  const limited = limitItems(rows, GOOGLE_CHAT_LIMITS.rows, (left): [string, string] => [
    '…',
    `${left} more`,
  ]);
  const each = Math.max(40, Math.floor(max / Math.max(1, limited.length)));
  return limited.map(([label, value]) => ({
    decoratedText: {
      topLabel: truncate(label, 100),
      text: escapeHtml(truncate(value, each)),
      wrapText: true,
    },
  }));
}

export function googleChatPayload(n: Notification): GoogleChatPayload {
  const style = styleOf(n);
  const base: SectionLimits = { summary: 3000, dns: 4000, pools: 4000, votes: 3000, explanation: 12_000 };
  const build = (limits: SectionLimits): GoogleChatPayload => {
    const sections: CardSection[] = [];
    if (n.summary !== '') sections.push({ widgets: [paragraph([n.summary], limits.summary)] });
    sections.push({ header: 'Facts', widgets: labelled(factsOf(n), 1500) });
    if (n.dnsChanges.length > 0) {
      const changes = limitItems(n.dnsChanges, GOOGLE_CHAT_LIMITS.rows, (left) => ({
        target: `${left} more targets`,
        before: [],
        after: [],
        state: 'planned' as const,
      }));
      const each = Math.floor(limits.dns / changes.length);
      sections.push({
        header: 'DNS',
        widgets: changes.map((change) =>
          paragraph([dnsChangeHeading(change), ...dnsChangeLines(change, 'plain')], each),
        ),
      });
    }
    if (n.pools.length > 0) {
      sections.push({
        header: 'Pools',
        widgets: labelled(
          n.pools.map((p) => [p.pool, `${p.change}: ${p.reason}`]),
          limits.pools,
        ),
      });
    }
    if (n.votes.length > 0) {
      sections.push({
        header: 'Probe regions',
        widgets: labelled(
          n.votes.map((v) => [v.region, v.says]),
          limits.votes,
        ),
      });
    }
    if (n.explanation.length > 0 && limits.explanation > 0) {
      sections.push({
        header: 'Explanation',
        collapsible: true,
        uncollapsibleWidgetsCount: 0,
        widgets: [paragraph(n.explanation, limits.explanation)],
      });
    }
    const footer: Widget[] = [paragraph([footerLine(n)], 500)];
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) {
      footer.push({
        buttonList: { buttons: [{ text: 'Status page', onClick: { openLink: { url: n.statusPageUrl } } }] },
      });
    }
    sections.push({ widgets: footer });
    return {
      text: truncate(headline(n), GOOGLE_CHAT_LIMITS.text),
      cardsV2: [
        {
          cardId: `quorumdns-${n.id.slice(0, 16)}`,
          card: {
            header: {
              title: truncate(headline(n), 200),
              subtitle: `${n.deployment} · generation ${n.generation} · ${style.label}`,
            },
            sections,
          },
        },
      ],
    };
  };
  return fitPayload(
    base,
    build,
    (payload) => utf8Length(JSON.stringify(payload)),
    GOOGLE_CHAT_LIMITS.messageBytes,
  );
}

export const googleChatFormatter: ChannelFormatter = {
  type: 'googlechat',
  format(n: Notification, _secrets: ChannelSecrets, _now: number): FormattedRequest {
    return {
      headers: { 'Content-Type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(googleChatPayload(n)),
    };
  },
};

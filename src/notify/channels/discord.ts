/**
 * Discord webhook with one embed (https://discord.com/developers/docs/resources/webhook#execute-webhook):
 * title (the headline, linked to the status page), description (summary, DNS changes and the explanation in
 * code blocks), inline fields for the facts, pools and votes, a footer and a timestamp; the colour follows the
 * severity. `allowed_mentions: { parse: [] }` makes sure no text of ours ever pings anyone.
 *
 * Documented embed limits: title 256, description 4,096, at most 25 fields (name 256, value 1,024), footer
 * 2,048, and 6,000 characters over all of them together.
 */
import { formatTime } from '../../quorum/format-duration';
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { truncate } from '../truncate';
import { fitPayload, type SectionLimits } from './fit-payload';
import { cutEscaped, descriptionParts, poolAndVoteLists } from './markdown-message';
import { factsOf, footerLine, headline, isHttpUrl, styleOf } from './notification-text';

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

export interface DiscordEmbed {
  title: string;
  description: string;
  url?: string;
  color: number;
  fields: Array<{ name: string; value: string; inline: boolean }>;
  footer: { text: string };
  timestamp: string;
}

export interface DiscordPayload {
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: string[] };
}

/** Discord markdown outside code blocks. */
function escapeDiscord(text: string): string {
  return text.replace(/([\\*_~`|])/g, '\\$1');
}

/** The characters Discord counts against the 6,000 total. */
export function embedCharacters(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    embed.description.length +
    embed.footer.text.length +
    embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

export function discordPayload(n: Notification): DiscordPayload {
  const base: SectionLimits = {
    summary: 1200,
    dns: 1400,
    pools: DISCORD_LIMITS.fieldValue,
    votes: DISCORD_LIMITS.fieldValue,
    explanation: 1400,
  };
  const build = (limits: SectionLimits): DiscordPayload => {
    const parts = descriptionParts(n, limits, escapeDiscord);
    const fields: DiscordEmbed['fields'] = factsOf(n).map(([name, value]) => ({
      name,
      value: cutEscaped(value, 200, escapeDiscord),
      inline: true,
    }));
    const listLimits = {
      pools: Math.min(limits.pools, DISCORD_LIMITS.fieldValue),
      votes: Math.min(limits.votes, DISCORD_LIMITS.fieldValue),
    };
    for (const list of poolAndVoteLists(n, listLimits, '•', escapeDiscord)) {
      fields.push({ name: list.title, value: list.value, inline: false });
    }
    const embed: DiscordEmbed = {
      title: truncate(headline(n), DISCORD_LIMITS.title),
      description: truncate(parts.join('\n\n'), DISCORD_LIMITS.description),
      color: styleOf(n).rgb,
      fields: fields.slice(0, DISCORD_LIMITS.fields),
      footer: { text: truncate(footerLine(n), DISCORD_LIMITS.footer) },
      timestamp: formatTime(n.at),
    };
    if (n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)) embed.url = n.statusPageUrl;
    return { embeds: [embed], allowed_mentions: { parse: [] } };
  };
  return fitPayload(
    base,
    build,
    (payload) => payload.embeds.reduce((sum, embed) => sum + embedCharacters(embed), 0),
    DISCORD_LIMITS.total,
  );
}

export const discordFormatter: ChannelFormatter = {
  type: 'discord',
  format(n: Notification, _secrets: ChannelSecrets, _now: number): FormattedRequest {
    return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(discordPayload(n)) };
  },
};

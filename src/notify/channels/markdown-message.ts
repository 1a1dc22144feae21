/**
 * The parts of a message in the Markdown Discord and Mattermost both render (`**bold**` titles, fenced code
 * blocks, backslash escapes): the description (summary, DNS changes as a diff, the explanation) and the pools
 * and votes as bullet lists, each within its character budget. The platform supplies its escaping (which
 * characters are markup, which mentions to defuse) and puts the parts into its own payload shape.
 */
import type { Notification } from '../notification';
import { truncate, truncateLines } from '../truncate';
import type { SectionLimits } from './fit-payload';
import { codeSafe, dnsDiffLines, poolLine, voteLine } from './notification-text';

/** Escapes text for use outside code blocks. */
export type MarkdownEscape = (text: string) => string;

/** A titled list, for the platform's field shape (Discord embed field, Mattermost attachment field). */
export interface TitledList {
  title: string;
  value: string;
}

/** Escaped, then cut to `max` (cutting first could let the escapes push it past the limit). */
export function cutEscaped(text: string, max: number, escape: MarkdownEscape): string {
  // An escaping backslash left last would escape the ellipsis instead.
  return truncate(escape(text), max).replace(/\\…$/, '…');
}

/** `**title**` over a fenced code block of `lines`, the whole within `max` characters. */
export function codeSection(title: string, lines: readonly string[], max: number, language = ''): string {
  const head = `**${title}**\n\`\`\`${language}\n`;
  const tail = '\n```';
  return head + truncateLines(lines.map(codeSafe), max - head.length - tail.length) + tail;
}

/** The summary, the DNS changes and the explanation, as paragraphs (join them with a blank line). */
export function descriptionParts(n: Notification, limits: SectionLimits, escape: MarkdownEscape): string[] {
  const parts: string[] = [];
  if (n.summary !== '') parts.push(cutEscaped(n.summary, limits.summary, escape));
  if (n.dnsChanges.length > 0) parts.push(codeSection('DNS', dnsDiffLines(n.dnsChanges), limits.dns, 'diff'));
  if (n.explanation.length > 0 && limits.explanation > 0) {
    parts.push(codeSection('Explanation', n.explanation, limits.explanation));
  }
  return parts;
}

/** `Pools` and `Probe regions` as bullet lists within their budgets; a list with nothing to show is left out. */
export function poolAndVoteLists(
  n: Notification,
  limits: Pick<SectionLimits, 'pools' | 'votes'>,
  bullet: string,
  escape: MarkdownEscape,
): TitledList[] {
  const list = (title: string, lines: string[], max: number): TitledList => ({
    title,
    value: truncateLines(
      lines.map((line) => `${bullet} ${escape(line)}`),
      max,
    ),
  });
  const lists: TitledList[] = [];
  if (n.pools.length > 0) lists.push(list('Pools', n.pools.map(poolLine), limits.pools));
  if (n.votes.length > 0) lists.push(list('Probe regions', n.votes.map(voteLine), limits.votes));
  return lists;
}

/**
 * The pieces every chat formatter shows, worded once: severity colour and emoji, the headline, DNS changes,
 * pools, votes and the facts line. Formatters choose the markup (Block Kit, embeds, Adaptive Cards, ...) and
 * escape for it; the words stay the same on every platform.
 */
import type { Severity } from '../../config/types';
import { formatTime } from '../../quorum/format-duration';
import type {
  Notification,
  NotificationDnsChange,
  NotificationPoolChange,
  NotificationVote,
} from '../notification';

export interface SeverityStyle {
  /** What the message is, at a glance. */
  emoji: string;
  /** `#rrggbb` (Slack/Mattermost attachments, Google Chat font colours). */
  hex: string;
  /** The same colour as an integer (Discord embeds). */
  rgb: number;
  /** Adaptive Card text colour. */
  teamsColor: 'attention' | 'warning' | 'good' | 'accent';
  /** Severity word shown next to the facts. */
  label: string;
}

const STYLES: Record<Severity | 'recovered', SeverityStyle> = {
  critical: { emoji: '🔴', hex: '#d7263d', rgb: 0xd7263d, teamsColor: 'attention', label: 'critical' },
  warning: { emoji: '🟠', hex: '#f18f01', rgb: 0xf18f01, teamsColor: 'warning', label: 'warning' },
  info: { emoji: '🔵', hex: '#2e86ab', rgb: 0x2e86ab, teamsColor: 'accent', label: 'info' },
  recovered: { emoji: '🟢', hex: '#2ba84a', rgb: 0x2ba84a, teamsColor: 'good', label: 'info' },
};

/** Severity decides the colour; an informational recovery (failback, fail-open cleared) shows green. */
export function styleOf(n: Pick<Notification, 'severity' | 'kind'>): SeverityStyle {
  const recovered = n.kind === 'failback' || n.kind === 'fail-open-cleared';
  if (recovered && n.severity === 'info') return STYLES.recovered;
  return STYLES[n.severity];
}

/** `🔴 [DRILL] api: failover aws-use1 -> gcp-euw1` (the title already carries the drill tag). */
export function headline(n: Notification): string {
  return `${styleOf(n).emoji} ${n.title}`;
}

/** `route53 aws-main/Z0123 · applied (change C42)` */
export function dnsChangeHeading(change: NotificationDnsChange): string {
  const id = change.changeId !== undefined ? ` (change ${change.changeId})` : '';
  return `${change.target} · ${change.state}${id}`;
}

/**
 * The before/after lines of one target. `diff` (for code blocks): `- old` / `+ new`; `plain`: `was:` / `now:`
 * (`will be:` while only planned).
 */
export function dnsChangeLines(change: NotificationDnsChange, style: 'diff' | 'plain'): string[] {
  const before = change.before.length > 0 ? change.before : ['(no answer recorded yet)'];
  const lines =
    style === 'diff'
      ? [...before.map((line) => `- ${line}`), ...change.after.map((line) => `+ ${line}`)]
      : [
          ...before.map((line) => `was: ${line}`),
          ...change.after.map((line) => `${change.state === 'planned' ? 'will be' : 'now'}: ${line}`),
        ];
  if (change.error !== undefined) lines.push(`error: ${change.error}`);
  return lines;
}

/** Every target's heading and `- old` / `+ new` lines, for one code block in `diff` syntax. */
export function dnsDiffLines(changes: readonly NotificationDnsChange[]): string[] {
  return changes.flatMap((change) => [dnsChangeHeading(change), ...dnsChangeLines(change, 'diff')]);
}

/** `aws-use1 drained: quorum 2/3 (…)` */
export function poolLine(pool: NotificationPoolChange): string {
  return `${pool.pool} ${pool.change}: ${pool.reason}`;
}

/** `us-east-1: down: use1-a, use1-b` */
export function voteLine(vote: NotificationVote): string {
  return `${vote.region}: ${vote.says}`;
}

/** The short facts shown as fields/facts on every platform, in this order. */
export function factsOf(n: Notification): Array<[label: string, value: string]> {
  const facts: Array<[string, string]> = [
    ['Service', n.service],
    ['Severity', styleOf(n).label],
    ['Generation', String(n.generation)],
    ['Time', formatTime(n.at)],
    ['Deployment', n.deployment],
  ];
  if (n.rules.length > 0) facts.push(['Rules', n.rules.join(', ')]);
  if (n.drill) facts.push(['Drill', n.drillId !== undefined ? `yes (${n.drillId})` : 'yes']);
  return facts;
}

/** `quorumdns · acme-prod · generation 7 · 2026-01-01T00:00:00.000Z · notification 3f2a…` */
export function footerLine(n: Notification): string {
  const drill = n.drill ? ` · DRILL${n.drillId !== undefined ? ` ${n.drillId}` : ''}` : '';
  return `quorumdns · ${n.deployment} · generation ${n.generation} · ${formatTime(n.at)}${drill} · notification ${n.id}`;
}

/** Slack/Mattermost mrkdwn: `&`, `<`, `>` are control characters (`<!channel>`, links); escape them. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * After cutting escaped text, an entity may be left half (`&am…`): drop the fragment so the platform does not
 * show it raw.
 */
export function trimPartialEntity(text: string): string {
  return text.replace(/&[a-z#0-9]{0,7}…$/i, '…');
}

/** Google Chat card text is a small HTML subset. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text placed inside a ``` block must not close it early. */
export function codeSafe(text: string): string {
  return text.replace(/```/g, '`\u200b`\u200b`');
}

/** A fenced code block (the fence is never broken by the content). */
export function codeBlock(text: string, language = ''): string {
  return `\`\`\`${language}\n${codeSafe(text)}\n\`\`\``;
}

/**
 * Mattermost (and Slack-compatible markdown) notifies a whole channel on `@channel`, `@all` and `@here`:
 * event text never should, so a zero-width space defuses them.
 */
export function defuseMentions(text: string): string {
  return text.replace(/@(channel|all|here|everyone)\b/gi, '@\u200b$1');
}

/** Only http(s) links are offered as buttons and links (a config typo must not become a `javascript:` link). */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

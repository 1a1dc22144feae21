/**
 * The generic webhook: the notification itself as JSON (`version` 1, plus `type: "quorumdns.notification"`),
 * signed when the channel has a secret: `X-Quorumdns-Timestamp` (epoch ms of sending) and
 * `X-Quorumdns-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` over the exact bytes sent
 * (docs/notifications.md shows how a receiver checks it, examples/webhook-receiver.ts does it).
 *
 * The body is kept under 256 KiB: a receiver should never have to raise its request size limit for us. The
 * explanation is cut first, then the other long parts.
 */
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../webhook-signature';
import { truncate, truncateLines, utf8Length } from '../truncate';
import { fitPayload, type SectionLimits } from './fit-payload';

export const WEBHOOK_BODY_TYPE = 'quorumdns.notification';
/** Sent with every generic webhook request: the notification id (stable across retries; deduplicate on it). */
export const NOTIFICATION_ID_HEADER = 'X-Quorumdns-Notification-Id';

export const WEBHOOK_LIMITS = { bodyBytes: 256 * 1024 } as const;

export type WebhookBody = Notification & { type: typeof WEBHOOK_BODY_TYPE };

function cutLines(lines: readonly string[], max: number): string[] {
  const kept = truncateLines(lines, max);
  return kept === '' ? [] : kept.split('\n');
}

export function webhookBody(n: Notification): WebhookBody {
  const base: SectionLimits = {
    summary: 10_000,
    dns: 50_000,
    pools: 50_000,
    votes: 50_000,
    explanation: 150_000,
  };
  const build = (limits: SectionLimits): WebhookBody => ({
    type: WEBHOOK_BODY_TYPE,
    ...n,
    title: truncate(n.title, 1000),
    summary: truncate(n.summary, limits.summary),
    dnsChanges: n.dnsChanges.map((change) => ({
      ...change,
      before: cutLines(change.before, limits.dns),
      after: cutLines(change.after, limits.dns),
      ...(change.error !== undefined ? { error: truncate(change.error, 2000) } : {}),
    })),
    pools: n.pools
      .slice(0, 500)
      .map((pool) => ({ ...pool, reason: truncate(pool.reason, Math.max(100, limits.pools / 50)) })),
    votes: n.votes
      .slice(0, 500)
      .map((vote) => ({ ...vote, says: truncate(vote.says, Math.max(100, limits.votes / 50)) })),
    explanation: cutLines(n.explanation, limits.explanation),
    eventIds: n.eventIds.slice(0, 1000),
  });
  return fitPayload(base, build, (body) => utf8Length(JSON.stringify(body)), WEBHOOK_LIMITS.bodyBytes);
}

export const webhookFormatter: ChannelFormatter = {
  type: 'webhook',
  format(n: Notification, secrets: ChannelSecrets, now: number): FormattedRequest {
    const body = JSON.stringify(webhookBody(n));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      [NOTIFICATION_ID_HEADER]: n.id,
    };
    if (secrets.signingSecret !== undefined && secrets.signingSecret !== '') {
      const timestamp = Math.floor(now);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = signWebhook(secrets.signingSecret, timestamp, body);
    }
    return { headers, body };
  },
};

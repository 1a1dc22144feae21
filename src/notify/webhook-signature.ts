/**
 * Signing of the generic webhook (Stripe-style): the sender puts the send time in one header and
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` in another. Binding the timestamp into the MAC lets a
 * receiver reject replays of an old, validly signed request (default tolerance: 5 minutes).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Quorumdns-Signature';
export const TIMESTAMP_HEADER = 'X-Quorumdns-Timestamp';
/** The only signature scheme so far; the prefix lets a later scheme be added without breaking receivers. */
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** `v1=<hex hmac-sha256(secret, `${timestamp}.${body}`)>`; `timestamp` is epoch ms, as sent in the header. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `${SIGNATURE_SCHEME}=${mac}`;
}

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

/**
 * Checks a received signature: the timestamp must be an integer within `toleranceMs` of `now` (either
 * direction: a clock ahead is as suspicious as a replay), and one of the header's `v1=` entries must match
 * (several are allowed, comma-separated, so a secret can be rotated). Comparison is constant-time.
 * Reasons never contain the secret or the expected MAC.
 */
export function verifyWebhook(input: {
  secret: string;
  header: string;
  timestamp: string;
  body: string;
  now: number;
  toleranceMs?: number;
}): WebhookVerification {
  const tolerance = input.toleranceMs ?? DEFAULT_SIGNATURE_TOLERANCE_MS;
  if (!/^\d{1,16}$/.test(input.timestamp.trim())) {
    return { ok: false, reason: `${TIMESTAMP_HEADER} is not an epoch-ms integer` };
  }
  const timestamp = Number(input.timestamp.trim());
  const age = input.now - timestamp;
  if (age > tolerance) {
    return {
      ok: false,
      reason: `timestamp is ${Math.round(age / 1000)} s old (limit ${tolerance / 1000} s): replay?`,
    };
  }
  if (-age > tolerance) {
    return {
      ok: false,
      reason: `timestamp is ${Math.round(-age / 1000)} s in the future (limit ${tolerance / 1000} s)`,
    };
  }
  const candidates = input.header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${SIGNATURE_SCHEME}=`))
    .map((part) => part.slice(SIGNATURE_SCHEME.length + 1));
  if (candidates.length === 0) {
    return { ok: false, reason: `${SIGNATURE_HEADER} has no ${SIGNATURE_SCHEME}= signature` };
  }
  const expected = Buffer.from(
    signWebhook(input.secret, timestamp, input.body).slice(SIGNATURE_SCHEME.length + 1),
    'hex',
  );
  const matches = candidates.some((candidate) => {
    if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
    return timingSafeEqual(Buffer.from(candidate, 'hex'), expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match the body and timestamp' };
}

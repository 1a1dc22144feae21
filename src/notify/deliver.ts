/**
 * One delivery attempt: one HTTP POST of a formatted notification, classified into delivered / retry later /
 * never. Shared by every channel type (formatters are pure and know nothing of the network).
 *
 * - `node:http(s)` with `agent: false`: a fresh connection per message, nothing pooled that could go stale
 *   between two messages hours apart;
 * - one hard deadline (the channel's `timeout`) over connect, TLS, sending, the answer and its body, so a
 *   webhook that hangs costs at most that long and never holds a job for ever;
 * - redirects are not followed (a webhook that redirects is misconfigured; following it could send the
 *   payload somewhere unexpected);
 * - the URL is a credential: errors and receipts carry only `redact`ed forms, and the remote's answer is
 *   scrubbed of every secret before it is kept or shown.
 */
import http from 'node:http';
import https from 'node:https';
import { redact } from '../config/resolve-secret';
import type { NotificationChannel } from '../config/types';
import { quorumdnsVersion } from '../probe/version';
import type { ChannelFormatter, FormattedRequest } from './channel-formatter';
import { resolveChannelSecrets, scrubSensitive, sensitivePartsOfUrl } from './channel-secrets';
import {
  DeliveryTimeoutError,
  PermanentDeliveryError,
  RateLimitedError,
  TransientDeliveryError,
} from './delivery-errors';
import type { Notification } from './notification';

/** The remote's answer is kept up to this many characters (reasons, `notify test` output). */
export const ANSWER_MAX_CHARS = 500;
/** Bytes of an answer body read at most; the rest is not waited for (a chat API answers in a few bytes). */
const ANSWER_MAX_BYTES = 64 * 1024;
/** A Retry-After longer than this is shortened to it: a message hours late is worth less than a retry. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface WebhookPost {
  /** The resolved URL (a secret). */
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Texts that must never appear in an answer or error (resolved secrets and URL parts). */
  sensitive?: readonly string[];
  /** The platform's own "accepted" check on a 2xx (Slack's `ok`). */
  checkResponse?: ChannelFormatter['checkResponse'];
  /** Cap of a 429's Retry-After. @defaultValue DEFAULT_MAX_RETRY_AFTER_MS */
  maxRetryAfterMs?: number;
  /** @defaultValue Date.now (Retry-After HTTP dates are relative to it) */
  now?: () => number;
}

/** An accepted delivery. */
export interface DeliveryReceipt {
  status: number;
  /** The remote's answer, truncated to ANSWER_MAX_CHARS and scrubbed of secrets. */
  answer: string;
  durationMs: number;
  /** The URL in redacted form, e.g. `https://hooks.slack.com/***`. */
  target: string;
}

interface RawAnswer {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs once and classifies the answer; resolves when the message was accepted, throws a DeliveryError otherwise. */
export async function postWebhook(post: WebhookPost): Promise<DeliveryReceipt> {
  const target = redact(post.url);
  const sensitive = post.sensitive ?? sensitivePartsOfUrl(post.url);
  const scrub = (text: string): string => redact(scrubSensitive(text, sensitive));
  let url: URL;
  try {
    url = new URL(post.url);
  } catch {
    throw new PermanentDeliveryError('the channel URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentDeliveryError(
      `the channel URL must be http(s), not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  const started = performance.now();
  const raw = await send(url, post, target, scrub);
  const durationMs = Math.round(performance.now() - started);
  const answer = truncateAnswer(scrub(raw.body));
  const details = { status: raw.status, answer };
  const said = answer === '' ? '' : `: ${answer}`;
  const statusLine = `${raw.status}${raw.statusText ? ` ${raw.statusText}` : ''}`;
  if (raw.status >= 200 && raw.status < 300) {
    const rejection = post.checkResponse?.(raw.status, raw.body);
    if (rejection !== undefined) {
      throw new PermanentDeliveryError(
        `POST ${target} answered ${statusLine} but rejected the message: ${truncateAnswer(scrub(rejection))}`,
        details,
      );
    }
    return { status: raw.status, answer, durationMs, target };
  }
  if (raw.status === 429) {
    const header = headerValue(raw.headers['retry-after']);
    const requested = parseRetryAfter(header, (post.now ?? Date.now)());
    const cap = post.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    const retryAfterMs = requested === undefined ? undefined : Math.min(requested, cap);
    const wait =
      retryAfterMs === undefined
        ? 'no usable Retry-After'
        : `Retry-After ${scrub(header ?? '')}${requested !== retryAfterMs ? ` (capped to ${cap} ms)` : ''}`;
    throw new RateLimitedError(
      `POST ${target} answered ${statusLine} (${wait})${said}`,
      details,
      retryAfterMs,
    );
  }
  if (raw.status === 408 || raw.status >= 500) {
    throw new TransientDeliveryError(`POST ${target} answered ${statusLine}${said}`, details);
  }
  if (raw.status >= 300 && raw.status < 400) {
    throw new PermanentDeliveryError(
      `POST ${target} answered ${statusLine} (redirects are not followed: configure the final URL)${said}`,
      details,
    );
  }
  throw new PermanentDeliveryError(`POST ${target} answered ${statusLine}${said}`, details);
}

function send(
  url: URL,
  post: WebhookPost,
  target: string,
  scrub: (text: string) => string,
): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: RawAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Also after a complete answer: nothing more is read from this connection (agent: false).
      request.destroy();
      if (error !== undefined) reject(error);
      else resolve(answer as RawAnswer);
    };
    const body = Buffer.from(post.body, 'utf8');
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'user-agent': `quorumdns/${quorumdnsVersion()}`,
        ...post.headers,
        'content-length': String(body.length),
      },
    });
    const timer = setTimeout(
      () =>
        finish(new DeliveryTimeoutError(`POST ${target} got no complete answer within ${post.timeoutMs} ms`)),
      post.timeoutMs,
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish(new TransientDeliveryError(`POST ${target} failed: ${describeNetworkError(error, scrub)}`));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const done = (): void =>
        finish(undefined, {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      response.on('data', (chunk: Buffer) => {
        if (received >= ANSWER_MAX_BYTES) return;
        chunks.push(chunk.subarray(0, ANSWER_MAX_BYTES - received));
        received += chunk.length;
        // Enough to classify and quote: the status is known, the rest of a huge body is not worth waiting for.
        if (received >= ANSWER_MAX_BYTES) done();
      });
      response.on('end', done);
      response.on('error', (error: NodeJS.ErrnoException) =>
        finish(
          new TransientDeliveryError(
            `POST ${target} answered ${response.statusCode ?? '?'} but the answer broke off: ${describeNetworkError(error, scrub)}`,
          ),
        ),
      );
      response.on('close', () => {
        if (!response.complete)
          finish(
            new TransientDeliveryError(
              `POST ${target} answered ${response.statusCode ?? '?'} but the answer broke off`,
            ),
          );
      });
    });
    request.end(body);
  });
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function describeNetworkError(error: NodeJS.ErrnoException, scrub: (text: string) => string): string {
  const code = error.code;
  if (code !== undefined && NETWORK_ERRORS[code] !== undefined) return `${NETWORK_ERRORS[code]} (${code})`;
  if (code !== undefined && /^ERR_TLS|CERT|SSL/.test(code))
    return `TLS failed (${code}): ${scrub(error.message)}`;
  return scrub(error.message || code || 'unknown error');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` (RFC 9110 10.2.3) in ms from `now`: delay-seconds (`120`) or an HTTP date. `undefined` when
 * absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Some platforms send fractional seconds (Discord's body does; be lenient with the header too).
  if (/^\d+\.\d+$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function truncateAnswer(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= ANSWER_MAX_CHARS) return trimmed;
  return `${trimmed.slice(0, ANSWER_MAX_CHARS)}… (${trimmed.length} characters)`;
}

export interface DeliverNotificationOptions {
  formatter: ChannelFormatter;
  /** Where secret references are resolved. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Sending time (signature timestamps, Retry-After dates). @defaultValue Date.now */
  now?: () => number;
  /**
   * Sends what a formatter addresses itself (PagerDuty's fixed Events API endpoints) to this base URL
   * instead, keeping the formatter's path (`http://127.0.0.1:8080` -> `http://127.0.0.1:8080/v2/enqueue`), for
   * tests and labs: a local receiver stands in for the platform. Channel URLs from the config are never
   * replaced.
   */
  formatterUrlOverride?: string;
  maxRetryAfterMs?: number;
}

/** Resolves the channel's secrets, formats the notification for its platform and POSTs it once. */
export async function deliverNotification(
  channel: NotificationChannel,
  notification: Notification,
  options: DeliverNotificationOptions,
): Promise<DeliveryReceipt> {
  const { secrets, sensitive } = await resolveChannelSecrets(channel, options.env);
  const now = options.now ?? Date.now;
  let request: FormattedRequest;
  try {
    request = options.formatter.format(notification, secrets, now());
  } catch (error) {
    // Formatters are pure: what fails once fails every time (a missing routing key, a bug).
    const why = error instanceof Error ? error.message : String(error);
    throw new PermanentDeliveryError(
      `channel ${channel.name} (${channel.type}): the message could not be formatted: ${redact(scrubSensitive(why, sensitive))}`,
    );
  }
  const url =
    request.url === undefined
      ? secrets.url
      : options.formatterUrlOverride === undefined
        ? request.url
        : rebase(request.url, options.formatterUrlOverride);
  if (url === undefined) {
    throw new PermanentDeliveryError(`channel ${channel.name} (${channel.type}) has no URL to send to`);
  }
  return postWebhook({
    url,
    headers: request.headers,
    body: request.body,
    timeoutMs: channel.timeout,
    sensitive,
    checkResponse: options.formatter.checkResponse?.bind(options.formatter),
    maxRetryAfterMs: options.maxRetryAfterMs,
    now,
  });
}

/** `chosen`'s path and query under `base` (whose own path, if any, is kept as a prefix). */
function rebase(chosen: string, base: string): string {
  const target = new URL(chosen);
  const rebased = new URL(base);
  rebased.pathname = `${rebased.pathname.replace(/\/$/, '')}${target.pathname}`;
  rebased.search = target.search;
  return rebased.toString();
}

/**
 * One chat platform's view of a notification: how to turn it into that platform's HTTP request. Formatters
 * are pure (no I/O, no clock), so every payload shape and limit is unit-tested; delivery (timeouts, retries,
 * Retry-After, redaction) is shared in src/notify/deliver.ts.
 */
import type { ChannelType } from '../config/types';
import type { Notification } from './notification';

/** The request a formatter wants sent. The URL is the channel's resolved secret URL unless overridden. */
export interface FormattedRequest {
  /** Override of the channel URL (PagerDuty's fixed Events API v2 endpoint, for example). */
  url?: string;
  headers: Record<string, string>;
  /** Serialized body (formatters own their serialization: signatures are computed over these exact bytes). */
  body: string;
}

/** Resolved secrets a formatter may need (never logged). */
export interface ChannelSecrets {
  /** Resolved webhook URL (chat platforms, generic webhook). */
  url?: string;
  /** PagerDuty routing key. */
  routingKey?: string;
  /** Generic webhook HMAC secret. */
  signingSecret?: string;
}

export interface ChannelFormatter {
  readonly type: ChannelType;
  /**
   * `now` is the sending time in epoch ms (signature timestamps). Must never throw on long input:
   * truncate to the platform's documented limits instead.
   */
  format(notification: Notification, secrets: ChannelSecrets, now: number): FormattedRequest;
  /**
   * How the platform says "accepted" beyond the status code (Slack answers 200 `ok`); default: any 2xx.
   * Returns an error message when the answer is a rejection despite a 2xx.
   */
  checkResponse?(status: number, body: string): string | undefined;
}

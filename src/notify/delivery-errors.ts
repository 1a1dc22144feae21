/**
 * Why one delivery attempt did not get a message accepted. The class decides what happens next:
 *
 * - `TransientDeliveryError` (connection refused or reset, timeout, 408, 5xx, an unreadable secret): retried
 *   with exponential backoff;
 * - `RateLimitedError` (429): retried after the remote's `Retry-After` when it sent one (capped);
 * - `PermanentDeliveryError` (any other 4xx, a 2xx the platform says is a rejection, a malformed URL): never
 *   retried; the status and the remote's answer are the reason `quorumdns notify failed` shows.
 *
 * Messages name the target only in its redacted form (`https://hooks.slack.com/***`) and never carry a
 * resolved secret: they go to logs, to job records in Redis and to terminals.
 */

import { CodedError } from '../errors/coded-error';

export interface DeliveryErrorDetails {
  /** HTTP status of the remote's answer, when there was one. */
  status?: number;
  /** The remote's answer (truncated, secrets scrubbed), when there was one. */
  answer?: string;
}

export abstract class DeliveryError extends CodedError {
  /** Whether another attempt may succeed. */
  abstract readonly retryable: boolean;
  readonly status: number | undefined;
  readonly answer: string | undefined;

  constructor(message: string, details: DeliveryErrorDetails = {}) {
    super(message);
    this.status = details.status;
    this.answer = details.answer;
  }
}

/** The remote or the network failed in a way that may pass: try again later. */
export class TransientDeliveryError extends DeliveryError {
  readonly code: string = 'ENOTIFY_TRANSIENT';
  readonly retryable = true;
}

/** The request did not complete within the channel's timeout (connect, send, answer and body together). */
export class DeliveryTimeoutError extends TransientDeliveryError {
  override readonly code = 'ENOTIFY_TIMEOUT';
}

/**
 * A secret of the channel (URL, routing key, signing secret) could not be resolved at send time. Retried: a
 * secret file mounted late or rotated in place becomes readable again without a restart.
 */
export class ChannelSecretError extends TransientDeliveryError {
  override readonly code = 'ENOTIFY_SECRET';
}

/** 429: the remote asks us to slow down, possibly saying for how long. */
export class RateLimitedError extends DeliveryError {
  readonly code = 'ENOTIFY_RATE_LIMITED';
  readonly retryable = true;

  constructor(
    message: string,
    details: DeliveryErrorDetails,
    /** How long to wait before the next attempt (the remote's Retry-After, capped); absent = normal backoff. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message, details);
  }
}

/** The remote refused the message for good (or it can never be sent): retrying would only repeat the answer. */
export class PermanentDeliveryError extends DeliveryError {
  readonly code = 'ENOTIFY_PERMANENT';
  readonly retryable = false;
}

export function isDeliveryError(error: unknown): error is DeliveryError {
  return error instanceof DeliveryError;
}

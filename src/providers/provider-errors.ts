/**
 * Typed provider errors: the shared layer retries the transient ones with backoff, re-reads and re-plans on
 * a conflict, and stops on the permanent ones. Every error keeps the provider's own code and message, so an
 * operator sees what Route 53 or Cloud DNS actually said.
 */

export type ProviderErrorCode =
  /** Rate limited (Route 53 Throttling / PriorRequestNotComplete, HTTP 429). Transient. */
  | 'THROTTLED'
  /** 5xx, timeouts, connection errors. Transient. */
  | 'UNAVAILABLE'
  /** The provider's state moved under us (Cloud DNS 412 conditionNotMet, 409 alreadyExists; Route 53
   * InvalidChangeBatch "already exists" / "not found" / "values do not match"): re-read and re-plan. */
  | 'CONFLICT'
  /** The request is invalid and will stay so (400 validation, limits). Permanent. */
  | 'REJECTED'
  /** Credentials missing or not allowed (401/403, AccessDenied). Permanent. */
  | 'FORBIDDEN'
  /** Zone (or change) does not exist. Permanent. */
  | 'NOT_FOUND'
  /** The owner TXT record names another deployment. Permanent. */
  | 'NOT_OWNER'
  /** The plan exceeds a safety threshold (too many deletions). Permanent. */
  | 'UNSAFE_PLAN'
  /** The change did not reach in-sync within the sync timeout. Transient. */
  | 'SYNC_TIMEOUT'
  /** Re-reading after apply did not show the planned record sets. Transient. */
  | 'VERIFY_FAILED';

const TRANSIENT: ReadonlySet<ProviderErrorCode> = new Set([
  'THROTTLED',
  'UNAVAILABLE',
  'CONFLICT',
  'SYNC_TIMEOUT',
  'VERIFY_FAILED',
]);

export interface ProviderErrorDetails {
  /** Provider name from the config. */
  provider: string;
  /** The provider's own error code (`Throttling`, `InvalidChangeBatch`, `conditionNotMet`, ...), if any. */
  remoteCode?: string;
  /** The provider's own message, verbatim. */
  remoteMessage?: string;
  httpStatus?: number;
  /** From a Retry-After header, when the provider sent one. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly remoteCode?: string;
  readonly remoteMessage?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(code: ProviderErrorCode, message: string, details: ProviderErrorDetails) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'ProviderError';
    this.code = code;
    this.provider = details.provider;
    if (details.remoteCode !== undefined) this.remoteCode = details.remoteCode;
    if (details.remoteMessage !== undefined) this.remoteMessage = details.remoteMessage;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }

  /** Worth retrying (with backoff; CONFLICT after a re-read). */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}

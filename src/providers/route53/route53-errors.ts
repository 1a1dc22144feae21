/**
 * SDK errors -> the shared layer's typed `ProviderError`s, keeping Route 53's own code, message and HTTP
 * status so an operator reads what Route 53 said.
 *
 * The classification the shared layer acts on:
 * - THROTTLED: `Throttling` ("Rate exceeded", the request or change-throughput bucket is empty),
 *   `PriorRequestNotComplete` (a change to the zone is still being processed), HTTP 429;
 * - UNAVAILABLE: HTTP 5xx, timeouts, refused or reset connections (a write may or may not have landed);
 * - CONFLICT: `InvalidChangeBatch` whose every problem is "already exists", "not found" or "do not match":
 *   the zone moved since it was read, so a re-read and re-plan will do;
 * - REJECTED: any other `InvalidChangeBatch` (limits, invalid values, CNAME clashes), `InvalidInput` and the
 *   other 4xx: sending it again cannot help;
 * - FORBIDDEN: `AccessDenied`, 401/403, credentials that are missing, invalid or expired;
 * - NOT_FOUND: `NoSuchHostedZone`, `NoSuchChange`.
 */
import { ProviderError, type ProviderErrorCode } from '../provider-errors';

export type Route53Operation =
  'ListResourceRecordSets' | 'ChangeResourceRecordSets' | 'GetChange' | 'GetHostedZone';

export interface Route53CallContext {
  /** Provider name from the config. */
  provider: string;
  operation: Route53Operation;
  /** Hosted zone id without the prefix, when the call is about a zone. */
  zoneId?: string;
  changeId?: string;
}

const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'PriorRequestNotComplete',
]);

const FORBIDDEN_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'MissingAuthenticationToken',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'AuthFailure',
  'NotAuthorized',
]);

const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['NoSuchHostedZone', 'NoSuchChange']);

/** Node and SDK names of failures before or during the exchange: the request may or may not have arrived. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'AbortError',
]);

/** The Route 53 problems that mean "the zone is not as it was read". */
const CONFLICT_MESSAGE =
  /^Tried to (?:create|delete) resource record set .* but (?:it already exists|it was not found|the values provided do not match the current values)\.?$/;

/** What the SDK hands us, duck-typed: ServiceException fields, Node system error fields. */
interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  messages?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, unknown> };
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The individual problems of an InvalidChangeBatch. Route 53 used to list them in `<Messages>` (the SDK's
 * `messages`); today it packs them into one Message as `[first, second]`. A problem starts with a capital
 * letter after the separator, which the quoted parts inside a problem (`, type='A'`) never do.
 */
export function invalidChangeBatchProblems(message: string, messages?: unknown): string[] {
  if (Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string')) {
    return messages as string[];
  }
  const trimmed = message.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  return inner
    .split(/, (?=[A-Z])/)
    .map((problem) => problem.trim())
    .filter((problem) => problem !== '');
}

/** True when a batch failed only because the zone changed since it was read (re-read and re-plan). */
export function isConflictOnly(problems: readonly string[]): boolean {
  return problems.length > 0 && problems.every((problem) => CONFLICT_MESSAGE.test(problem));
}

function retryAfterMs(shape: ErrorShape): number | undefined {
  const header = shape.$response?.headers?.['retry-after'];
  if (typeof header !== 'string') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function classify(
  code: string | undefined,
  status: number | undefined,
  shape: ErrorShape,
  message: string,
): ProviderErrorCode {
  if (code === 'InvalidChangeBatch') {
    return isConflictOnly(invalidChangeBatchProblems(message, shape.messages)) ? 'CONFLICT' : 'REJECTED';
  }
  if ((code !== undefined && THROTTLING_CODES.has(code)) || status === 429) return 'THROTTLED';
  if ((code !== undefined && FORBIDDEN_CODES.has(code)) || status === 401 || status === 403)
    return 'FORBIDDEN';
  if (code !== undefined && NOT_FOUND_CODES.has(code)) return 'NOT_FOUND';
  if (code === 'CredentialsProviderError') return 'FORBIDDEN';
  if (status !== undefined && status >= 500) return 'UNAVAILABLE';
  if (shape.$fault === 'server') return 'UNAVAILABLE';
  if (status !== undefined && status >= 400) return 'REJECTED';
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return 'UNAVAILABLE';
  // A programming error (the SDK refusing our input before sending it) will not heal by itself.
  if (code === 'TypeError' || code === 'RangeError') return 'REJECTED';
  // No HTTP answer at all (a lost connection, a body that would not parse): the request may have landed.
  if (status === undefined) return 'UNAVAILABLE';
  return 'REJECTED';
}

/** `ChangeResourceRecordSets on hosted zone Z0123`, `GetChange of change C42` */
export function describeRoute53Call(context: Route53CallContext): string {
  if (context.changeId !== undefined) return `${context.operation} of change ${context.changeId}`;
  if (context.zoneId !== undefined) return `${context.operation} on hosted zone ${context.zoneId}`;
  return context.operation;
}

const HINTS: Partial<Record<ProviderErrorCode, string>> = {
  FORBIDDEN:
    ' (credentials come from the default AWS chain: environment, shared config/profile, SSO, web identity, container or instance role; the role needs route53:ListResourceRecordSets, ChangeResourceRecordSets, GetChange and GetHostedZone)',
  NOT_FOUND: ' (check the hosted zone id, and that these credentials belong to the account that owns it)',
};

/** Any error from a Route 53 call -> a `ProviderError` naming the provider, operation, zone and Route 53's answer. */
export function toProviderError(error: unknown, context: Route53CallContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const shape = shapeOf(error);
  const name = text(shape.name);
  const systemCode = text(shape.code);
  // The SDK names service errors by their Route 53 code; Node system errors carry it in `code`.
  const code = name !== undefined && name !== 'Error' ? name : (systemCode ?? name);
  const rawStatus = shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const message = text(shape.message) ?? (error instanceof Error ? error.message : String(error));
  const providerCode = classify(code, status, shape, message);
  const statusText = status !== undefined ? ` (HTTP ${status})` : '';
  const hint = HINTS[providerCode] ?? '';
  const retryAfter = retryAfterMs(shape);
  return new ProviderError(
    providerCode,
    `route53 provider "${context.provider}": ${describeRoute53Call(context)} failed: ${code ?? 'error'}${statusText}: ${message}${hint}`,
    {
      provider: context.provider,
      ...(code !== undefined ? { remoteCode: code } : {}),
      remoteMessage: message,
      ...(status !== undefined ? { httpStatus: status } : {}),
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
      cause: error,
    },
  );
}

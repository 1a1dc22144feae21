/**
 * Client errors -> the shared layer's typed `ProviderError`s, keeping Cloud DNS's own reason, message and HTTP
 * status so an operator reads what Google said.
 *
 * The client (through @google-cloud/common) turns Google's error body `{error: {code, message, errors:
 * [{reason}]}}` into an ApiError whose `code` is the HTTP status and whose `errors` holds the reasons.
 * The classification the shared layer acts on:
 * - THROTTLED: HTTP 429, or the reasons `rateLimitExceeded` / `userRateLimitExceeded` (older Google APIs send
 *   those with a 403): the request was refused before it was processed;
 * - UNAVAILABLE: HTTP 5xx and 408, timeouts, refused or reset connections, an answer that is not the
 *   documented JSON (a write may or may not have landed: the shared layer re-reads);
 * - CONFLICT: 412 `conditionNotMet` (a deletion no longer matches exactly), 409 `alreadyExists` (an addition
 *   met an existing set), 404 on a change's deletion (the set is gone): the zone moved since it was read;
 * - REJECTED: 400 `invalid` and other 4xx, 403 `quotaExceeded` (a change over the per-change limits, or a set
 *   over 100 records): sending it again cannot help;
 * - FORBIDDEN: 401, 403 (`forbidden`, `insufficientPermissions`, ...), and credentials that could not be
 *   loaded or exchanged;
 * - NOT_FOUND: 404 of the managed zone itself, or of a change being polled.
 */
import { ProviderError, type ProviderErrorCode } from '../provider-errors';

export type CloudDnsOperation = 'rrsets.list' | 'changes.create' | 'changes.get' | 'managedZones.get';

export interface CloudDnsCallContext {
  /** Provider name from the config. */
  provider: string;
  operation: CloudDnsOperation;
  project: string;
  /** Managed zone the call is about. */
  zone: string;
  changeId?: string;
  /** Which credentials the client uses (never a secret), named in FORBIDDEN errors. */
  credentials?: string;
}

/** A request that outlived its deadline: it may still land, like a reset connection. */
export class CloudDnsTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(message: string) {
    super(message);
    this.name = 'CloudDnsTimeoutError';
  }
}

const THROTTLING_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** 403s that are about the request's size, not about who sent it. */
const LIMIT_REASONS: ReadonlySet<string> = new Set(['quotaExceeded', 'limitExceeded']);

/** What the client hands us, duck-typed: ApiError, teeny-request's RequestError, GaxiosError, our own. */
interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  status?: unknown;
  errors?: unknown;
  response?: { status?: unknown; headers?: unknown };
  config?: unknown;
}

function shapeOf(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

interface GoogleProblem {
  reason?: string;
  message?: string;
}

function problemsOf(shape: ErrorShape): GoogleProblem[] {
  if (!Array.isArray(shape.errors)) return [];
  return shape.errors.map((entry: unknown) => {
    const { reason, message } = shapeOf(entry) as { reason?: unknown; message?: unknown };
    return {
      ...(text(reason) ? { reason: text(reason) } : {}),
      ...(text(message) ? { message: text(message) } : {}),
    };
  });
}

function headerOf(shape: ErrorShape, name: string): string | undefined {
  const headers = shape.response?.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') return text((get as (key: string) => unknown).call(headers, name));
  return text((headers as Record<string, unknown>)[name]);
}

function retryAfterMs(shape: ErrorShape): number | undefined {
  const header = headerOf(shape, 'retry-after');
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A failure inside google-auth-library (token refresh, STS exchange, impersonation): gaxios raised it. */
function isAuthLibraryError(shape: ErrorShape): boolean {
  return shape.name === 'GaxiosError' || (shape.config !== undefined && shape.errors === undefined);
}

/** The classification, from the HTTP status (if any), Google's reasons and messages. Exported for tests. */
export function classifyCloudDnsError(input: {
  status?: number;
  reasons: readonly string[];
  messages: readonly string[];
  operation: CloudDnsOperation;
}): ProviderErrorCode {
  const { status, reasons, messages, operation } = input;
  if (status === 429 || reasons.some((reason) => THROTTLING_REASONS.has(reason))) return 'THROTTLED';
  if (status === undefined) return 'UNAVAILABLE';
  if (status >= 500 || status === 408) return 'UNAVAILABLE';
  if (status === 412 || status === 409) return 'CONFLICT';
  if (status === 404) {
    // "The 'entity.change.deletions[0]' resource named 'www.example.com. (A)' does not exist.": the set to
    // delete is gone. "The 'parameters.managedZone' resource named ... does not exist.": the zone is.
    const deletionGone = messages.some((message) => message.includes('entity.change'));
    return operation === 'changes.create' && deletionGone ? 'CONFLICT' : 'NOT_FOUND';
  }
  if (status === 401) return 'FORBIDDEN';
  if (status === 403) return reasons.some((reason) => LIMIT_REASONS.has(reason)) ? 'REJECTED' : 'FORBIDDEN';
  return 'REJECTED';
}

/** A managed zone as an operator finds it in the console: `managed zone example-com of project acme`. */
export function describeManagedZone(zone: string, project: string): string {
  return `managed zone ${zone} of project ${project}`;
}

/** `changes.create on managed zone z of project p`, `changes.get of change 7 in managed zone z of project p` */
export function describeCloudDnsCall(context: CloudDnsCallContext): string {
  const zone = describeManagedZone(context.zone, context.project);
  return context.changeId !== undefined
    ? `${context.operation} of change ${context.changeId} in ${zone}`
    : `${context.operation} on ${zone}`;
}

const PERMISSIONS =
  'the principal needs dns.managedZones.get, dns.resourceRecordSets.list, dns.changes.create, dns.changes.get ' +
  'and dns.resourceRecordSets.create, .update and .delete on the managed zone';

/** What an operator should check next, by error code. */
function hint(code: ProviderErrorCode, context: CloudDnsCallContext): string {
  if (code === 'FORBIDDEN') {
    const credentials =
      context.credentials !== undefined
        ? `credentials used: ${context.credentials}`
        : 'credentials come from Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, workload ' +
          'identity federation, the attached service account';
    return ` (${credentials}; ${PERMISSIONS})`;
  }
  if (code === 'NOT_FOUND') {
    return ' (check the project and the managed zone name, and that these credentials can see that project)';
  }
  return '';
}

/** Any error from a Cloud DNS call -> a `ProviderError` naming the provider, operation, zone and Google's answer. */
export function toProviderError(error: unknown, context: CloudDnsCallContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const shape = shapeOf(error);
  const message = text(shape.message) ?? (error instanceof Error ? error.message : String(error));
  const prefix = `clouddns provider "${context.provider}": ${describeCloudDnsCall(context)} failed`;

  if (isAuthLibraryError(shape)) {
    const rawStatus = shape.response?.status ?? shape.status;
    const status = typeof rawStatus === 'number' ? rawStatus : undefined;
    const code: ProviderErrorCode =
      status === 429 ? 'THROTTLED' : status === undefined || status >= 500 ? 'UNAVAILABLE' : 'FORBIDDEN';
    return new ProviderError(
      code,
      `${prefix}: getting an access token failed${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}` +
        hint(code, context),
      {
        provider: context.provider,
        remoteCode: 'authentication',
        remoteMessage: message,
        ...(status !== undefined ? { httpStatus: status } : {}),
        cause: error,
      },
    );
  }

  const status = typeof shape.code === 'number' ? shape.code : undefined;
  const problems = problemsOf(shape);
  const reasons = problems.flatMap((problem) => (problem.reason !== undefined ? [problem.reason] : []));
  const problemMessages = problems.flatMap((problem) =>
    problem.message !== undefined ? [problem.message] : [],
  );
  // "Could not load the default credentials" and friends come without a status, before any request was sent.
  if (status === undefined && /default credentials|access token|refresh token/i.test(message)) {
    return new ProviderError('FORBIDDEN', `${prefix}: ${message}${hint('FORBIDDEN', context)}`, {
      provider: context.provider,
      remoteCode: 'authentication',
      remoteMessage: message,
      cause: error,
    });
  }
  const remoteCode = reasons[0] ?? text(shape.code) ?? (status !== undefined ? `HTTP ${status}` : undefined);
  const remoteMessage = problemMessages.length > 0 ? [...new Set(problemMessages)].join('; ') : message;
  const code = classifyCloudDnsError({
    ...(status !== undefined ? { status } : {}),
    reasons,
    messages: [...problemMessages, message],
    operation: context.operation,
  });
  const answer =
    status !== undefined
      ? `HTTP ${status}${reasons.length > 0 ? ` ${[...new Set(reasons)].join(', ')}` : ''}`
      : (remoteCode ?? 'error');
  const retryAfter = retryAfterMs(shape);
  return new ProviderError(code, `${prefix}: ${answer}: ${remoteMessage}${hint(code, context)}`, {
    provider: context.provider,
    ...(remoteCode !== undefined ? { remoteCode } : {}),
    remoteMessage,
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    cause: error,
  });
}

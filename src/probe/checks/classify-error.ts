import type { FailureClass } from '../check-result';
import { truncateDetail } from './check-outcome';

/** What a transport error means for a health check. */
export interface ErrorClassification {
  failureClass: FailureClass;
  /** Short, single line, never contains request header values. */
  detail: string;
}

// ICMP "unreachable" answers are an active rejection by the network, like a RST: the check learns at once that
// nothing answers there, so they count as `refused` rather than `timeout`.
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/** Resolution of the check's host name failed (getaddrinfo codes, or c-ares codes with a custom lookup). */
const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'EAI_ADDRFAMILY',
  'ENODATA',
  'ESERVFAIL',
]);

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'QDNS_CHECK_DEADLINE_EXPIRED',
  'QDNS_CHECK_ABORTED',
]);

/** OpenSSL verification codes that do not share one of the TLS prefixes below. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'EPROTO',
]);
const TLS_CODE_PREFIXES = ['ERR_SSL_', 'ERR_TLS_', 'ERR_OSSL_', 'CERT_', 'UNABLE_TO_'];

// These errors quote the offending header value in their message; a header may carry a credential.
const HEADER_VALUE_CODES = new Set(['ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_CHAR']);

// Duck typing, not `instanceof`: errors raised by Node's core come from another realm under test runners
// (jest's vm contexts), where `instanceof Error` is false.
function innerErrors(error: object): unknown[] | undefined {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 ? errors : undefined;
}

/** The `code` of a Node error, looking into the attempts of an AggregateError (happy-eyeballs connects). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  for (const inner of innerErrors(error) ?? []) {
    const innerCode = errorCode(inner);
    if (innerCode !== undefined) return innerCode;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const inner = innerErrors(error);
  if (inner !== undefined) return [...new Set(inner.map(errorMessage))].join('; ');
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : String(error);
}

function isTlsCode(code: string): boolean {
  return TLS_CODES.has(code) || TLS_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * OpenSSL library errors carry an internal trace (`write EPROTO 80..:error:0A00010B:SSL routines:
 * ssl3_get_record:wrong version number:../deps/...`): keep only the reason, `handshake failed: wrong version number`.
 */
function tlsMessage(error: unknown, message: string, code: string): string {
  const isLibraryError = code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_');
  if (!isLibraryError) return message;
  const reasonProperty = (error as { reason?: unknown }).reason;
  const reason =
    typeof reasonProperty === 'string'
      ? reasonProperty
      : /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/.exec(message)?.[1];
  return reason === undefined ? 'handshake failed' : `handshake failed: ${reason}`;
}

/** `message (CODE)` unless the message already names the code (`connect ECONNREFUSED 127.0.0.1:41234`). */
function describe(message: string, code: string | undefined): string {
  if (code === undefined || message.includes(code)) return message;
  return message === '' ? code : `${message} (${code})`;
}

/**
 * Maps an error raised while connecting, handshaking or reading to a failure class and a short detail.
 * Unknown errors count as `reset`: whatever happened, the connection ended without an answer to judge.
 */
export function classifyError(error: unknown): ErrorClassification {
  const code = errorCode(error);
  const message = errorMessage(error);

  if (code !== undefined && HEADER_VALUE_CODES.has(code)) {
    return { failureClass: 'reset', detail: `request not sent: invalid request header (${code})` };
  }
  if (code === undefined) {
    return { failureClass: 'reset', detail: truncateDetail(message === '' ? 'unknown error' : message) };
  }
  if (isTlsCode(code)) {
    return {
      failureClass: 'tls',
      detail: truncateDetail(`TLS ${describe(tlsMessage(error, message, code), code)}`),
    };
  }
  if (code.startsWith('HPE_')) {
    // llhttp rejected what came back: the server answered, but not with a valid HTTP status line / headers.
    return { failureClass: 'status', detail: `invalid HTTP response (${code})` };
  }
  // Everything else (ECONNRESET, EPIPE, ECONNABORTED, premature close, codes Node adds later) is `reset`.
  const failureClass: FailureClass = TIMEOUT_CODES.has(code)
    ? 'timeout'
    : REFUSED_CODES.has(code)
      ? 'refused'
      : DNS_CODES.has(code)
        ? 'dns'
        : 'reset';
  return { failureClass, detail: truncateDetail(describe(message, code)) };
}

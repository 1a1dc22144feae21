/**
 * Errors in Google's JSON error format, `{error: {code, message, errors: [{domain, reason, message}]}}`.
 * @google-cloud/common turns that body into an ApiError whose `code` is the HTTP status and whose `errors`
 * is the array, so the adapter sees `err.code` and `err.errors[0].reason` exactly as against the real API.
 * Messages copy the wording Cloud DNS uses (seen in public bug reports), e.g.
 * `Precondition not met for 'entity.change.deletions[0]'`.
 */

export interface GoogleErrorDetail {
  domain: string;
  reason: string;
  message: string;
}

export interface GoogleErrorBody {
  error: { code: number; message: string; errors: GoogleErrorDetail[] };
}

/** A request the server refuses, with every problem it found (Google lists them all, the first one on top). */
export class CloudDnsApiError extends Error {
  readonly code = 'ECLOUDDNSAPI';
  override readonly name = 'CloudDnsApiError';
  readonly details: GoogleErrorDetail[];

  constructor(
    readonly httpStatus: number,
    details: GoogleErrorDetail[],
  ) {
    super(details[0]?.message ?? `HTTP ${httpStatus}`);
    this.details = details;
  }

  /** One problem. `domain` is `global` unless Google files it elsewhere (`usageLimits` for quotas). */
  static of(httpStatus: number, reason: string, message: string, domain = 'global'): CloudDnsApiError {
    return new CloudDnsApiError(httpStatus, [{ domain, reason, message }]);
  }

  toBody(): GoogleErrorBody {
    return { error: { code: this.httpStatus, message: this.message, errors: this.details } };
  }
}

/** The ways Cloud DNS phrases its 400s, so every validator words them alike. */
export const problems = {
  invalidValue: (field: string, value: unknown): GoogleErrorDetail => ({
    domain: 'global',
    reason: 'invalid',
    message: `Invalid value for '${field}': '${typeof value === 'string' ? value : JSON.stringify(value)}'`,
  }),
  /** An invalid value with the reason spelt out, for the checks whose cause a bare value would hide. */
  invalid: (field: string, why: string): GoogleErrorDetail => ({
    domain: 'global',
    reason: 'invalid',
    message: `Invalid value for '${field}': ${why}`,
  }),
  required: (field: string): GoogleErrorDetail => ({
    domain: 'global',
    reason: 'required',
    message: `The '${field}' parameter is required but was missing.`,
  }),
};

/** Several 400s at once: the client shows all of them, like Google's "Multiple errors occurred". */
export function badRequest(details: GoogleErrorDetail[]): CloudDnsApiError {
  return new CloudDnsApiError(400, details);
}

/** The zone named in the path does not exist in the project. */
export function zoneNotFound(zone: string): CloudDnsApiError {
  return CloudDnsApiError.of(
    404,
    'notFound',
    `The 'parameters.managedZone' resource named '${zone}' does not exist.`,
  );
}

/** Problems with how a test uses the server (not wire errors): unknown zone, duplicate zone, bad seed data. */
export class CloudDnsTestServerUsageError extends Error {
  readonly code = 'ECLOUDDNSTESTSERVER';
  override readonly name = 'CloudDnsTestServerUsageError';
}

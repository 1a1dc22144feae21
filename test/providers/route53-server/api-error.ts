/**
 * Errors the server answers with, shaped like Route 53's: an HTTP status plus the `<ErrorResponse><Error>`
 * Type/Code/Message triple. The SDK turns Code into `error.name` and the status into
 * `$metadata.httpStatusCode`, so both must match the real service for adapter code to be tested honestly.
 */

export type Route53ErrorType = 'Sender' | 'Receiver';

export class Route53ApiError extends Error {
  readonly type: Route53ErrorType;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Route53ApiError';
    this.type = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** Misuse of the test server's own API (not a wire error): a bad seed, an unknown zone, a bad fault. */
export class Route53TestServerError extends Error {
  constructor(
    readonly code:
      'UNKNOWN_ZONE' | 'INVALID_RECORD_SET' | 'INVALID_ZONE_NAME' | 'INVALID_FAULT' | 'INVALID_OPTION',
    message: string,
  ) {
    super(message);
    this.name = 'Route53TestServerError';
  }
}

export function invalidInput(message: string): Route53ApiError {
  return new Route53ApiError(400, 'InvalidInput', message);
}

export function malformedInput(message: string): Route53ApiError {
  return new Route53ApiError(400, 'MalformedInput', message);
}

/**
 * Route 53 today answers InvalidChangeBatch in the standard ErrorResponse and packs every problem into one
 * Message as `[first, second]` (the older `<InvalidChangeBatch><Messages>` body is gone; the AWS Kotlin SDK
 * dropped its customisation for it in 2024).
 */
export function invalidChangeBatch(messages: readonly string[]): Route53ApiError {
  return new Route53ApiError(400, 'InvalidChangeBatch', `[${messages.join(', ')}]`);
}

export function noSuchHostedZone(zoneId: string): Route53ApiError {
  return new Route53ApiError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zoneId}`);
}

export function noSuchChange(changeId: string): Route53ApiError {
  return new Route53ApiError(
    404,
    'NoSuchChange',
    `A change with the specified change ID does not exist: ${changeId}`,
  );
}

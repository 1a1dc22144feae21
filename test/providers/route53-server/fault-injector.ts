/**
 * Errors on demand, so adapters' retry and fallback paths can be tested: "the next two ChangeResourceRecordSets
 * calls get PriorRequestNotComplete", or "30% of all calls get Throttling" (from a seeded generator, so a
 * failing run can be replayed with the same seed).
 */
import { Route53ApiError, Route53TestServerError } from './api-error';
import { seededRandom } from '../../support/seeded-random';

export type Route53Operation =
  'ChangeResourceRecordSets' | 'ListResourceRecordSets' | 'GetChange' | 'GetHostedZone';

export type InjectableErrorCode =
  'Throttling' | 'PriorRequestNotComplete' | 'ServiceUnavailable' | 'InternalError' | 'AccessDenied';

export interface FaultSpec {
  /** Only requests of this operation; default every operation. */
  operation?: Route53Operation;
  code: InjectableErrorCode;
  /** How many requests fail. Default 1 without `probability`; unlimited with it. */
  count?: number;
  /** Each matching request fails with this probability (0..1), drawn from a generator seeded with `seed`. */
  probability?: number;
  /** @default 1 */
  seed?: number;
}

interface ActiveFault {
  operation: Route53Operation | undefined;
  code: InjectableErrorCode;
  remaining: number;
  probability: number | undefined;
  random: () => number;
}

const INJECTABLE_CODES: readonly InjectableErrorCode[] = [
  'Throttling',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalError',
  'AccessDenied',
];

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!INJECTABLE_CODES.includes(spec.code)) {
      throw new Route53TestServerError('INVALID_FAULT', `unknown fault code ${String(spec.code)}`);
    }
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) {
      throw new Route53TestServerError(
        'INVALID_FAULT',
        `fault count must be a positive integer, got ${spec.count}`,
      );
    }
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new Route53TestServerError(
        'INVALID_FAULT',
        `fault probability must be within 0..1, got ${spec.probability}`,
      );
    }
    this.faults.push({
      operation: spec.operation,
      code: spec.code,
      remaining: spec.count ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      probability: spec.probability,
      random: seededRandom(spec.seed ?? 1),
    });
  }

  clear(): void {
    this.faults = [];
  }

  /** The error this request must fail with, if a fault fires; consumes that fault's count. */
  take(operation: Route53Operation): InjectableErrorCode | undefined {
    for (const fault of this.faults) {
      if (fault.operation !== undefined && fault.operation !== operation) continue;
      if (fault.probability !== undefined && fault.random() >= fault.probability) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((other) => other !== fault);
      return fault.code;
    }
    return undefined;
  }
}

/** The response the real service sends for each injectable code (status, and message where documented). */
export function injectedError(
  code: InjectableErrorCode,
  operation: Route53Operation,
  resource: string,
): Route53ApiError {
  switch (code) {
    case 'Throttling':
      return new Route53ApiError(400, code, 'Rate exceeded');
    case 'PriorRequestNotComplete':
      return new Route53ApiError(
        400,
        code,
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    case 'ServiceUnavailable':
      return new Route53ApiError(503, code, 'Service Unavailable. Please try again later.');
    case 'InternalError':
      return new Route53ApiError(500, code, 'We encountered an internal error. Please try again.');
    case 'AccessDenied':
      return new Route53ApiError(
        403,
        code,
        `User: arn:aws:iam::123456789012:user/quorumdns-test is not authorized to perform: route53:${operation} on resource: ${resource}`,
      );
  }
}

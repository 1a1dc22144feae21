/**
 * An answer of a provider's API that we cannot use: a body that is not the documented shape, a listing that
 * does not move forward. It is not the provider refusing the request, and a write may even have landed, so
 * adapter-call.ts reports it as UNAVAILABLE: retried, and the shared layer re-reads before it plans again.
 */
import { CodedError } from '../errors/coded-error';

export abstract class UnusableAnswerError extends CodedError {}

/** A listing that does not move forward: a broken endpoint must not keep us paging forever. */
export class ListingStalledError extends UnusableAnswerError {
  readonly code = 'LISTING_STALLED';
}

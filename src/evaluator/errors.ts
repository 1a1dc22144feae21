/**
 * Typed errors of the evaluator's Redis stores. Each has a stable `code`, and the corrupt-data errors name
 * the Redis key and the field that is wrong, so an operator can inspect (or delete) exactly that value.
 */

import { CodedError } from '../errors/coded-error';

/** A value read from Redis does not have the shape quorumdns wrote. Never trusted, never fed to the core. */
export class CorruptDataError extends CodedError {
  readonly code: string = 'ECORRUPTDATA';

  constructor(
    /** The Redis key holding the bad value. */
    readonly key: string,
    /** Where in the value: hash field, stream entry id, and/or a path inside the JSON (`record.state.pools`). */
    readonly field: string,
    /** What is wrong, in words. */
    readonly problem: string,
  ) {
    super(`corrupt data in Redis key ${key}, field ${field}: ${problem}`);
  }
}

/** The evaluator's record of a service (`ServiceKeys.state`) is malformed. */
export class CorruptStateError extends CorruptDataError {
  override readonly code = 'ECORRUPTSTATE';
}

/** A stored operator override (`ServiceKeys.overrides`) is malformed. */
export class CorruptOverrideError extends CorruptDataError {
  override readonly code = 'ECORRUPTOVERRIDE';
}

/** An entry of a service's events stream is malformed. */
export class CorruptEventError extends CorruptDataError {
  override readonly code = 'ECORRUPTEVENT';
}

/** Opinions or heartbeats written by the probe workers are malformed. */
export class CorruptProbeDataError extends CorruptDataError {
  override readonly code = 'ECORRUPTPROBEDATA';
}

/** Compare-and-set lost too many times in a row: other evaluators keep committing first. */
export class CommitConflictError extends CodedError {
  readonly code = 'ECOMMITCONFLICT';

  constructor(
    readonly service: string,
    readonly attempts: number,
  ) {
    super(`service ${service}: lost the compare-and-set ${attempts} times in a row; retrying later`);
  }
}

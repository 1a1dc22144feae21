/**
 * The base of quorumdns's small typed errors. Each kind is a class of its own (callers tell them apart with
 * `instanceof`) with a stable `code` that scripts, tests and job records match on, because messages get
 * reworded. `name` is the class's own name, set here once, so a log line or a failed job's reason says which
 * error it was without every class spelling its name a second time.
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // `new.target` is the class actually constructed (a subclass), not CodedError.
    this.name = new.target.name;
  }
}

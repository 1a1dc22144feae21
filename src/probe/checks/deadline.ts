/**
 * The one hard deadline of a check, merged with the worker's shutdown signal.
 *
 * Every check kind listens to a single `AbortSignal` instead of juggling its own timers: the signal
 * aborts when `timeout` expires (reason `CheckDeadlineExpiredError`) or when the caller's signal aborts
 * (reason `CheckAbortedError`), whichever comes first. Redirect hops share it, so following redirects
 * never extends the deadline.
 */

/** The check's `timeout` expired before it had a verdict. */
export class CheckDeadlineExpiredError extends Error {
  readonly code = 'QDNS_CHECK_DEADLINE_EXPIRED';

  constructor(readonly timeoutMs: number) {
    super(`check deadline of ${timeoutMs} ms expired`);
    this.name = 'CheckDeadlineExpiredError';
  }
}

/** The caller aborted the check (worker shutdown). */
export class CheckAbortedError extends Error {
  readonly code = 'QDNS_CHECK_ABORTED';

  constructor() {
    super('check aborted');
    this.name = 'CheckAbortedError';
  }
}

export type CheckStopReason = CheckDeadlineExpiredError | CheckAbortedError;

/**
 * One listener per caller signal, fanned out to the checks in flight. The worker hands the same shutdown
 * signal to thousands of concurrent checks; one listener each would trip Node's MaxListeners warning and
 * make every abort walk a long listener list.
 */
const abortSubscribers = new WeakMap<AbortSignal, Set<() => void>>();

function subscribeToAbort(signal: AbortSignal, onAbort: () => void): () => void {
  let subscribers = abortSubscribers.get(signal);
  if (subscribers === undefined) {
    const created = new Set<() => void>();
    subscribers = created;
    abortSubscribers.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        const current = [...created];
        created.clear();
        for (const subscriber of current) subscriber();
      },
      { once: true },
    );
  }
  const set = subscribers;
  set.add(onAbort);
  return () => set.delete(onAbort);
}

export class CheckDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private unsubscribeExternal: () => void = () => undefined;

  /**
   * @param timeoutMs - the check's hard total deadline; values below 1 ms are treated as 1 ms.
   * @param externalSignal - aborts the check early (worker shutdown).
   */
  constructor(
    readonly timeoutMs: number,
    externalSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(
      () => this.stop(new CheckDeadlineExpiredError(timeoutMs)),
      Math.max(1, timeoutMs),
    );
    if (externalSignal?.aborted) {
      this.stop(new CheckAbortedError());
    } else if (externalSignal !== undefined) {
      this.unsubscribeExternal = subscribeToAbort(externalSignal, () => this.stop(new CheckAbortedError()));
    }
  }

  /** Aborts with a `CheckStopReason` as `reason`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the check was stopped, once it was. */
  get stopReason(): CheckStopReason | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof CheckDeadlineExpiredError || reason instanceof CheckAbortedError
      ? reason
      : undefined;
  }

  /** Releases the timer and the listener on the caller's signal. Idempotent; must be called once the check ends. */
  dispose(): void {
    clearTimeout(this.timer);
    this.unsubscribeExternal();
  }

  private stop(reason: CheckStopReason): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.controller.abort(reason);
  }
}

/**
 * Subscribes to the deadline while one piece of I/O is in flight; returns the unsubscribe function.
 * Calls `onStop` synchronously when the deadline has already stopped.
 */
export function onDeadlineStop(
  deadline: CheckDeadline,
  onStop: (reason: CheckStopReason) => void,
): () => void {
  const signal = deadline.signal;
  const listener = (): void => onStop(deadline.stopReason ?? new CheckAbortedError());
  if (signal.aborted) {
    listener();
    return () => undefined;
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * Bounded polling for integration tests: check a condition until it holds or a deadline passes.
 * The deadline is an upper bound on a real event, never a sleep tuned until a test passes.
 */
export interface WaitForOptions {
  /** Default 10 s: generous, because the machine is shared; a passing test returns as soon as it can. */
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error, so a failure says what never happened. */
  what?: string;
}

/** Polls `condition` until it returns a truthy value (which it returns) or the deadline passes (throws). */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, what = 'condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

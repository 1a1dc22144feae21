/**
 * Time as the scheduler sees it. Injected so tests drive the scheduler with fake time instead of sleeping,
 * and so the wall clock is read in one place.
 */
export interface Clock {
  /** Epoch milliseconds. Slots are computed from the Unix epoch, so they line up across workers and restarts. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it (a no-op once it has run). */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

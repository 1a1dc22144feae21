/**
 * Upper bounds (ms) of the schedule-slip histogram buckets: from "on time" (a timer fires within a
 * millisecond) to "the worker is badly overloaded" (seconds late).
 */
export const SLIP_BUCKET_BOUNDS_MS: readonly number[] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

/** Cumulative since start: what a Prometheus histogram needs. */
export interface SlipHistogramSnapshot {
  /** Upper bounds in ms, ascending. */
  boundsMs: readonly number[];
  /**
   * Samples per bucket (not cumulative): `counts[i]` holds samples in (boundsMs[i-1], boundsMs[i]];
   * the last entry (index `boundsMs.length`) holds those above the highest bound.
   */
  counts: readonly number[];
  count: number;
  sumMs: number;
}

/**
 * Counts every slip sample into fixed buckets, for ever (unlike the `SlipWindow` of recent samples).
 * One comparison loop over ten bounds and three number increments per sample, no allocation: it sits on the
 * path of every check.
 */
export class SlipHistogram {
  private readonly bounds: readonly number[];
  private readonly buckets: Float64Array;
  private count = 0;
  private sumMs = 0;

  constructor(boundsMs: readonly number[] = SLIP_BUCKET_BOUNDS_MS) {
    for (let i = 1; i < boundsMs.length; i += 1) {
      if (!((boundsMs[i] as number) > (boundsMs[i - 1] as number))) {
        throw new RangeError(`histogram bounds must be ascending, got ${boundsMs.join(', ')}`);
      }
    }
    this.bounds = [...boundsMs];
    this.buckets = new Float64Array(boundsMs.length + 1);
  }

  add(valueMs: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && valueMs > (bounds[i] as number)) i += 1;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.count += 1;
    this.sumMs += valueMs;
  }

  snapshot(): SlipHistogramSnapshot {
    return { boundsMs: this.bounds, counts: Array.from(this.buckets), count: this.count, sumMs: this.sumMs };
  }
}

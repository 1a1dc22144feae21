/** Percentiles of the most recent `capacity` samples (a ring buffer: constant memory, O(1) per sample). */
export class SlipWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 10_000) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
    this.samples = new Float64Array(capacity);
  }

  add(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
  }

  reset(): void {
    this.next = 0;
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank percentiles; all zero when there is no sample yet. */
  summary(): { p50: number; p99: number; max: number; samples: number } {
    if (this.count === 0) return { p50: 0, p99: 0, max: 0, samples: 0 };
    const sorted = this.samples.slice(0, this.count).sort();
    const rank = (p: number) =>
      sorted[Math.min(this.count - 1, Math.max(0, Math.ceil(p * this.count) - 1))] ?? 0;
    return { p50: rank(0.5), p99: rank(0.99), max: sorted[this.count - 1] ?? 0, samples: this.count };
  }
}

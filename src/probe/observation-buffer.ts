/**
 * A bounded FIFO of observations waiting for Redis. When full, the OLDEST item is dropped (and counted):
 * during a long outage the newest observations say most about the present.
 *
 * A ring buffer, so 10,000 waiting observations cost one array and no shifting.
 */
export class ObservationBuffer<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private droppedTotal = 0;

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.ring = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Items dropped because the buffer was full, since creation. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.count === this.capacity) {
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count -= 1;
      this.droppedTotal += 1;
    }
    this.ring[(this.head + this.count) % this.capacity] = item;
    this.count += 1;
  }

  /** Removes and returns up to `max` of the oldest items, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const items: T[] = new Array<T>(n);
    for (let i = 0; i < n; i += 1) {
      items[i] = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.count -= n;
    return items;
  }

  /**
   * Puts items taken earlier back in front, in their order (a batch Redis did not take). Items newer than
   * them may have arrived meanwhile; if they no longer all fit, the oldest of the returned items are dropped.
   */
  putBack(items: readonly T[]): void {
    const room = this.capacity - this.count;
    const keep = items.length <= room ? items : items.slice(items.length - room);
    this.droppedTotal += items.length - keep.length;
    for (let i = keep.length - 1; i >= 0; i -= 1) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.ring[this.head] = keep[i];
      this.count += 1;
    }
  }
}

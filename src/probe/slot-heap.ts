/** An item the heap orders by `due`; `heapIndex` is owned by the heap (-1 when not in it). */
export interface HeapItem {
  due: number;
  heapIndex: number;
}

/**
 * A binary min-heap on `due` that knows where each item sits, so an item can be removed or re-keyed in
 * O(log n). The scheduler keeps one entry per endpoint in it and arms a single timer for the earliest slot:
 * 10,000 endpoints cost one timer, not 10,000.
 */
export class SlotHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): void {
    const index = item.heapIndex;
    if (index < 0 || this.items[index] !== item) return;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.up(index);
    this.down(last.heapIndex);
  }

  /** Changes an item's `due` and restores the order (the item must be in the heap). */
  update(item: T, due: number): void {
    item.due = due;
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  private up(index: number): void {
    const item = this.items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.items[parentIndex] as T;
      if (parent.due <= item.due) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
  }

  private down(index: number): void {
    const item = this.items[index] as T;
    const length = this.items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child =
        right < length && (this.items[right] as T).due < (this.items[left] as T).due ? right : left;
      const childItem = this.items[child] as T;
      if (childItem.due >= item.due) break;
      this.place(childItem, index);
      index = child;
    }
    this.place(item, index);
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    item.heapIndex = index;
  }
}

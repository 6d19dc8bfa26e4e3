// A bounded ring, oldest first: pushing past the capacity drops the oldest entry (§1.3 rings).
export class Ring<T> {
  private items: T[] = [];
  private nextSeq = 1n;
  /** A frozen copy of `items`, kept until the ring changes. */
  private copy: readonly T[] | undefined;
  /** Entries dropped to stay within the capacity. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  /** Appends `make(seq)` with the next sequence number (1, 2, ...). */
  push(make: (seq: bigint) => T): T {
    const item = make(this.nextSeq++);
    this.items.push(item);
    this.copy = undefined;
    if (this.items.length > this.capacity) {
      this.items.shift();
      this.dropped++;
    }
    return item;
  }

  get size(): number {
    return this.items.length;
  }

  /** The retained entries, oldest first, as a frozen array shared until the ring changes. */
  values(): readonly T[] {
    this.copy ??= Object.freeze(this.items.slice());
    return this.copy;
  }

  clear(): void {
    this.items = [];
    this.copy = undefined;
  }
}

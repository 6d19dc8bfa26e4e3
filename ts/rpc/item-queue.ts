// The buffered items of one streaming call as an AsyncIterableIterator with a hook per item the
// consumer takes (where credit goes back to the sender): the responses a caller reads
// (ResponseItems) and the uploads a handler reads (UploadQueue).
export abstract class ItemQueue implements AsyncIterableIterator<Uint8Array> {
  #items: Uint8Array[] = [];
  #head = 0;
  #done = false;
  #error: Error | undefined;
  #waiter: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;

  /** An item went to the consumer. */
  protected abstract taken(): void;
  /** The consumer waits on an empty queue. */
  protected waiting(): void {}
  /** The consumer stopped early (`return()` before the end). */
  protected stopped(): void {}

  /** Items received and not yet taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#done;
  }

  /** Hands `item` to a waiting consumer or buffers it. False once ended. */
  protected offer(item: Uint8Array): boolean {
    if (this.#done) return false;
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      this.taken();
      w.resolve({ value: item, done: false });
      return true;
    }
    this.#items.push(item);
    return true;
  }

  /** No more items; with `err`, the consumer's read after the buffered items rejects with it. */
  end(err?: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = err;
    const w = this.#waiter;
    this.#waiter = undefined;
    if (!w) return;
    if (err) {
      this.#error = undefined;
      w.reject(err);
    } else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      if (this.#head > 256 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      this.taken();
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) {
      const e = this.#error;
      this.#error = undefined;
      return e ? Promise.reject(e) : Promise.resolve({ value: undefined, done: true });
    }
    this.waiting();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#done) {
      this.#items = [];
      this.#head = 0;
      this.end();
      this.stopped();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }
}

// A push-fed AsyncIterable: producers `push`, one consumer iterates. It ends when the consumer
// breaks (`return()`), when its AbortSignal fires, or when the producer calls `end()`;
// `fail(err)` makes the pending and next reads reject. Unbounded by design: the callers bound it
// (stream credit for events, a handful of peer transitions).
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private done = false;
  private error: unknown;
  private readonly onEnd: (() => void) | undefined;
  private readonly onTake: ((item: T) => void) | undefined;
  private readonly onDiscard: ((items: T[]) => void) | undefined;

  /**
   * `onTake` sees every item the consumer receives; `onDiscard` the items dropped unread when the
   * consumer breaks off (`return()`).
   */
  constructor(opts: { signal?: AbortSignal; onEnd?: () => void; onTake?: (item: T) => void; onDiscard?: (items: T[]) => void } = {}) {
    this.onEnd = opts.onEnd;
    this.onTake = opts.onTake;
    this.onDiscard = opts.onDiscard;
    const { signal } = opts;
    if (signal) {
      if (signal.aborted) this.end();
      else signal.addEventListener('abort', () => this.end(), { once: true });
    }
  }

  get ended(): boolean {
    return this.done;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.done) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      this.onTake?.(item);
      w.resolve({ value: item, done: false });
      return;
    }
    this.items.push(item);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    const w = this.waiter;
    this.waiter = undefined;
    if (this.error !== undefined) w?.reject(this.error);
    else w?.resolve({ value: undefined, done: true });
    this.onEnd?.();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.onTake?.(value);
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (this.onDiscard && this.head < this.items.length) this.onDiscard(this.items.slice(this.head));
    this.items = [];
    this.head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** `await using` support: ends the iteration like `return()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

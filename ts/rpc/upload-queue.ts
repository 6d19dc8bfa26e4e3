// The items of one client-streaming or duplex call on the server (rpc-tools.md §5), as the
// AsyncIterable its handler drains. It ends at REQUEST_END, or when the call is aborted. With an
// upload window (`nrpc-request-window-initial`) each consumed REQUEST_CHUNK item is credited back
// to the caller in coalesced REQUEST_GRANTs.
export class UploadQueue implements AsyncIterableIterator<Uint8Array> {
  #items: Uint8Array[] = [];
  #head = 0;
  #ended = false;
  #waiter: ((r: IteratorResult<Uint8Array>) => void) | undefined;
  /** Whether the next item taken is the REQUEST's own body (not credited: only chunks are). */
  #firstIsRequest = false;
  #toGrant = 0;

  constructor(
    /** The upload window, or undefined for none. */
    private readonly window: number | undefined,
    private readonly grant: (credits: number) => void,
  ) {}

  /** Items received and not yet taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** `fromRequest`: the item is the REQUEST's body. */
  push(item: Uint8Array, fromRequest: boolean): void {
    if (this.#ended) return;
    if (fromRequest && this.size === 0) this.#firstIsRequest = true;
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      this.#taken();
      w({ value: item, done: false });
      return;
    }
    this.#items.push(item);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      if (this.#head > 256 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      this.#taken();
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    this.#flushGrant();
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<Uint8Array>> {
    this.#items = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  #taken(): void {
    if (this.#firstIsRequest) {
      this.#firstIsRequest = false;
      return;
    }
    if (this.window === undefined || this.#ended) return;
    this.#toGrant++;
    if (this.#toGrant >= Math.max(1, this.window >>> 1)) this.#flushGrant();
  }

  #flushGrant(): void {
    if (this.#toGrant === 0 || this.#ended) return;
    const n = this.#toGrant;
    this.#toGrant = 0;
    this.grant(n);
  }
}

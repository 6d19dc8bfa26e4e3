// The items of one client-streaming or duplex call on the server (rpc-tools.md §5), as the
// AsyncIterable its handler drains. It ends at REQUEST_END, or when the call is aborted. With an
// upload window (`nrpc-request-window-initial`) each consumed REQUEST_CHUNK item is credited back
// to the caller in coalesced REQUEST_GRANTs (half a window at a time, or when the handler waits).
import { ItemQueue } from './item-queue.js';

export class UploadQueue extends ItemQueue {
  /** Whether the next item taken is the REQUEST's own body (not credited: only chunks are). */
  #firstIsRequest = false;
  #toGrant = 0;

  constructor(
    /** The upload window, or undefined for none. */
    private readonly window: number | undefined,
    private readonly grant: (credits: number) => void,
  ) {
    super();
  }

  /** `fromRequest`: the item is the REQUEST's body. */
  push(item: Uint8Array, fromRequest: boolean): void {
    if (fromRequest && this.size === 0) this.#firstIsRequest = true;
    this.offer(item);
  }

  protected taken(): void {
    if (this.#firstIsRequest) {
      this.#firstIsRequest = false;
      return;
    }
    if (this.window === undefined || this.ended) return;
    if (++this.#toGrant >= Math.max(1, this.window >>> 1)) this.#flushGrant();
  }

  protected override waiting(): void {
    this.#flushGrant();
  }

  #flushGrant(): void {
    if (this.#toGrant === 0 || this.ended) return;
    const n = this.#toGrant;
    this.#toGrant = 0;
    this.grant(n);
  }
}

// The memory sealed datagrams are copied into on their way to the transport. A fresh buffer per
// flush costs an allocation and page faults per byte sent (most of the copy's cost); when the
// transport says it kept no reference to the last flush's datagrams (they are in the kernel), the
// same buffer serves the next flush. When it did keep them (a socket queue, a runtime that sends
// later, a memory hub that delivers later), the buffer is left to them and a new one is made.
export class SendSlab {
  private buf = new Uint8Array(0);
  private used = 0;
  /** Bytes asked for in this flush (one-off regions included). */
  private asked = 0;
  /** The largest flush seen: a new buffer is made that large. */
  private want = 1 << 16;

  /** `n` bytes for this flush's datagrams, valid until `release`. */
  take(n: number): Uint8Array {
    this.asked += n;
    if (this.used + n > this.buf.length) {
      // Earlier regions of this flush stay where they are: a one-off buffer when the slab is in use.
      if (this.used > 0) return new Uint8Array(n);
      this.want = Math.max(this.want, n);
      this.buf = new Uint8Array(this.want);
    }
    const region = this.buf.subarray(this.used, this.used + n);
    this.used += n;
    return region;
  }

  /** The flush's datagrams were handed over; `reusable`: the transport holds none of them. */
  release(reusable: boolean): void {
    this.want = Math.max(this.want, this.asked);
    if (!reusable && this.used > 0) this.buf = new Uint8Array(0);
    // A buffer smaller than the busiest flush is replaced at the next flush's first take.
    else if (this.buf.length < this.want) this.buf = new Uint8Array(0);
    this.used = 0;
    this.asked = 0;
  }
}

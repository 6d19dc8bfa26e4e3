// In-order release of one inbound stream's packets by stream seq. The stream layer delivers each
// reliable packet exactly once but in arrival order (streams.md §10, §14 (a): "consumers needing
// order reassemble by seq"); nRPC needs order within a call (stream items, upload chunks, END
// after the last item), so every nRPC stream passes through one gate per (peer, stream id).
//
// A reliable sender fills every gap eventually (or resets the stream, which resets the gate), so
// a gap is waited for. A gap older than `gapTimeoutMs`, or more than `maxHeld` packets held, is
// skipped: only a peer that marks frames reliable without retransmitting them (Net v0.27.0, §1)
// leaves one. A packet below the expected seq is a duplicate of an unreliable stream, unless it
// is near 0 while the gate is far ahead: the sender started a new lifetime of the stream (session
// replaced, record evicted) without the gate seeing a reset. Time is passed in.

export interface SeqGateOptions {
  gapTimeoutMs: number;
  maxHeld: number;
}

/** Seqs below this, arriving when the gate expects more than RESTART_DISTANCE above them, start a new lifetime. */
const RESTART_WINDOW = 64n;
const RESTART_DISTANCE = 128n;

export class SeqGate<T> {
  #next = 0n;
  readonly #held = new Map<bigint, T>();
  /** When the oldest unfilled gap opened (NaN: none). */
  #gapSince = Number.NaN;
  #skipped = 0;
  #duplicates = 0;

  constructor(
    private readonly release: (item: T) => void,
    private readonly opts: SeqGateOptions,
  ) {}

  /** Packets waiting behind a gap. */
  get held(): number {
    return this.#held.size;
  }

  /** Gaps given up on, and packets dropped as duplicates, since creation. */
  get counters(): { skipped: number; duplicates: number } {
    return { skipped: this.#skipped, duplicates: this.#duplicates };
  }

  push(seq: bigint, item: T, now: number): void {
    if (seq === this.#next) {
      this.#next++;
      this.release(item);
      if (this.#held.size > 0) this.#drain(now);
      return;
    }
    if (seq < this.#next) {
      if (seq < RESTART_WINDOW && this.#next - seq > RESTART_DISTANCE) {
        this.#flushAll();
        this.#next = 0n;
        this.push(seq, item, now);
      } else {
        this.#duplicates++;
      }
      return;
    }
    if (this.#held.has(seq)) {
      this.#duplicates++;
      return;
    }
    this.#held.set(seq, item);
    if (Number.isNaN(this.#gapSince)) this.#gapSince = now;
    if (this.#held.size > this.opts.maxHeld) this.#skip(now);
  }

  /** Skips a gap older than the timeout; returns true while packets are still held. */
  tick(now: number): boolean {
    if (this.#held.size > 0 && now - this.#gapSince >= this.opts.gapTimeoutMs) this.#skip(now);
    return this.#held.size > 0;
  }

  /** The stream was reset: what is held is released in order, and the next lifetime starts at seq 0. */
  reset(): void {
    this.#flushAll();
    this.#next = 0n;
  }

  #skip(now: number): void {
    let min: bigint | undefined;
    for (const s of this.#held.keys()) if (min === undefined || s < min) min = s;
    if (min === undefined) return;
    this.#skipped++;
    this.#next = min;
    this.#drain(now);
  }

  #drain(now: number): void {
    for (let item = this.#held.get(this.#next); item !== undefined || this.#held.has(this.#next); item = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      this.#next++;
      this.release(item as T);
    }
    this.#gapSince = this.#held.size > 0 ? now : Number.NaN;
  }

  #flushAll(): void {
    if (this.#held.size === 0) return;
    const seqs = [...this.#held.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const s of seqs) {
      const item = this.#held.get(s) as T;
      this.#held.delete(s);
      this.release(item);
    }
    this.#gapSince = Number.NaN;
  }
}

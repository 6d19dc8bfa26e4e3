// In-order release of one inbound stream's packets by stream seq. The stream layer delivers each
// reliable packet exactly once but in arrival order (streams.md §10, §14 (a): "consumers needing
// order reassemble by seq"); nRPC needs order within a call (stream items, upload chunks, END
// after the last item), so every nRPC stream passes through one gate per (peer, stream id).
//
// A reliable sender fills every gap eventually (or resets the stream, which resets the gate), so
// a gap is waited for. A gap older than `gapTimeoutMs`, or more than `maxHeld` packets held, is
// skipped: only a peer that marks frames reliable without retransmitting them (Net v0.27.0, §1)
// leaves one. The stream layer drops reliable duplicates before this point, so a packet below the
// expected seq means the sender started a new lifetime of the stream (session replaced, record
// reset or evicted) without the gate seeing a reset: seq 0 restarts the gate, and packets of the
// new lifetime that overtook it wait in a small limbo until it comes (they expire after
// `gapTimeoutMs`, as duplicates of an unreliable stream would). Time is passed in.

export interface SeqGateOptions {
  gapTimeoutMs: number;
  maxHeld: number;
}

/** Packets below the expected seq kept for a possible restart at seq 0. */
const MAX_LIMBO = 64;

export class SeqGate<T> {
  #next = 0n;
  readonly #held = new Map<bigint, T>();
  readonly #limbo = new Map<bigint, { item: T; at: number }>();
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

  /** Gaps given up on, and packets below the expected seq (kept in limbo a while), since creation. */
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
      if (seq === 0n) {
        // A new lifetime: what waited behind a gap of the old one goes first, then seq 0 and
        // whatever of the new lifetime overtook it.
        this.#flushAll();
        const early = [...this.#limbo].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        this.#limbo.clear();
        this.#next = 0n;
        this.push(0n, item, now);
        for (const [s, e] of early) this.push(s, e.item, now);
        return;
      }
      this.#duplicates++;
      if (this.#limbo.size >= MAX_LIMBO) this.#limbo.delete(this.#limbo.keys().next().value!);
      this.#limbo.set(seq, { item, at: now });
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
    for (const [s, e] of this.#limbo) if (now - e.at >= this.opts.gapTimeoutMs) this.#limbo.delete(s);
    return this.#held.size > 0 || this.#limbo.size > 0;
  }

  /** Packets kept in limbo (below the expected seq, waiting for a possible restart). */
  get limbo(): number {
    return this.#limbo.size;
  }

  /** The stream was reset: what is held is released in order, and the next lifetime starts at seq 0. */
  reset(): void {
    this.#flushAll();
    this.#limbo.clear();
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

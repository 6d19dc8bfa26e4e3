// The engine's one timer owner: deadlines on the engine clock (ms, passed in), kept in a binary
// heap. The driver arms a single host timer for `next()` and calls `run(now)` when it fires, so
// the engine itself never reads a clock or calls setTimeout (time is passed in, as in quinn-proto).

export interface Timer {
  /** Deadline on the engine clock; Infinity once cancelled or run. */
  at: number;
  readonly fn: (now: number) => void;
  /** Position in the heap, −1 when not scheduled. */
  index: number;
}

export class Timers {
  private readonly heap: Timer[] = [];

  /** Runs `fn(now)` at the first `run(now)` with now ≥ at. */
  schedule(at: number, fn: (now: number) => void): Timer {
    const t: Timer = { at, fn, index: this.heap.length };
    this.heap.push(t);
    this.up(t.index);
    return t;
  }

  /** Moves a scheduled (or finished) timer to a new deadline. */
  reschedule(t: Timer, at: number): void {
    if (t.index < 0) {
      t.at = at;
      t.index = this.heap.length;
      this.heap.push(t);
      this.up(t.index);
      return;
    }
    const before = t.at;
    t.at = at;
    if (at < before) this.up(t.index);
    else this.down(t.index);
  }

  cancel(t: Timer | undefined): void {
    if (!t || t.index < 0) return;
    const i = t.index;
    const last = this.heap.pop()!;
    if (last !== t) {
      this.heap[i] = last;
      last.index = i;
      this.up(i);
      this.down(last.index);
    }
    t.index = -1;
    t.at = Infinity;
  }

  /** The earliest deadline (Infinity when nothing is scheduled). */
  next(): number {
    return this.heap.length ? this.heap[0]!.at : Infinity;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Runs every timer due at `now`, earliest first; ones scheduled meanwhile for ≤ now run too. */
  run(now: number): void {
    // A callback that keeps rescheduling itself at `now` would loop forever: bound the work.
    for (let budget = this.heap.length + 64; budget > 0 && this.heap.length && this.heap[0]!.at <= now; budget--) {
      const t = this.heap[0]!;
      this.cancel(t);
      t.fn(now);
    }
  }

  clear(): void {
    for (const t of this.heap) {
      t.index = -1;
      t.at = Infinity;
    }
    this.heap.length = 0;
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= t.at) break;
      h[i] = h[p]!;
      h[i]!.index = i;
      i = p;
    }
    h[i] = t;
    t.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1]!.at < h[c]!.at) c++;
      if (h[c]!.at >= t.at) break;
      h[i] = h[c]!;
      h[i]!.index = i;
      i = c;
    }
    h[i] = t;
    t.index = i;
  }
}

// A MeshOsClock that moves only when a test advances it. Timers due at the same instant fire in
// the order they were set.
import type { MeshOsClock } from '../../ts/meshos/types.js';

interface ManualTimer {
  due: number;
  order: number;
  cb: () => void;
}

/** A clock that moves only when `advance` is called; `wallNow` is `wallBase + now`. */
export class ManualClock implements MeshOsClock {
  private t: number;
  private order = 0;
  private timers: ManualTimer[] = [];

  constructor(
    start = 0,
    private readonly wallBase = 1_700_000_000_000,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  wallNow(): number {
    return this.wallBase + this.t;
  }

  setTimer(cb: () => void, ms: number): () => void {
    const timer: ManualTimer = { due: this.t + Math.max(0, ms), order: this.order++, cb };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Timers currently set. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way (including timers set
   * by those callbacks) at its own due time. Awaits a macrotask after each firing so promise
   * chains started by a callback settle before the next one.
   */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const tm of this.timers) if (tm.due <= end && (!next || tm.due < next.due || (tm.due === next.due && tm.order < next.order))) next = tm;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.due);
      next.cb();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets pending promise callbacks run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

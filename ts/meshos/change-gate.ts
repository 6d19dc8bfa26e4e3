// The change gate of §1.4: a wrapping u64 counter that advances only when the structural view
// differs, by deep equality, from the last one published (the first publish always advances it),
// and listeners woken once per advance.
import { deepEqual } from './deep-equal.js';

const U64 = (1n << 64n) - 1n;

export class ChangeGate<T> {
  private last: T | undefined;
  private published = false;
  private value = 0n;
  private readonly listeners = new Set<(counter: bigint) => void>();

  get counter(): bigint {
    return this.value;
  }

  /**
   * Compares `view` with the last published view; on a difference keeps it and advances the
   * counter. Listeners are not called here: call `notify()` once the snapshot is stored.
   */
  offer(view: T): boolean {
    if (this.published && deepEqual(view, this.last)) return false;
    this.last = view;
    this.published = true;
    this.value = (this.value + 1n) & U64;
    return true;
  }

  notify(): void {
    const c = this.value;
    for (const l of [...this.listeners]) {
      try {
        l(c);
      } catch (e) {
        // A consumer's failure must not stop the loop; surface it like an unhandled error.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** Calls `listener(counter)` after each structural change; returns an unsubscribe. */
  subscribe(listener: (counter: bigint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Test seam: start the counter elsewhere (e.g. just below the u64 wrap). */
  static startingAt<T>(value: bigint): ChangeGate<T> {
    const g = new ChangeGate<T>();
    g.value = value & U64;
    return g;
  }
}

// The replay window of wire.md §13 in plain TypeScript (the core keeps its own per PacketSession;
// this one is for callers that open packets with a bare key). Same rules as core-rs/src/replay.
import { checkU64 } from './header.js';

export const REPLAY_WINDOW_SIZE = 1024;
const WORDS = REPLAY_WINDOW_SIZE / 32;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

export class ReplayWindow {
  #rxNext = 0n;
  /** Bit k (word k >> 5, bit k & 31) stands for counter rxNext − 1 − k. */
  readonly #bits = new Uint32Array(WORDS);

  /** Highest admitted counter + 1 (0n before the first admission). */
  get rxNext(): bigint {
    return this.#rxNext;
  }

  /** Whether `admit(counter)` would accept, without changing state. */
  check(counter: bigint): boolean {
    checkU64('counter', counter);
    if (counter === U64_MAX) return false;
    if (counter >= this.#rxNext) return true;
    const age = this.#rxNext - 1n - counter;
    return age < BigInt(REPLAY_WINDOW_SIZE) && !this.#bit(Number(age));
  }

  /**
   * Applies §13; returns true and records the counter if accepted. A refusal changes nothing.
   * Call it only after the packet authenticated.
   */
  admit(counter: bigint): boolean {
    checkU64('counter', counter);
    if (counter === U64_MAX) return false; // rule 1
    if (counter >= this.#rxNext) {
      // rule 2: shift up by the distance, set bit 0
      const n = counter - this.#rxNext + 1n;
      this.#shiftUp(n >= BigInt(REPLAY_WINDOW_SIZE) ? REPLAY_WINDOW_SIZE : Number(n));
      this.#bits[0]! |= 1;
      this.#rxNext = counter + 1n;
      return true;
    }
    // rule 3: inside the window and unseen
    const ageBig = this.#rxNext - 1n - counter;
    if (ageBig >= BigInt(REPLAY_WINDOW_SIZE)) return false;
    const age = Number(ageBig);
    if (this.#bit(age)) return false;
    this.#bits[age >>> 5]! |= 1 << (age & 31);
    return true;
  }

  /** Back to the initial state (rxNext 0, nothing seen). */
  reset(): void {
    this.#rxNext = 0n;
    this.#bits.fill(0);
  }

  #bit(age: number): boolean {
    return ((this.#bits[age >>> 5]! >>> (age & 31)) & 1) === 1;
  }

  #shiftUp(n: number): void {
    const b = this.#bits;
    if (n >= REPLAY_WINDOW_SIZE) {
      b.fill(0);
      return;
    }
    const words = n >>> 5;
    const bits = n & 31;
    for (let i = WORDS - 1; i >= 0; i--) {
      const lo = i >= words ? b[i - words]! : 0;
      const carry = bits !== 0 && i > words ? b[i - words - 1]! >>> (32 - bits) : 0;
      b[i] = bits === 0 ? lo : ((lo << bits) | carry) >>> 0;
    }
  }
}

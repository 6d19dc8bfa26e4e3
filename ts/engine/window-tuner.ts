// Send-window autotuning for reliable streams without an explicit windowBytes (issue 8 item 4; the idea
// of TCP receive-window autotuning, driven from the sender since grants here are absolute counts
// and the sender's window is what caps them). The window doubles, up to the node's cap, after an
// epoch in which
//   - the app waited for credit (the stream was credit-limited), and
//   - the credit cycle — bytes admitted → a grant covering them — stayed close to the shortest
//     cycle seen (≤ 2 × min + 1 ms): the extra credit then fills an empty pipe instead of a queue,
//     so a window that is already large enough for the bandwidth-delay product stops growing;
//   - nothing was retransmitted (a loss says the path, or the receiver's socket buffer, is full).
// An epoch lasts at least 1 ms and two shortest cycles.

/** A minimum older than this is replaced by the next sample (paths change). */
const MIN_CYCLE_LIFETIME_MS = 10_000;
const MIN_EPOCH_MS = 1;
/** Queueing a doubling may add on top of twice the shortest cycle. */
const CYCLE_SLACK_MS = 1;

export class WindowTuner {
  /** Cumulative charge the pending mark waits to see consumed (−1: no mark pending). */
  private markBytes = -1;
  private markAt = 0;
  private minCycle = Infinity;
  private minAt = 0;
  /** The longest cycle that completed in the current epoch (−1: none completed yet). */
  private epochCycle = -1;
  private epochStart = -1;
  private epochConsumed = 0;
  private epochRetransmits = 0;
  /** The app waited for credit since the epoch started. */
  limited = false;

  /** Packets were admitted; `sentCharge` is the stream's cumulative charge after them. */
  onAdmitted(sentCharge: number, now: number): void {
    if (this.markBytes >= 0) return;
    this.markBytes = sentCharge;
    this.markAt = now;
  }

  /** A grant reported `consumed` cumulative bytes. */
  onGrant(consumed: number, now: number): void {
    if (this.markBytes < 0 || consumed < this.markBytes) return;
    const cycle = now - this.markAt;
    this.markBytes = -1;
    this.epochCycle = Math.max(this.epochCycle, cycle);
    if (cycle <= this.minCycle || now - this.minAt > MIN_CYCLE_LIFETIME_MS) {
      this.minCycle = cycle;
      this.minAt = now;
    }
  }

  /** The window to use after this flush (the same one unless an epoch ended in favour of growth). */
  next(window: number, cap: number, consumed: number, retransmits: number, now: number): number {
    if (this.epochStart < 0) {
      this.epochStart = now;
      this.epochConsumed = consumed;
      this.epochRetransmits = retransmits;
      this.limited = false;
      return window;
    }
    const min = Number.isFinite(this.minCycle) ? this.minCycle : 0;
    if (now - this.epochStart < Math.max(MIN_EPOCH_MS, 2 * min)) return window;
    let next = window;
    const progressed = consumed - this.epochConsumed >= window / 4;
    const clean = retransmits === this.epochRetransmits;
    // Judged on cycles measured in this epoch only: a stale short one says nothing about now.
    const short = this.epochCycle >= 0 && this.epochCycle <= 2 * min + CYCLE_SLACK_MS;
    if (this.limited && progressed && clean && short) next = Math.min(cap, window * 2);
    this.epochCycle = -1;
    this.epochStart = now;
    this.epochConsumed = consumed;
    this.epochRetransmits = retransmits;
    this.limited = false;
    return next;
  }
}

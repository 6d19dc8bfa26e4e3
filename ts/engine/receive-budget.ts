// Credit follows consumption (ARCHITECTURE.md): the event bytes a node delivered to its app count
// as consumed — and go back to their senders as credit — when the app takes them, or at once while
// the node's unread bytes stay within the receive budget. Bytes beyond it are owed to their stream
// and released as the app reads (its own or any other stream's events: room is room).
import type { StreamRecord } from './stream-record.js';

export class ReceiveBudget {
  /** Event bytes delivered to the app, unread and released (≤ the budget). */
  private freeUnread = 0;
  /** Every event byte delivered to the app and not taken yet (released or owed). */
  unread = 0;
  /** Records with owed (unreleased) bytes, to release when the budget frees up. */
  private readonly owing = new Set<StreamRecord>();

  constructor(
    private readonly budget: number,
    /** A record's released bytes grew outside a packet's arrival: its grant should go at once. */
    private readonly released: (rec: StreamRecord) => void,
  ) {}

  /** `bytes` event bytes of `rec` reach the app: released as far as the budget has room, the rest owed. */
  delivered(rec: StreamRecord, bytes: number): void {
    rec.rxUnread += bytes;
    this.unread += bytes;
    const now = Math.max(0, Math.min(bytes, this.budget - this.freeUnread));
    this.freeUnread += now;
    rec.rxReleased += now;
    if (now < bytes) {
      rec.rxOwed += bytes - now;
      this.owing.add(rec);
    }
  }

  /** The app took (consumed) `bytes` event bytes of `rec`. */
  taken(rec: StreamRecord, bytes: number): void {
    const t = Math.min(bytes, rec.rxUnread);
    rec.rxUnread -= t;
    this.unread -= t;
    const fromOwed = Math.min(t, rec.rxOwed);
    rec.rxOwed -= fromOwed;
    rec.rxReleased += fromOwed;
    this.freeUnread -= t - fromOwed;
    if (rec.rxOwed === 0) this.owing.delete(rec);
    if (fromOwed > 0) this.released(rec);
    this.releaseOwed();
  }

  /** Drops a gone record's unread bytes from the budget (the app still frees them). */
  forget(rec: StreamRecord): void {
    this.freeUnread -= rec.rxUnread - rec.rxOwed;
    this.unread -= rec.rxUnread;
    rec.rxUnread = 0;
    rec.rxOwed = 0;
    this.owing.delete(rec);
  }

  /** Releases owed bytes while the budget has room again. */
  private releaseOwed(): void {
    if (this.owing.size === 0) return;
    for (const rec of this.owing) {
      const room = this.budget - this.freeUnread;
      if (room <= 0) return;
      const x = Math.min(room, rec.rxOwed);
      rec.rxOwed -= x;
      rec.rxReleased += x;
      this.freeUnread += x;
      if (rec.rxOwed === 0) this.owing.delete(rec);
      this.released(rec);
    }
  }
}

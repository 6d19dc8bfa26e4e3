// Byte-credit flow control of streams.md §4, sender and receiver halves.
// Charges are on-wire bytes: framed plaintext + 84 (header + tag) per packet.

export const PACKET_WIRE_OVERHEAD = 84;

export class SendCredit {
  credit: number;
  bytesSent = 0;
  maxConsumedSeen = 0;
  backpressureEvents = 0;
  grantsReceived = 0;

  constructor(readonly window: number) {
    this.credit = window;
  }

  /** True when a packet of `charge` bytes fits now (always with window 0). */
  fits(charge: number): boolean {
    return this.window === 0 || this.credit >= charge;
  }

  /** Takes the charge; false (and a backpressure count) when it does not fit. */
  take(charge: number): boolean {
    if (this.window === 0) return true;
    if (this.credit < charge) {
      this.backpressureEvents++;
      return false;
    }
    this.credit -= charge;
    this.bytesSent += charge;
    return true;
  }

  /** Returns a charge whose hand-off failed (streams.md §3 step 4). */
  refund(charge: number): void {
    if (this.window === 0) return;
    this.credit = Math.min(this.credit + charge, this.window);
    this.bytesSent = Math.max(0, this.bytesSent - charge);
  }

  /** An ack probe: counted as sent, lowers credit by what is left of 84 (streams.md §14 (c) 2). */
  takeProbe(): void {
    if (this.window === 0) return;
    this.bytesSent += PACKET_WIRE_OVERHEAD;
    this.credit -= Math.min(this.credit, PACKET_WIRE_OVERHEAD);
  }

  /** A StreamWindow grant; returns true when it added credit (false = stale). */
  onGrant(totalConsumed: number): boolean {
    this.grantsReceived++;
    if (this.window === 0) return false;
    const tc = Math.min(totalConsumed, this.bytesSent);
    if (tc <= this.maxConsumedSeen) return false;
    this.credit = Math.min(this.credit + (tc - this.maxConsumedSeen), this.window);
    this.maxConsumedSeen = tc;
    return true;
  }
}

/** Receiver side: cumulative accepted on-wire bytes for this stream lifetime. */
export class ReceiveCredit {
  consumed = 0;
  grantsSent = 0;

  accept(plaintextLen: number): number {
    this.consumed += plaintextLen + PACKET_WIRE_OVERHEAD;
    return this.consumed;
  }
}

// Admission for inbound msg1 before any cryptography: a token bucket per source address and one
// for the whole node, refilled with time passed in. A forged-msg1 flood then costs the responder
// at most the global rate of msg1 reads however fast it arrives; the excess is a map lookup.

export interface HandshakeBudgetOptions {
  /** msg1 reads per second from one source address, and the burst allowed. */
  perSourceRate: number;
  perSourceBurst: number;
  /** msg1 reads per second for the node, and the burst allowed. */
  globalRate: number;
  globalBurst: number;
  /** Source buckets kept (oldest forgotten first); spoofed sources cannot grow memory past it. */
  maxSources: number;
}

/**
 * Defaults. An honest initiator sends at most one msg1 per attempt (3 per connect), so 4/s with a
 * burst of 8 per address never limits it. The global rate keeps the cost of msg1 reads (≈0.5 ms of
 * X25519 and hashing each) to a small share of the thread that also carries established sessions.
 */
export const DEFAULT_HANDSHAKE_BUDGET: HandshakeBudgetOptions = {
  perSourceRate: 4,
  perSourceBurst: 8,
  globalRate: 200,
  globalBurst: 64,
  maxSources: 4096,
};

interface Bucket {
  tokens: number;
  at: number;
}

export class HandshakeBudget {
  private readonly sources = new Map<string, Bucket>();
  private readonly global: Bucket;

  constructor(private readonly o: HandshakeBudgetOptions = DEFAULT_HANDSHAKE_BUDGET) {
    this.global = { tokens: o.globalBurst, at: -Infinity };
  }

  /** True if a msg1 from `address` may be read now (and takes its tokens); false: drop it. */
  admit(address: string, now: number, cost = 1): boolean {
    const g = this.global;
    refill(g, now, this.o.globalRate, this.o.globalBurst);
    let s = this.sources.get(address);
    if (s === undefined) {
      if (this.sources.size >= this.o.maxSources) this.sources.delete(this.sources.keys().next().value!);
      s = { tokens: this.o.perSourceBurst, at: now };
      this.sources.set(address, s);
    } else refill(s, now, this.o.perSourceRate, this.o.perSourceBurst);
    if (s.tokens < 1 || g.tokens < cost) return false;
    s.tokens -= 1;
    g.tokens -= cost;
    return true;
  }
}

function refill(b: Bucket, now: number, rate: number, burst: number): void {
  if (now > b.at) {
    b.tokens = b.at === -Infinity ? burst : Math.min(burst, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
  }
}

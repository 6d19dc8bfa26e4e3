// The subscriber side of membership (channels.md §6): each request is bound to the node it was
// sent to and re-sent unchanged (same nonce) every max(200 ms, 2 × RTT) until its Ack arrives or
// the ack timeout expires. Acks from another peer or with an unknown nonce are ignored.
import { randomBytes } from '@noble/hashes/utils.js';
import { ClosedError, MembershipRejectedError, MembershipTimeoutError, type MembershipRejectReason } from '../errors.js';
import { reasonName } from './membership-wire.js';
import type { ChannelCounters } from './stats.js';

export interface ClientDeps {
  send(peer: bigint, frame: Uint8Array): void;
  /** Smoothed RTT to the peer in ms, if known. */
  rttMs(peer: bigint): number | undefined;
  counters: ChannelCounters;
}

export interface ClientOptions {
  ackTimeoutMs: number;
  minResendMs: number;
}

interface Pending {
  peer: bigint;
  frame: Uint8Array;
  what: string;
  resolve: () => void;
  reject: (e: Error) => void;
  deadline: ReturnType<typeof setTimeout>;
  resend: ReturnType<typeof setTimeout> | undefined;
}

function randomNonce(): bigint {
  const b = randomBytes(8);
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
}

export class MembershipClient {
  readonly #pending = new Map<bigint, Pending>();
  #closed = false;

  constructor(
    private readonly deps: ClientDeps,
    private readonly o: ClientOptions,
  ) {}

  /** A fresh nonce no pending request uses. */
  nonce(): bigint {
    let n = randomNonce();
    while (this.#pending.has(n)) n = randomNonce();
    return n;
  }

  /**
   * Sends `frame` (built with `nonce`) to `peer` and resolves on an accepting Ack; rejects with
   * MembershipRejectedError, MembershipTimeoutError, or the first send's error (no session).
   */
  request(peer: bigint, nonce: bigint, frame: Uint8Array, what: string): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('MeshNode'));
    return new Promise<void>((resolve, reject) => {
      try {
        this.deps.send(peer, frame);
      } catch (e) {
        reject(e as Error);
        return;
      }
      this.deps.counters.client.requests++;
      const p: Pending = {
        peer,
        frame,
        what,
        resolve,
        reject,
        resend: undefined,
        deadline: setTimeout(() => {
          this.#settle(nonce);
          this.deps.counters.client.timeouts++;
          reject(new MembershipTimeoutError(`${what}: no Ack from node ${peer} within ${this.o.ackTimeoutMs} ms`));
        }, this.o.ackTimeoutMs),
      };
      this.#pending.set(nonce, p);
      this.#armResend(nonce, p);
    });
  }

  #armResend(nonce: bigint, p: Pending): void {
    const rtt = this.deps.rttMs(p.peer);
    const every = Math.max(this.o.minResendMs, rtt !== undefined && Number.isFinite(rtt) ? 2 * rtt : 0);
    p.resend = setTimeout(() => {
      if (this.#pending.get(nonce) !== p) return;
      try {
        this.deps.send(p.peer, p.frame);
        this.deps.counters.client.resends++;
      } catch {
        // no session right now; the next attempt or the deadline decides
      }
      this.#armResend(nonce, p);
    }, every);
  }

  #settle(nonce: bigint): Pending | undefined {
    const p = this.#pending.get(nonce);
    if (!p) return undefined;
    this.#pending.delete(nonce);
    clearTimeout(p.deadline);
    clearTimeout(p.resend);
    return p;
  }

  /** An Ack from `from`; ignored unless it answers a pending request sent to `from`. */
  onAck(from: bigint, m: { nonce: bigint; accepted: boolean; reason: number }): void {
    const p = this.#pending.get(m.nonce);
    if (!p || p.peer !== from) {
      this.deps.counters.membership.unexpectedAcks++;
      return;
    }
    this.#settle(m.nonce);
    if (m.accepted) {
      this.deps.counters.client.accepted++;
      p.resolve();
      return;
    }
    this.deps.counters.client.rejected++;
    const name = reasonName(m.reason);
    const reason: MembershipRejectReason = name === undefined || name === 'OK' ? 'Unauthorized' : name;
    p.reject(new MembershipRejectedError(reason, m.reason, `${p.what}: node ${from} rejected it (${reason})`));
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Fails every pending request with ClosedError. */
  close(): void {
    this.#closed = true;
    for (const n of [...this.#pending.keys()]) this.#settle(n)!.reject(new ClosedError('MeshNode'));
  }
}

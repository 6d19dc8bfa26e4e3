// One stream record per (session, stream id), both directions (streams.md §2): the core's
// `StreamState` (seqs, credit, retransmit window, receive SACK) plus what the TS shell needs around
// it — activity for idle eviction, the handle's sticky `failed`, waiters for send room and for
// closeGraceful, and what must outlive the core state once the record is closed.
import { StreamState, type GrantValues, type StreamCoreStats } from '../core/reliable.js';
import type { ResolvedStreamConfig } from './config.js';
import type { StreamHeader } from '../node/host.js';

/** Why a record went away. */
export type CloseReason = 'closed' | 'reset' | 'gave-up' | 'evicted' | 'session' | 'node-closed';

interface DrainWaiter {
  resolve(): void;
  reject(err: Error): void;
}

export class StreamRecord {
  readonly state: StreamState;
  readonly reliable: boolean;
  lastActivity: number;
  /** Sticky: retransmission gave up on this record (stream.failed). */
  failed = false;
  /** Set once the record is removed; the core state is freed then. */
  closed: CloseReason | null = null;
  /** Grant values captured at close (streams.md §14 (c) 6–7): what a late grant must carry. */
  finalGrant: GrantValues | null = null;
  /** Core stats captured at close, so a handle's stats() still answers. */
  finalStats: StreamCoreStats | null = null;
  /** tx_seq as the shell knows it: one past the last seq allocated (data or probe). */
  nextSeq = 0n;
  /** Highest cumulative ack (grant ack_seq) seen, and when it last advanced. */
  ackSeq = 0n;
  ackAdvancedAt = -Infinity;
  /** A grant for this record is queued for the end of the turn. */
  grantQueued = false;
  /** Send calls waiting for credit, cwnd, window or queue room. */
  private waiters: (() => void)[] = [];
  /** closeGraceful calls waiting for every reliable send to be acked. */
  private drainWaiters: DrainWaiter[] = [];

  constructor(
    readonly streamId: bigint,
    readonly epoch: number,
    readonly config: ResolvedStreamConfig,
    nowMs: number,
    /** Header fields of this stream's data packets (channel publishes); none for user streams. */
    readonly header?: StreamHeader,
  ) {
    this.reliable = config.reliability === 'reliable';
    this.state = new StreamState({ reliable: this.reliable, windowBytes: config.windowBytes, maxRetries: config.maxRetries }, nowMs);
    this.lastActivity = nowMs;
  }

  /** Resolves at the next wake-up (grant, ack, queue room, close) or after `ms`, whichever is first. */
  waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(finish, ms);
      this.waiters.push(finish);
    });
  }

  get hasWaiters(): boolean {
    return this.waiters.length > 0;
  }

  wake(): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    this.waiters = [];
    for (const w of ws) w();
  }

  /**
   * Resolves once nothing reliable is pending (the caller checked it is pending now); rejects
   * with `onTimeout()` after `timeoutMs`, or as `retire` decides when the record goes away.
   */
  waitDrained(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    return new Promise((resolve, reject) => {
      const w: DrainWaiter = {
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const t = setTimeout(() => {
        const i = this.drainWaiters.indexOf(w);
        if (i >= 0) this.drainWaiters.splice(i, 1);
        reject(onTimeout());
      }, timeoutMs);
      this.drainWaiters.push(w);
    });
  }

  get hasDrainWaiters(): boolean {
    return this.drainWaiters.length > 0;
  }

  /** Called after every grant: settles closeGraceful waiters once nothing is pending. */
  checkDrained(): void {
    if (this.drainWaiters.length === 0 || this.closed || this.state.hasPending()) return;
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w.resolve();
  }

  /**
   * Removes the record's core state (capturing what must outlive it) and settles every waiter:
   * send calls wake (and then find the record gone); closeGraceful waiters reject with `err`
   * when entries were still pending, else resolve.
   */
  retire(reason: CloseReason, err: () => Error): void {
    if (this.closed) return;
    // A give-up has already dropped the core's pending entries: they were never acknowledged.
    const pending = reason === 'gave-up' || this.state.hasPending();
    this.finalGrant = this.state.grantValues();
    this.finalStats = this.state.stats();
    this.closed = reason;
    this.state.free();
    this.wake();
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    if (ws.length === 0) return;
    if (pending) {
      const e = err();
      for (const w of ws) w.reject(e);
    } else {
      for (const w of ws) w.resolve();
    }
  }

  /** The live stats, or the ones captured at close. */
  coreStats(): StreamCoreStats {
    return this.closed ? this.finalStats! : this.state.stats();
  }
}

// The Stream handle of sdk.md: sends on one (peer, stream id, epoch) record.
import { BackpressureError, InvalidArgumentError, NotConnectedError, StreamResetError } from '../errors.js';
import type { ResolvedStreamConfig } from './config.js';
import type { StreamEngine } from './stream-engine.js';
import type { StreamRecord } from './stream-record.js';
import type { StreamCoreStats } from '../core/reliable.js';

/**
 * stream.stats(): the core record's counters (sdk.md names: sent, acked, retransmits, nacksSent,
 * nacksReceived, untrackedEvictions, rtoMs, cwnd, creditBytes; then the reference's extras), plus
 * `closed` when the record is gone (closed, reset, evicted) and these are its final figures.
 */
export type StreamStats = Omit<StreamCoreStats, 'reliable' | 'ssthresh' | 'lastActivityMs' | 'maxRetries' | 'maxConsumedSeen' | 'nextExpected'> & {
  closed: boolean;
};

/** streams.md §1: up to n + 1 attempts, 5 ms doubling to a 200 ms cap, retrying only on Backpressure. */
const SEND_RETRIES = 4096;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 200;
const DEFAULT_GRACEFUL_TIMEOUT_MS = 30_000;

export class Stream {
  constructor(
    private readonly engine: StreamEngine,
    readonly peer: bigint,
    private readonly rec: StreamRecord,
  ) {}

  get streamId(): bigint {
    return this.rec.streamId;
  }

  get epoch(): number {
    return this.rec.epoch;
  }

  get config(): Readonly<ResolvedStreamConfig> {
    return this.rec.config;
  }

  /**
   * Resolves once every event is handed off (sent, or queued on the scheduler); waits on credit,
   * cwnd and queue room, never drops silently. Resumes at the first packet not yet handed off.
   * Rejects with BackpressureError after 4097 attempts without room, NotConnectedError when the
   * stream is closed, reset or stale.
   */
  async send(events: Uint8Array[]): Promise<void> {
    checkEvents(events);
    let next = 0;
    let backoff = FIRST_BACKOFF_MS;
    let misses = 0;
    for (;;) {
      const at = this.engine.sendFrom(this.peer, this.rec, events, next, false);
      if (at >= events.length) return;
      if (at > next) {
        next = at;
        backoff = FIRST_BACKOFF_MS;
      } else if (++misses > SEND_RETRIES) {
        throw new BackpressureError(`stream ${this.streamId}: still no credit or queue room after ${SEND_RETRIES + 1} attempts`);
      }
      // Woken early by a grant, an ack or queue room; else retried after the backoff.
      await this.rec.waitForRoom(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** All or nothing: false (nothing sent, no seq allocated) when the whole call does not fit now. */
  trySend(events: Uint8Array[]): boolean {
    checkEvents(events);
    return this.engine.sendFrom(this.peer, this.rec, events, 0, true) >= events.length;
  }

  /** Scheduler weight of this stream's originating packets, from the next dequeue (0 → 1). */
  setWeight(weight: number): void {
    if (!Number.isInteger(weight) || weight < 0 || weight > 255) throw new InvalidArgumentError(`weight must be an integer in 0..255, got ${weight}`);
    this.engine.setWeight(this.rec, weight);
  }

  /**
   * streams.md §11: resolves once every reliable send is acknowledged (unreliable streams drain at
   * once), then closes. Still closes but rejects on timeout (NotConnectedError, code
   * CLOSE_TIMEOUT), on give-up or a reset (StreamResetError), or when the record is evicted or
   * closed elsewhere with sends pending. A stream already closed before the call resolves,
   * unless its retransmission gave up.
   */
  async closeGraceful(timeoutMs = DEFAULT_GRACEFUL_TIMEOUT_MS): Promise<void> {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) throw new InvalidArgumentError(`timeoutMs must be a non-negative number, got ${String(timeoutMs)}`);
    const rec = this.rec;
    if (rec.closed) {
      if (rec.failed) throw new StreamResetError(`stream ${rec.streamId} to node ${this.peer} gave up before closeGraceful`);
      return;
    }
    if (!rec.reliable || !rec.state.hasPending()) {
      this.close();
      return;
    }
    try {
      await rec.waitDrained(
        timeoutMs,
        () => new NotConnectedError(`stream ${rec.streamId} to node ${this.peer}: sends not acknowledged within ${timeoutMs} ms`, 'CLOSE_TIMEOUT'),
      );
    } finally {
      this.close();
    }
  }

  /** Removes the record (queued inbound events and retransmit state dropped); nothing is sent. */
  close(): void {
    this.engine.closeHandle(this.peer, this.rec);
  }

  /** Retransmission gave up on this stream and a StreamReset was sent (streams.md §14 (b)). */
  get failed(): boolean {
    return this.rec.failed;
  }

  stats(): StreamStats {
    const s = this.rec.coreStats();
    return {
      sent: s.sent,
      acked: s.acked,
      retransmits: s.retransmits,
      nacksSent: s.nacksSent,
      nacksReceived: s.nacksReceived,
      untrackedEvictions: s.untrackedEvictions,
      rtoMs: s.rtoMs,
      cwnd: s.cwnd,
      creditBytes: s.creditBytes,
      txSeq: s.txSeq,
      rxSeq: s.rxSeq,
      pending: s.pending,
      maxPending: s.maxPending,
      txWindow: s.txWindow,
      txBytesSent: s.txBytesSent,
      rxConsumed: s.rxConsumed,
      backpressureEvents: s.backpressureEvents,
      creditGrantsReceived: s.creditGrantsReceived,
      creditGrantsSent: s.creditGrantsSent,
      probesSent: s.probesSent,
      probing: s.probing,
      failed: this.rec.failed,
      closed: this.rec.closed !== null,
    };
  }
}

function checkEvents(events: unknown): asserts events is Uint8Array[] {
  if (!Array.isArray(events)) throw new InvalidArgumentError('events must be an array of Uint8Array');
}

// One stream record per (session, stream id), both directions (streams.md §2), on the engine
// side: the core's StreamState plus what the engine keeps around it — the sends the app handed
// over that are not admitted yet, receive-credit accounting against the app's consumption,
// window autotuning, closeGraceful waiters, and what outlives the core state once closed.
import { StreamState, type GrantValues, type StreamCoreStats } from '../core/reliable.js';
import type { CloseReason, WireStreamConfig } from './link-format.js';
import type { Timer } from './timers.js';
import { WindowTuner } from './window-tuner.js';

/** Header fields of a stream's data packets (channel publishes); none for user streams. */
export interface StreamHeader {
  channelHash: number;
  originHash: bigint;
}

/** Sends the app handed over that the stream could not admit yet (credit, cwnd, quarantine). */
export interface BacklogChunk {
  /** [framedLen, eventCount] per packet. */
  table: Uint32Array;
  /** The packets' frames back to back (an owned copy). */
  data: Uint8Array;
  /** Index of the first packet not yet admitted, and its offset in `data`. */
  next: number;
  dataAt: number;
}

export interface GracefulWaiter {
  reqId: number;
  timer: Timer;
}

/** Seq→charge marks an unreliable sender keeps at most (older ones only lower the credit it can return). */
const MAX_CHARGE_MARKS = 65_536;

export class StreamRecord {
  readonly state: StreamState;
  readonly reliable: boolean;
  lastActivity: number;
  /** Sticky: retransmission gave up (stream.failed). */
  failed = false;
  closed: CloseReason | null = null;
  /** Grant values captured at close (streams.md §14 (c) 6–7). */
  finalGrant: GrantValues | null = null;
  /** tx_seq as the engine knows it: one past the last seq allocated (data or probe). */
  nextSeq = 0n;
  /**
   * Highest cumulative ack seen, and when it last advanced (or, with nothing outstanding, when
   * sending started): an upper bound of when the oldest unacked packet was admitted.
   */
  ackSeq = 0n;
  ackAdvancedAt = -Infinity;
  /**
   * This lifetime's sending started (from nothing outstanding) while the peer had other reliable
   * packets unacked: its packets queue behind theirs (StreamTable.tick).
   */
  queuedBehind = false;
  /** Admission time of the outstanding reliable packets: [first seq, time] per admission, oldest first. */
  private readonly admitLog: number[] = [];
  private admitHead = 0;
  /** The head (next_expected) of the last NACK sent, when it went, and how long until a repeat. */
  nackHead = -1n;
  nackAt = -Infinity;
  nackInterval = 0;
  grantQueued = false;
  /** When the queued grant is due (eager ones: at once). */
  grantDue = 0;
  /** On-wire bytes accepted since the last grant sent. */
  rxSinceGrant = 0;
  /** When the last grant went out, and how many more times quiet ticks repeat it (GRANT_REPEAT_MS). */
  lastGrantAt = 0;
  grantRepeats = 0;
  /** The app's handle epoch when its OPEN found this record already there (else −1). */
  aliasEpoch = -1;

  // ---- send side: what the app handed over ----
  readonly backlog: BacklogChunk[] = [];
  backlogBytes = 0;
  backlogPackets = 0;
  /** Bytes and packets of SEND records processed (the app's budget arithmetic). */
  receivedBytes = 0;
  receivedPackets = 0;
  /** A status record is due at the next flush. */
  touched = false;
  /** The app waits for budget on this record: its next status must wake the app. */
  appWaiting = false;
  /** When the last status went to the app. */
  statusAt = -Infinity;
  /** Scheduled packets of this record waiting in the FairScheduler. */
  queuedInScheduler = 0;

  // ---- receive credit: released as the app consumes (ARCHITECTURE.md) ----
  /** Cumulative on-wire bytes granted back (total_consumed). */
  rxReleased = 0;
  /** Event bytes delivered to the app and not yet reported taken. */
  rxUnread = 0;
  /** Part of rxUnread not released yet (the node's receive budget was full when it arrived). */
  rxOwed = 0;

  // ---- window autotuning (streams without an explicit windowBytes) ----
  readonly tuner: WindowTuner | undefined;
  /** Cumulative charge (framed + 84) of the packets admitted so far. */
  sentCharge = 0;

  // ---- unreliable credit that cannot leak (issue 9 finding 3) ----
  /** Receive side: highest seq accepted (−1: none). A grant reports it while nothing is owed. */
  rxHighest = -1n;
  /** Send side: the cumulative charge through each seq from `chargeBase` on (seqs are consecutive). */
  private charges: number[] = [];
  private chargeHead = 0;
  chargeBase = 0n;
  /** The cumulative charge below `chargeBase` (known acked or forgotten). */
  private chargeBelow = 0;
  /** The largest charge `chargeBelowSeq` answered exactly. */
  private chargeAnswered = 0;
  /** Charge of packets the receiver reported passing without receiving them (lost): credited back. */
  forgiven = 0;
  /** The largest total_consumed a grant has reported. */
  lastGrantConsumed = 0;
  /** Effective consumed charge last credited (grant + forgiven), and when it last grew. */
  creditedCharge = 0;
  creditProgressAt = -Infinity;
  lastLossProbeAt = -Infinity;

  readonly graceful: GracefulWaiter[] = [];
  /** RTT samples already fed to the peer's estimate. */
  rttSamplesSeen = 0;

  constructor(
    readonly rid: number,
    readonly streamId: bigint,
    readonly epoch: number,
    readonly config: WireStreamConfig,
    nowMs: number,
    public header?: StreamHeader,
  ) {
    this.reliable = config.reliable;
    // Only reliable streams autotune: they repair the losses a larger burst can cause (a small
    // socket buffer overflowing); an unreliable stream's lost packets would keep their credit.
    this.tuner = this.reliable && !config.windowExplicit && config.windowBytes > 0 ? new WindowTuner() : undefined;
    this.state = new StreamState({ reliable: this.reliable, windowBytes: config.windowBytes, maxRetries: config.maxRetries }, nowMs);
    this.lastActivity = nowMs;
  }

  /** Unreliable send side: seq `seq` went out; `cum` is the stream's cumulative charge after it. */
  noteCharge(seq: bigint, cum: number): void {
    if (this.charges.length === this.chargeHead) {
      this.charges = [];
      this.chargeHead = 0;
      this.chargeBase = seq;
    }
    this.charges.push(cum);
    // Bounded: a receiver that never reports a seq (a reference node) leaves only the newest.
    if (this.charges.length - this.chargeHead > MAX_CHARGE_MARKS) this.dropCharges(1);
  }

  /**
   * The cumulative charge of every seq below `a`, and forgets the marks below it. A seq older
   * than the marks kept (they were capped) answers the last exact figure handed out, a lower
   * bound: credit may come back late, never early.
   */
  chargeBelowSeq(a: bigint): number {
    const k = Number(a - this.chargeBase);
    if (k < 0) return this.chargeAnswered;
    const live = this.charges.length - this.chargeHead;
    const n = Math.min(k, live);
    const c = n > 0 ? this.charges[this.chargeHead + n - 1]! : this.chargeBelow;
    this.dropCharges(n);
    this.chargeAnswered = Math.max(this.chargeAnswered, c);
    return c;
  }

  private dropCharges(n: number): void {
    if (n <= 0) return;
    this.chargeBelow = this.charges[this.chargeHead + n - 1]!;
    this.chargeHead += n;
    this.chargeBase += BigInt(n);
    if (this.chargeHead > 1024 && this.chargeHead * 2 > this.charges.length) {
      this.charges = this.charges.slice(this.chargeHead);
      this.chargeHead = 0;
    }
  }

  /** The handle epochs that name this record. */
  answers(epoch: number): boolean {
    return epoch === this.epoch || epoch === this.aliasEpoch;
  }

  /** Reliable packets from `firstSeq` on were admitted (sent) at `now`. */
  noteAdmitted(firstSeq: bigint, now: number): void {
    this.admitLog.push(Number(firstSeq), now);
  }

  /**
   * The cumulative ack reached `ackSeq` (every seq below it acked): forgets those packets and
   * returns when the newest of them was admitted (−Infinity when none is known).
   */
  noteAcked(ackSeq: bigint): number {
    const a = Number(ackSeq);
    const log = this.admitLog;
    let acked = -Infinity;
    let i = this.admitHead;
    while (i < log.length && log[i]! < a) {
      acked = log[i + 1]!;
      // The entry still holds seq `a` (the new head) unless the next one starts at or below it.
      const nextStart = i + 2 < log.length ? log[i + 2]! : Number(this.nextSeq);
      if (nextStart > a) break;
      i += 2;
    }
    if (i >= log.length) {
      log.length = 0;
      i = 0;
    } else if (i >= 64 && 2 * i >= log.length) {
      log.splice(0, i);
      i = 0;
    }
    this.admitHead = i;
    return acked;
  }

  /** When the oldest outstanding reliable packet was admitted (Infinity: none). */
  get headAdmitAt(): number {
    return this.admitHead < this.admitLog.length ? this.admitLog[this.admitHead + 1]! : Infinity;
  }

  /** Frees the core state, capturing what must outlive it. */
  retire(reason: CloseReason): void {
    if (this.closed) return;
    const ack = this.state.grantValues().ackSeq;
    this.finalGrant = { totalConsumed: BigInt(this.rxReleased), ackSeq: ack };
    this.closed = reason;
    this.state.free();
    this.backlog.length = 0;
    this.backlogBytes = 0;
    this.backlogPackets = 0;
  }

  coreStats(): StreamCoreStats {
    return this.state.stats();
  }
}

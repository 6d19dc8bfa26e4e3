// The Stream handle of sdk.md: sends on one (peer, stream id, epoch) record. It lives on the app
// thread; the record itself lives in the engine. Sends are framed here straight into the link and
// checked against the budget the engine advertises (credit minus its own backlog), so trySend
// stays synchronous and all-or-nothing, and send() waits on budget or link room, never drops.
import { BackpressureError, InvalidArgumentError, StreamResetError } from '../errors.js';
import { PACKET_WIRE_OVERHEAD, maxPendingForWindow } from '../core/reliable.js';
import type { ResolvedStreamConfig } from './config.js';
import { planPackets, type PlannedPacket } from './pack.js';
import type { RecordMirror } from '../node/stream-mirror.js';

/**
 * stream.stats(): the engine's counters for the record (sdk.md names: sent, acked, retransmits,
 * nacksSent, nacksReceived, untrackedEvictions, rtoMs, cwnd, creditBytes; then the reference's
 * extras), as of the engine's last report; `pending` also counts packets handed over and not yet
 * seen by the engine. `closed` once the record is gone and these are its last figures.
 */
export interface StreamStats {
  sent: number;
  acked: number;
  retransmits: number;
  /** The retransmits a timeout caused (the rest were NACKed). */
  timeoutRetransmits: number;
  nacksSent: number;
  nacksReceived: number;
  untrackedEvictions: number;
  rtoMs: number;
  /** Smoothed RTT of the acks (0 before the first sample). */
  srttMs: number;
  rttSamples: number;
  cwnd: number;
  creditBytes: number;
  txSeq: number;
  rxSeq: number;
  pending: number;
  maxPending: number;
  txWindow: number;
  txBytesSent: number;
  rxConsumed: number;
  backpressureEvents: number;
  creditGrantsReceived: number;
  creditGrantsSent: number;
  probesSent: number;
  probing: boolean;
  failed: boolean;
  closed: boolean;
}

/** What a handle needs from its node (implemented by the node's engine client). */
export interface StreamOps {
  /** Throws the NotConnectedError (or ClosedError) a send on this record gets now. */
  assertLive(m: RecordMirror): void;
  /** Link room: false while the link to the engine is backed up. */
  linkHasRoom(): boolean;
  /** Writes packets `from..to` of `plan` (events framed into the link) as this record's sends. */
  submit(m: RecordMirror, events: readonly Uint8Array[], plan: readonly PlannedPacket[], from: number, to: number): void;
  /** Tells the engine this record waits for budget. */
  want(m: RecordMirror): void;
  /** Resolves when the link has room again. */
  whenRoom(m: RecordMirror): void;
  /** Reads what the engine published without a wake-up (a status may have raised the budget). */
  poll(): void;
  setWeight(m: RecordMirror, weight: number): void;
  close(m: RecordMirror): void;
  graceful(m: RecordMirror, timeoutMs: number): Promise<void>;
}

/** streams.md §1: up to n + 1 attempts, 5 ms doubling to a 200 ms cap, retrying only on Backpressure. */
const SEND_RETRIES = 4096;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 200;
const DEFAULT_GRACEFUL_TIMEOUT_MS = 30_000;

export class Stream {
  /** @internal */
  constructor(
    private readonly ops: StreamOps,
    private readonly m: RecordMirror,
  ) {}

  get peer(): bigint {
    return this.m.peer.nodeId;
  }

  get streamId(): bigint {
    return this.m.streamId;
  }

  get epoch(): number {
    return this.m.epoch;
  }

  get config(): Readonly<ResolvedStreamConfig> {
    const { windowExplicit: _w, ...c } = this.m.config;
    return c;
  }

  /** Packets of `plan` from `from` that fit the budget now (0 when none). */
  private fitting(plan: readonly PlannedPacket[], from: number): number {
    const m = this.m;
    let bytes = m.availableBytes();
    const packets = Math.min(m.availablePackets(), plan.length - from);
    let n = 0;
    while (n < packets) {
      const charge = plan[from + n]!.framedLen + PACKET_WIRE_OVERHEAD;
      if (charge > bytes) break;
      bytes -= charge;
      n++;
    }
    return n;
  }

  private plan(events: Uint8Array[]): PlannedPacket[] {
    checkEvents(events);
    const plan = planPackets(events);
    const window = this.m.config.windowBytes;
    if (window > 0 && this.m.config.windowExplicit) {
      for (const p of plan) {
        if (p.framedLen + PACKET_WIRE_OVERHEAD > window) {
          throw new InvalidArgumentError(
            `stream ${this.streamId}: a packet of ${p.framedLen + PACKET_WIRE_OVERHEAD} on-wire bytes can never fit its ${window}-byte window (use smaller events or a larger windowBytes)`,
          );
        }
      }
    }
    return plan;
  }

  /**
   * Resolves once every event is handed to the engine; waits on credit, the engine's backlog and
   * link room, never drops silently. Rejects with BackpressureError after 4097 attempts without
   * room, NotConnectedError when the stream is closed, reset or stale.
   */
  async send(events: Uint8Array[]): Promise<void> {
    const plan = this.plan(events);
    let next = 0;
    let backoff = FIRST_BACKOFF_MS;
    let misses = 0;
    while (next < plan.length) {
      this.ops.assertLive(this.m);
      const n = this.ops.linkHasRoom() ? this.fitting(plan, next) : 0;
      if (n > 0) {
        this.ops.submit(this.m, events, plan, next, next + n);
        next += n;
        backoff = FIRST_BACKOFF_MS;
        continue;
      }
      if (++misses > SEND_RETRIES) throw new BackpressureError(`stream ${this.streamId}: still no credit or queue room after ${SEND_RETRIES + 1} attempts`);
      if (this.ops.linkHasRoom()) {
        this.m.backpressure++;
        this.ops.want(this.m);
      } else this.ops.whenRoom(this.m);
      // Woken early by a status (grant, ack, queue room) or link room; else retried after the backoff.
      await this.m.waitForRoom(backoff);
      this.ops.poll();
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** All or nothing: false (nothing handed over) when the whole call does not fit now. */
  trySend(events: Uint8Array[]): boolean {
    const plan = this.plan(events);
    this.ops.assertLive(this.m);
    if (plan.length === 0) return true;
    if (!this.ops.linkHasRoom()) return false;
    if (this.fitting(plan, 0) < plan.length) {
      this.m.backpressure++;
      return false;
    }
    this.ops.submit(this.m, events, plan, 0, plan.length);
    return true;
  }

  /** Scheduler weight of this stream's originating packets, from the next dequeue (0 → 1). */
  setWeight(weight: number): void {
    if (!Number.isInteger(weight) || weight < 0 || weight > 255) throw new InvalidArgumentError(`weight must be an integer in 0..255, got ${weight}`);
    this.m.config.weight = weight === 0 ? 1 : weight;
    this.ops.setWeight(this.m, weight);
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
    const m = this.m;
    if (m.closed) {
      if (m.failed) throw new StreamResetError(`stream ${m.streamId} to node ${this.peer} gave up before closeGraceful`);
      return;
    }
    if (!m.reliable) {
      this.close();
      return;
    }
    await this.ops.graceful(m, timeoutMs);
  }

  /** Removes the record (queued inbound events and retransmit state dropped); nothing is sent. */
  close(): void {
    this.ops.close(this.m);
  }

  /**
   * `await using s = node.openStream(...)`: leaving the scope closes the stream gracefully, so
   * what was sent is delivered (or the disposal rejects as closeGraceful does); it is closed either way.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.closeGraceful();
    } finally {
      this.close();
    }
  }

  /** Retransmission gave up on this stream and a StreamReset was sent (streams.md §14 (b)). */
  get failed(): boolean {
    return this.m.failed;
  }

  stats(): StreamStats {
    const m = this.m;
    const s = m.stats;
    const window = m.config.windowBytes;
    return {
      sent: s?.sent ?? 0,
      acked: s?.acked ?? 0,
      retransmits: s?.retransmits ?? 0,
      timeoutRetransmits: s?.timeoutRetransmits ?? 0,
      nacksSent: s?.nacksSent ?? 0,
      nacksReceived: s?.nacksReceived ?? 0,
      untrackedEvictions: 0,
      rtoMs: s?.rtoMs ?? 50,
      srttMs: s?.srttMs ?? 0,
      rttSamples: s?.rttSamples ?? 0,
      cwnd: s?.cwnd ?? (m.reliable ? 32 : 0),
      creditBytes: s?.creditBytes ?? window,
      txSeq: s?.txSeq ?? 0,
      rxSeq: s?.rxSeq ?? 0,
      pending: m.pending,
      maxPending: s?.maxPending ?? (m.reliable ? maxPendingForWindow(window) : 0),
      txWindow: s?.txWindow ?? window,
      txBytesSent: s?.txBytesSent ?? 0,
      rxConsumed: s?.rxConsumed ?? 0,
      backpressureEvents: (s?.backpressureEvents ?? 0) + m.backpressure,
      creditGrantsReceived: s?.creditGrantsReceived ?? 0,
      creditGrantsSent: s?.creditGrantsSent ?? 0,
      probesSent: s?.probesSent ?? 0,
      probing: m.probing,
      failed: m.failed,
      closed: m.closed !== null,
    };
  }
}

function checkEvents(events: unknown): asserts events is Uint8Array[] {
  if (!Array.isArray(events)) throw new InvalidArgumentError('events must be an array of Uint8Array');
}


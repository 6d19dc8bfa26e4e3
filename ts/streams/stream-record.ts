// One stream record per (session, stream id), both directions (streams.md §2).
import type { ResolvedStreamConfig } from './config.js';
import { ReceiveCredit, SendCredit } from './credit.js';

export class StreamRecord {
  txSeq = 0n;
  rxSeq = 0n;
  receivedAny = false;
  readonly sendCredit: SendCredit;
  readonly recvCredit = new ReceiveCredit();
  lastActivity: number;
  /** Woken when credit or room may have appeared (grant, ack). */
  private waiters: (() => void)[] = [];
  // Counters for stats().
  sent = 0n;
  nacksSent = 0;
  nacksReceived = 0;

  constructor(
    readonly streamId: bigint,
    readonly epoch: number,
    readonly config: ResolvedStreamConfig,
    nowMs: number,
  ) {
    this.sendCredit = new SendCredit(config.windowBytes);
    this.lastActivity = nowMs;
  }

  get reliable(): boolean {
    return this.config.reliability === 'reliable';
  }

  allocateSeq(nowMs: number): bigint {
    const s = this.txSeq++;
    this.sent++;
    this.lastActivity = nowMs;
    return s;
  }

  /** Resolves at the next wake-up (grant/ack) or after `ms`, whichever is first. */
  waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const w = () => done();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(w);
    });
  }

  wake(): void {
    const ws = this.waiters;
    if (ws.length === 0) return;
    this.waiters = [];
    for (const w of ws) w();
  }
}

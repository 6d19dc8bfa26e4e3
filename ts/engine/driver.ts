// Runs an Engine on the current thread with the real clock: every input (app records, datagrams,
// a timer) is handled with one clock reading, then the engine flushes and the one host timer is
// re-armed for the engine's next deadline. The engine never reads the clock itself.
import { scheduleAfterIo } from '../transports/receive-batcher.js';
import type { Datagram } from '../transports/transport.js';
import type { Engine } from './engine.js';

export class EngineDriver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  private immediateArmed = false;
  private stopped = false;

  constructor(
    readonly engine: Engine,
    /** Hands every app record that is waiting to the engine (before any other input). */
    private readonly drainLink: (now: number) => void,
    /** Called when a turn threw: the engine cannot go on. */
    private readonly onFatal: (err: unknown) => void,
  ) {}

  /** The app published records. */
  onLink(): void {
    this.turn((now) => this.drainLink(now));
  }

  /** The transport delivered a batch (app records waiting are handled first). */
  onDatagrams(batch: Datagram[]): void {
    this.turn((now) => {
      this.drainLink(now);
      this.engine.handleDatagrams(batch, now);
    });
  }

  /** The transport's probe saw ICMP unreachable for `address`. */
  onUnreachable(address: string, detail: string): void {
    this.turn((now) => {
      this.drainLink(now);
      this.engine.handleUnreachable(address, detail);
    });
  }

  private readonly onTimer = (): void => {
    // Run from the host timer or from an immediate: either way the other is now stale (a timer
    // left behind would fire into a later turn and arm another one, a growing set of them).
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.immediateArmed = false;
    this.turn((now) => {
      this.drainLink(now);
      this.engine.handleTimers(now);
    });
  };

  /** A turn ran since this immediate was armed (it reset the flag): nothing left for it to do. */
  private readonly onImmediate = (): void => {
    if (this.immediateArmed) this.onTimer();
  };

  private turn(body: (now: number) => void): void {
    if (this.stopped) return;
    const now = performance.now();
    try {
      this.engine.start(now);
      body(now);
      this.engine.flush(now);
    } catch (e) {
      this.stop();
      this.onFatal(e);
      return;
    }
    this.arm(now);
  }

  private arm(now: number): void {
    if (this.stopped || this.engine.closed) return;
    const next = this.engine.nextDeadline();
    if (next <= now) {
      if (this.immediateArmed) return;
      this.immediateArmed = true;
      scheduleAfterIo(this.onImmediate);
      return;
    }
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(next - now)));
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

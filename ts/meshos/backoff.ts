// The per-daemon restart gate of meshos-cli.md §1.2, pure and driven by time passed in (ms):
// a crash backs off for the current window (500 ms, doubling, capped at 60 s); the 5th crash
// inside a sliding 60 s window crash-loops for 5 min and resets the window; a start or clean exit
// at least 60 s after the previous start resets the window and the crash history.

export interface BackoffConfig {
  initialMs: number;
  factor: number;
  maxMs: number;
  crashLoopThreshold: number;
  crashLoopWindowMs: number;
  crashLoopCooldownMs: number;
  stableRunMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffConfig> = Object.freeze({
  initialMs: 500,
  factor: 2,
  maxMs: 60_000,
  crashLoopThreshold: 5,
  crashLoopWindowMs: 60_000,
  crashLoopCooldownMs: 5 * 60_000,
  stableRunMs: 60_000,
});

export type GateState = { kind: 'idle' } | { kind: 'backingOff'; until: number } | { kind: 'crashLooping'; until: number };

const IDLE: GateState = Object.freeze({ kind: 'idle' });

export class RestartGate {
  private crashes: number[] = [];
  private window: number;
  private lastStart: number | undefined;
  private gate: GateState = IDLE;

  constructor(private readonly cfg: Readonly<BackoffConfig> = DEFAULT_BACKOFF) {
    this.window = cfg.initialMs;
  }

  get state(): GateState {
    return this.gate;
  }

  /** The backoff the next crash will get (unless it trips the crash-loop gate). */
  get nextWindowMs(): number {
    return this.window;
  }

  /** Crashes inside the sliding window, oldest first. */
  get crashHistory(): readonly number[] {
    return this.crashes;
  }

  /** A restart may be admitted: idle, or the gate's time has come. */
  admissible(now: number): boolean {
    return this.gate.kind === 'idle' || this.gate.until <= now;
  }

  /** The instant the gate opens, or undefined when idle. */
  releaseAt(): number | undefined {
    return this.gate.kind === 'idle' ? undefined : this.gate.until;
  }

  observeStart(now: number): void {
    this.resetIfStable(now);
    this.lastStart = now;
    this.gate = IDLE;
  }

  observeCleanExit(now: number): void {
    this.resetIfStable(now);
    this.gate = IDLE;
  }

  observeCrash(now: number): void {
    // A crash exactly one window old still counts (only older ones slide out).
    const cutoff = now - this.cfg.crashLoopWindowMs;
    while (this.crashes.length > 0 && this.crashes[0]! < cutoff) this.crashes.shift();
    this.crashes.push(now);
    if (this.crashes.length >= this.cfg.crashLoopThreshold) {
      this.gate = { kind: 'crashLooping', until: now + this.cfg.crashLoopCooldownMs };
      this.window = this.cfg.initialMs;
      // The history stays bounded: only the threshold's worth can ever matter.
      if (this.crashes.length > this.cfg.crashLoopThreshold) this.crashes.shift();
      return;
    }
    this.gate = { kind: 'backingOff', until: now + this.window };
    this.window = Math.min(Math.max(this.window, this.cfg.initialMs) * this.cfg.factor, this.cfg.maxMs);
  }

  /** Turns an elapsed gate back to idle; true when it changed. */
  release(now: number): boolean {
    if (this.gate.kind === 'idle' || this.gate.until > now) return false;
    this.gate = IDLE;
    return true;
  }

  /** Operator force-release: everything back to the initial state. */
  forceRelease(): void {
    this.crashes = [];
    this.window = this.cfg.initialMs;
    this.lastStart = undefined;
    this.gate = IDLE;
  }

  private resetIfStable(now: number): void {
    if (this.lastStart !== undefined && now - this.lastStart >= this.cfg.stableRunMs) {
      this.window = this.cfg.initialMs;
      this.crashes = [];
    }
  }
}

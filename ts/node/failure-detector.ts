// Failure detector of wire.md §15, driven by time passed in (milliseconds).
// Healthy until more than one timeout of silence; then missed = ⌊elapsed / timeout⌋:
// ≥ 2 → suspected, ≥ 3 → failed. A verified heartbeat (or a new session) restores healthy;
// data traffic does not.
export type Health = 'healthy' | 'suspected' | 'failed';

export interface HealthTransition {
  from: Health;
  to: Health;
}

export class FailureDetector {
  private lastHeard: number;
  private state: Health = 'healthy';

  constructor(
    private readonly timeoutMs: number,
    nowMs: number,
  ) {
    this.lastHeard = nowMs;
  }

  get health(): Health {
    return this.state;
  }

  /** A verified heartbeat or session establishment. */
  heard(nowMs: number): HealthTransition | undefined {
    this.lastHeard = nowMs;
    return this.set('healthy');
  }

  /** Re-evaluates at a tick. */
  evaluate(nowMs: number): HealthTransition | undefined {
    const elapsed = nowMs - this.lastHeard;
    if (elapsed <= this.timeoutMs) return this.set('healthy');
    const missed = Math.floor(elapsed / this.timeoutMs);
    return this.set(missed >= 3 ? 'failed' : missed >= 2 ? 'suspected' : this.state === 'healthy' ? 'healthy' : this.state);
  }

  silenceMs(nowMs: number): number {
    return nowMs - this.lastHeard;
  }

  private set(next: Health): HealthTransition | undefined {
    if (next === this.state) return undefined;
    const t = { from: this.state, to: next };
    this.state = next;
    return t;
  }
}

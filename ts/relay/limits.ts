// The relay's abuse limits, as plain state machines with time passed in (ms, any monotonic clock).

import { InvalidArgumentError } from '../errors.js';

export interface RelayLimits {
  /** Browser sessions open at once (handshaking ones included); more are refused. Default 64. */
  maxSessions: number;
  /** Sessions open at once from one IP address; more are closed right after the QUIC handshake. Default 16. */
  maxSessionsPerHost: number;
  /** Per session and direction: packets per second (token bucket). Default 20,000. */
  packetsPerSecond: number;
  /** Per session and direction: bytes per second, packet bytes without the prefix. Default 32 MiB. */
  bytesPerSecond: number;
  /** Bucket depth, in seconds of the rates above. Default 1. */
  burstSeconds: number;
  /** Total packet bytes one session may move (both directions); 0 = no cap. Default 0. */
  maxBytesPerSession: number;
  /** A session whose page sent nothing for this long is closed. Default 60 s. */
  idleTimeoutMs: number;
  /** A session that has not sent its bind request this long after opening is closed. Default 10 s. */
  bindTimeoutMs: number;
  /** Bytes queued on a session's stream toward the page before packets for it are dropped. Default 1 MiB. */
  maxStreamQueueBytes: number;
}

export const DEFAULT_RELAY_LIMITS: Readonly<RelayLimits> = Object.freeze({
  maxSessions: 64,
  maxSessionsPerHost: 16,
  packetsPerSecond: 20_000,
  bytesPerSecond: 32 * 1024 * 1024,
  burstSeconds: 1,
  maxBytesPerSession: 0,
  idleTimeoutMs: 60_000,
  bindTimeoutMs: 10_000,
  maxStreamQueueBytes: 1024 * 1024,
});

/** Defaults overlaid with `overrides`; every field is checked (InvalidArgumentError names it). */
export function resolveLimits(overrides: Partial<RelayLimits> = {}): RelayLimits {
  const out = { ...DEFAULT_RELAY_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(out)) {
    const zeroOk = key === 'maxBytesPerSession';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
      throw new InvalidArgumentError(`limits.${key} must be a ${zeroOk ? 'non-negative' : 'positive'} finite number, got ${String(value)}`);
    }
  }
  for (const key of ['maxSessions', 'maxSessionsPerHost'] as const) {
    if (!Number.isInteger(out[key])) throw new InvalidArgumentError(`limits.${key} must be an integer, got ${out[key]}`);
  }
  return out;
}

/** Classic token bucket: `rate` tokens per second, at most `depth` held; starts full. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly depth: number,
    now: number,
  ) {
    this.tokens = depth;
    this.last = now;
  }

  /** Take `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n: number, now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.depth, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Give back `n` tokens taken for something that was refused later. */
  refund(n: number): void {
    this.tokens = Math.min(this.depth, this.tokens + n);
  }
}

export type Verdict = 'ok' | 'rate' | 'quota';

/** The packet and byte rate of one direction of one session, plus the session's shared byte quota. */
export class DirectionLimiter {
  private readonly packets: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(
    limits: RelayLimits,
    now: number,
    private readonly quota: ByteQuota,
  ) {
    this.packets = new TokenBucket(limits.packetsPerSecond, limits.packetsPerSecond * limits.burstSeconds, now);
    // The byte bucket holds at least one largest packet, whatever the configured rate.
    this.bytes = new TokenBucket(limits.bytesPerSecond, Math.max(limits.bytesPerSecond * limits.burstSeconds, 65536), now);
  }

  /** May a packet of `size` bytes pass now? A refused packet takes no tokens from the other bucket. */
  admit(size: number, now: number): Verdict {
    if (!this.quota.has(size)) return 'quota';
    if (!this.packets.take(1, now)) return 'rate';
    if (!this.bytes.take(size, now)) {
      this.packets.refund(1);
      return 'rate';
    }
    this.quota.spend(size);
    return 'ok';
  }
}

/** Total bytes a session may move; 0 = unlimited. */
export class ByteQuota {
  private used = 0;

  constructor(private readonly max: number) {}

  has(size: number): boolean {
    return this.max === 0 || this.used + size <= this.max;
  }

  spend(size: number): void {
    this.used += size;
  }

  get spent(): number {
    return this.used;
  }

  get exhausted(): boolean {
    return this.max !== 0 && this.used >= this.max;
  }
}

/** Counts open sessions against the cap. */
export class SessionSlots {
  private open = 0;

  constructor(private readonly max: number) {}

  tryAcquire(): boolean {
    if (this.open >= this.max) return false;
    this.open++;
    return true;
  }

  release(): void {
    if (this.open > 0) this.open--;
  }

  get inUse(): number {
    return this.open;
  }
}

/** Counts open sessions per remote host against a per-host cap; memory is one entry per host with sessions. */
export class HostSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  tryAcquire(host: string): boolean {
    const n = this.open.get(host) ?? 0;
    if (n >= this.max) return false;
    this.open.set(host, n + 1);
    return true;
  }

  release(host: string): void {
    const n = this.open.get(host) ?? 0;
    if (n <= 1) this.open.delete(host);
    else this.open.set(host, n - 1);
  }

  inUse(host: string): number {
    return this.open.get(host) ?? 0;
  }
}

export type Expiry = 'bind-timeout' | 'idle' | null;

/** When a session is due to be closed for silence: no bind request in time, or an idle page. */
export class SessionTimers {
  private lastFromPage: number;
  private bound = false;

  constructor(
    private readonly limits: Pick<RelayLimits, 'idleTimeoutMs' | 'bindTimeoutMs'>,
    private readonly openedAt: number,
  ) {
    this.lastFromPage = openedAt;
  }

  markBound(now: number): void {
    this.bound = true;
    this.lastFromPage = now;
  }

  /** The page sent something (a datagram or a stream record). */
  touch(now: number): void {
    if (now > this.lastFromPage) this.lastFromPage = now;
  }

  expired(now: number): Expiry {
    if (!this.bound) return now - this.openedAt >= this.limits.bindTimeoutMs ? 'bind-timeout' : null;
    return now - this.lastFromPage >= this.limits.idleTimeoutMs ? 'idle' : null;
  }
}

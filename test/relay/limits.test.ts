import { describe, expect, it } from 'vitest';
import { parseRelayArgs } from '../../ts/relay/args.js';
import { defaultAllowDestination } from '../../ts/relay/destinations.js';
import {
  ByteQuota,
  DEFAULT_RELAY_LIMITS,
  DirectionLimiter,
  HostSlots,
  resolveLimits,
  SessionSlots,
  SessionTimers,
  TokenBucket,
} from '../../ts/relay/limits.js';

describe('TokenBucket', () => {
  it('starts full, refuses past its depth and refills at its rate', () => {
    const b = new TokenBucket(10, 5, 1000);
    for (let i = 0; i < 5; i++) expect(b.take(1, 1000)).toBe(true);
    expect(b.take(1, 1000)).toBe(false);
    expect(b.take(1, 1099)).toBe(false); // 0.99 of a token
    expect(b.take(1, 1100)).toBe(true);
    expect(b.take(1, 1100)).toBe(false);
    // A long pause refills to the depth, not beyond.
    expect(b.take(5, 60_000)).toBe(true);
    expect(b.take(1, 60_000)).toBe(false);
  });

  it('takes nothing when it refuses, and ignores a clock that goes back', () => {
    const b = new TokenBucket(1, 3, 0);
    expect(b.take(4, 0)).toBe(false);
    expect(b.take(3, 0)).toBe(true);
    expect(b.take(1, -5000)).toBe(false);
    b.refund(1);
    expect(b.take(1, 0)).toBe(true);
  });
});

describe('DirectionLimiter', () => {
  const limits = (o: Partial<typeof DEFAULT_RELAY_LIMITS>) => resolveLimits(o);

  it('caps packets per second', () => {
    const d = new DirectionLimiter(limits({ packetsPerSecond: 100, burstSeconds: 1 }), 0, new ByteQuota(0));
    let ok = 0;
    for (let i = 0; i < 250; i++) if (d.admit(10, 0) === 'ok') ok++;
    expect(ok).toBe(100);
    expect(d.admit(10, 5)).toBe('rate');
    expect(d.admit(10, 10)).toBe('ok'); // one token refilled after 10 ms
  });

  it('caps bytes per second, and a byte refusal gives the packet token back', () => {
    const d = new DirectionLimiter(limits({ packetsPerSecond: 3, bytesPerSecond: 100_000, burstSeconds: 1 }), 0, new ByteQuota(0));
    expect(d.admit(60_000, 0)).toBe('ok');
    expect(d.admit(60_000, 0)).toBe('rate'); // bytes
    expect(d.admit(30_000, 0)).toBe('ok');
    expect(d.admit(5_000, 0)).toBe('ok'); // still a packet token: the byte refusal returned it
    expect(d.admit(1, 0)).toBe('rate'); // packets
  });

  it('holds at least one largest packet in the byte bucket whatever the rate', () => {
    const d = new DirectionLimiter(limits({ bytesPerSecond: 1000, burstSeconds: 1 }), 0, new ByteQuota(0));
    expect(d.admit(8210, 0)).toBe('ok');
  });

  it('shares one byte quota between both directions of a session', () => {
    const quota = new ByteQuota(10_000);
    const l = limits({});
    const up = new DirectionLimiter(l, 0, quota);
    const down = new DirectionLimiter(l, 0, quota);
    expect(up.admit(6000, 0)).toBe('ok');
    expect(down.admit(4000, 0)).toBe('ok');
    expect(quota.exhausted).toBe(true);
    expect(down.admit(1, 0)).toBe('quota');
    expect(quota.spent).toBe(10_000);
  });
});

describe('SessionSlots', () => {
  it('admits up to the cap and frees on release', () => {
    const s = new SessionSlots(2);
    expect([s.tryAcquire(), s.tryAcquire(), s.tryAcquire()]).toEqual([true, true, false]);
    expect(s.inUse).toBe(2);
    s.release();
    expect(s.tryAcquire()).toBe(true);
    s.release();
    s.release();
    s.release(); // never below zero
    expect(s.inUse).toBe(0);
  });
});

describe('HostSlots', () => {
  it('caps sessions per host independently and forgets hosts with none open', () => {
    const s = new HostSlots(2);
    expect([s.tryAcquire('10.0.0.1'), s.tryAcquire('10.0.0.1'), s.tryAcquire('10.0.0.1')]).toEqual([true, true, false]);
    expect(s.tryAcquire('10.0.0.2')).toBe(true);
    s.release('10.0.0.1');
    expect(s.tryAcquire('10.0.0.1')).toBe(true);
    s.release('10.0.0.2');
    s.release('10.0.0.2');
    expect(s.inUse('10.0.0.2')).toBe(0);
    expect(s.inUse('10.0.0.1')).toBe(2);
  });
});

describe('SessionTimers', () => {
  it('expires an unbound session at the bind timeout', () => {
    const t = new SessionTimers({ idleTimeoutMs: 1000, bindTimeoutMs: 300 }, 100);
    expect(t.expired(399)).toBe(null);
    expect(t.expired(400)).toBe('bind-timeout');
  });

  it('expires a bound session when the page is silent for the idle timeout', () => {
    const t = new SessionTimers({ idleTimeoutMs: 1000, bindTimeoutMs: 300 }, 0);
    t.markBound(200);
    expect(t.expired(1199)).toBe(null);
    t.touch(1100);
    t.touch(900); // an older timestamp does not move it back
    expect(t.expired(2099)).toBe(null);
    expect(t.expired(2100)).toBe('idle');
  });
});

describe('resolveLimits', () => {
  it('overlays the defaults and names a bad field', () => {
    expect(resolveLimits({ maxSessions: 3 })).toEqual({ ...DEFAULT_RELAY_LIMITS, maxSessions: 3 });
    expect(() => resolveLimits({ idleTimeoutMs: 0 })).toThrow(/limits\.idleTimeoutMs/);
    expect(() => resolveLimits({ packetsPerSecond: Number.NaN })).toThrow(/limits\.packetsPerSecond/);
    expect(() => resolveLimits({ maxSessions: 1.5 })).toThrow(/limits\.maxSessions/);
    expect(() => resolveLimits({ maxSessionsPerHost: 0 })).toThrow(/limits\.maxSessionsPerHost/);
    expect(resolveLimits({ maxBytesPerSession: 0 }).maxBytesPerSession).toBe(0);
  });
});

describe('defaultAllowDestination', () => {
  it('refuses addresses no mesh node can have', () => {
    for (const a of ['127.0.0.1:9000', '192.0.2.1:1', '[::1]:9', '[2001:db8::1]:443', '223.255.255.255:5']) {
      expect(defaultAllowDestination(a)).toBe(true);
    }
    for (const a of ['127.0.0.1:0', '0.0.0.0:9', '0.1.2.3:9', '224.0.0.1:9', '239.255.255.250:1900', '255.255.255.255:9', '[::]:9', '[ff02::1]:9', 'name:9']) {
      expect(defaultAllowDestination(a)).toBe(false);
    }
  });
});

describe('parseRelayArgs', () => {
  it('maps flags to relay options', () => {
    expect(parseRelayArgs(['--host', '::', '--port=4433', '--public-host', '203.0.113.5', '--max-sessions', '8', '--idle-timeout-ms=5000', '--stdin-lifeline'])).toEqual({
      options: { hostname: '::', port: 4433, publicHost: '203.0.113.5', limits: { maxSessions: 8, idleTimeoutMs: 5000 } },
      stdinLifeline: true,
    });
    expect(parseRelayArgs([])).toEqual({ options: {}, stdinLifeline: false });
  });

  it('rejects unknown flags, missing values and non-numbers', () => {
    expect(() => parseRelayArgs(['--nope'])).toThrow(/unknown relay option "--nope"/);
    expect(() => parseRelayArgs(['--port'])).toThrow(/--port needs a value/);
    expect(() => parseRelayArgs(['--max-sessions', 'many'])).toThrow(/--max-sessions must be a whole number/);
  });
});

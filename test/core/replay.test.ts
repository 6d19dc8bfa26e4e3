// The replay window of wire.md §13: the TS ReplayWindow rule by rule, against a set-based model,
// and against the core's per-session window (datagrams sealed at chosen counters, opened by a
// PacketSession).
import { beforeAll, describe, expect, it } from 'vitest';
import { openPacket, PacketSession, PacketStatus, ReplayWindow, REPLAY_WINDOW_SIZE, sealPacket } from '../../ts/core/packet.js';
import { initCore } from '../../ts/core/wasm.js';
import { InvalidArgumentError, ReplayError } from '../../ts/errors.js';

const U64_MAX = (1n << 64n) - 1n;

/** xorshift64*: deterministic counters. */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= x >> 12n;
    x ^= (x << 25n) & U64_MAX;
    x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & U64_MAX;
  };
}

/** §13 written as plainly as possible: the set of admitted counters. */
class Model {
  next = 0n;
  seen = new Set<bigint>();
  admit(c: bigint): boolean {
    if (c === U64_MAX) return false;
    if (c >= this.next) {
      this.next = c + 1n;
      this.seen.add(c);
      return true;
    }
    if (this.next - 1n - c >= 1024n || this.seen.has(c)) return false;
    this.seen.add(c);
    return true;
  }
}

/** A counter sequence that exercises shifts, window edges, duplicates and u64::MAX. */
function counterSequence(seed: bigint, n: number): bigint[] {
  const r = rng(seed);
  const out: bigint[] = [];
  let hi = 0n;
  for (let i = 0; i < n; i++) {
    const x = r();
    let c: bigint;
    switch (Number(x % 8n)) {
      case 0:
        c = hi + (x >> 8n) % 3000n;
        break;
      case 1:
        c = hi - 1020n - ((x >> 8n) % 10n);
        break;
      case 2:
        c = U64_MAX - ((x >> 8n) % 3n);
        break;
      case 3:
        c = out.length ? out[Number((x >> 8n) % BigInt(out.length))]! : 0n; // a duplicate
        break;
      default:
        c = hi - ((x >> 8n) % 1100n) + ((x >> 40n) % 4n);
    }
    if (c < 0n) c = 0n;
    if (c > U64_MAX) c = U64_MAX;
    out.push(c);
    if (c < U64_MAX - 1_000_000n && c > hi) hi = c;
  }
  return out;
}

describe('ReplayWindow (TS)', () => {
  it('starts empty and refuses duplicates', () => {
    const w = new ReplayWindow();
    expect(REPLAY_WINDOW_SIZE).toBe(1024);
    expect(w.rxNext).toBe(0n);
    expect(w.admit(0n)).toBe(true);
    expect(w.rxNext).toBe(1n);
    expect(w.admit(0n)).toBe(false);
    expect(w.admit(1n)).toBe(true);
    expect(w.admit(1n)).toBe(false);
  });

  it('rejects u64::MAX without changing state; u64::MAX − 1 is the largest valid counter', () => {
    const w = new ReplayWindow();
    expect(w.check(U64_MAX)).toBe(false);
    expect(w.admit(U64_MAX)).toBe(false);
    expect(w.rxNext).toBe(0n);
    expect(w.admit(U64_MAX - 1n)).toBe(true);
    expect(w.rxNext).toBe(U64_MAX);
    expect(w.admit(U64_MAX - 1n)).toBe(false);
    expect(w.admit(U64_MAX - 1024n)).toBe(true); // age 1023
    expect(w.admit(U64_MAX - 1025n)).toBe(false); // age 1024
  });

  it('accepts out-of-order counters inside the window once each', () => {
    const w = new ReplayWindow();
    expect(w.admit(10n)).toBe(true);
    for (const c of [9n, 3n, 0n, 7n]) {
      expect(w.admit(c)).toBe(true);
      expect(w.admit(c)).toBe(false);
    }
    expect(w.rxNext).toBe(11n);
  });

  it('age 1023 is inside, age 1024 is outside', () => {
    const w = new ReplayWindow();
    expect(w.admit(2000n)).toBe(true);
    expect(w.check(2000n - 1024n)).toBe(false);
    expect(w.admit(2000n - 1024n)).toBe(false);
    expect(w.admit(2000n - 1023n)).toBe(true);
    expect(w.admit(2000n - 1023n)).toBe(false);
  });

  it('shifts keep history across word boundaries and clear it for jumps ≥ 1024', () => {
    for (const jump of [1n, 2n, 31n, 32n, 33n, 63n, 64n, 65n, 1000n, 1018n, 1019n, 1023n, 1024n, 1025n, 5000n, 1n << 62n]) {
      const w = new ReplayWindow();
      w.admit(0n);
      w.admit(5n);
      const top = 5n + jump;
      expect(w.admit(top)).toBe(true);
      const probes = [0n, 1n, 4n, 5n, 6n, top / 2n, top - 1024n, top - 1023n, top - 1n].filter((c) => c >= 0n);
      for (const c of probes) {
        const seen = c === 0n || c === 5n || c === top;
        expect(w.check(c), `jump ${jump} counter ${c}`).toBe(!seen && top - c < 1024n);
      }
    }
  });

  it('refusals change nothing; reset empties it', () => {
    const w = new ReplayWindow();
    w.admit(3000n);
    w.admit(2990n);
    expect(w.admit(2990n)).toBe(false);
    expect(w.admit(1000n)).toBe(false);
    expect(w.admit(U64_MAX)).toBe(false);
    expect(w.rxNext).toBe(3001n);
    expect(w.admit(2991n)).toBe(true);
    w.reset();
    expect(w.rxNext).toBe(0n);
    expect(w.admit(2990n)).toBe(true);
  });

  it('rejects non-u64 counters', () => {
    const w = new ReplayWindow();
    expect(() => w.admit(-1n)).toThrow(InvalidArgumentError);
    expect(() => w.admit(1n << 64n)).toThrow(InvalidArgumentError);
    expect(() => w.admit(5 as unknown as bigint)).toThrow(InvalidArgumentError);
  });

  it('matches the set model on seeded random sequences', () => {
    for (let round = 0; round < 20; round++) {
      const w = new ReplayWindow();
      const m = new Model();
      for (const c of counterSequence(BigInt(round + 1) * 0x9e3779b97f4a7c15n, 1500)) {
        const pre = w.check(c);
        const got = w.admit(c);
        expect(got).toBe(pre);
        expect(got, `round ${round} counter ${c}`).toBe(m.admit(c));
        expect(w.rxNext).toBe(m.next);
      }
    }
  });
});

describe('core replay window (per PacketSession)', () => {
  beforeAll(() => initCore());

  const key = new Uint8Array(32).fill(0x33);
  const sessionId = 0x8877665544332211n;

  it('equals the TS window on the same counter sequence, and admits only after authentication', () => {
    const rx = new PacketSession({ txKey: new Uint8Array(32), rxKey: key, sessionId });
    const w = new ReplayWindow();
    const seq = counterSequence(0x1234567n, 1200);
    // Seal every distinct counter once (u64::MAX cannot be sealed: craft it by rewriting bytes 16..24).
    const cache = new Map<bigint, Uint8Array>();
    const datagram = (c: bigint): Uint8Array => {
      let d = cache.get(c);
      if (!d) {
        if (c === U64_MAX) {
          d = sealPacket(key, { sessionId, streamId: 1n }, [], 0n);
          new DataView(d.buffer).setBigUint64(16, c, true); // tag no longer verifies: auth error first
        } else {
          d = sealPacket(key, { sessionId, streamId: 1n }, [new Uint8Array([1, 2, 3])], c);
        }
        cache.set(c, d);
      }
      return d;
    };
    const batch = seq.map(datagram);
    const res = rx.openBatch(batch);
    for (let i = 0; i < seq.length; i++) {
      const c = seq[i]!;
      if (c === U64_MAX) {
        expect(res.status(i)).toBe(PacketStatus.AUTH_FAILED);
        continue;
      }
      const admitted = w.admit(c);
      expect(res.status(i), `#${i} counter ${c}`).toBe(admitted ? PacketStatus.DATA : PacketStatus.REPLAY);
    }
    expect(rx.rxNext).toBe(w.rxNext);
    rx.dispose();
  });

  it('a failed authentication leaves the window unchanged', () => {
    const rx = new PacketSession({ txKey: new Uint8Array(32), rxKey: key, sessionId });
    const d = sealPacket(key, { sessionId }, [], 500n);
    const forged = d.slice();
    forged[forged.length - 1]! ^= 1;
    expect(rx.openBatch([forged]).status(0)).toBe(PacketStatus.AUTH_FAILED);
    expect(rx.rxNext).toBe(0n);
    expect(rx.open(d).counter).toBe(500n);
    expect(rx.rxNext).toBe(501n);
    expect(() => rx.open(d)).toThrow(ReplayError);
    rx.dispose();
  });

  it('openPacket with a key consults a caller-supplied TS window after authentication', () => {
    const w = new ReplayWindow();
    const d = sealPacket(key, { sessionId }, [new Uint8Array([9])], 7n);
    expect(openPacket(key, d, { replay: w }).events.map((e) => [...e])).toEqual([[9]]);
    expect(w.rxNext).toBe(8n);
    expect(() => openPacket(key, d, { replay: w })).toThrow(ReplayError);
  });
});

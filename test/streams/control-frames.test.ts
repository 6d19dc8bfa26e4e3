// Stream control payloads (wire.md §8, §19) and their fit with the core's NACK construction.
import { describe, expect, it } from 'vitest';
import {
  decodeStreamNack,
  decodeStreamReset,
  decodeStreamWindow,
  encodeStreamNack,
  encodeStreamReset,
  encodeStreamWindow,
  nackMissing,
} from '../../ts/streams/control-frames.js';
import { StreamState } from '../../ts/core/reliable.js';

const U64_MAX = (1n << 64n) - 1n;

describe('StreamWindow (0x0B00, 24 B)', () => {
  it('is little-endian (stream_window.rs test_endianness_is_little_endian)', () => {
    const b = encodeStreamWindow({ streamId: 1n, totalConsumed: 1n, ackSeq: 1n });
    expect(b.length).toBe(24);
    for (const at of [0, 8, 16]) {
      expect(b[at]).toBe(0x01);
      expect(b[at + 1]).toBe(0x00);
    }
    expect(decodeStreamWindow(b)).toEqual({ streamId: 1n, totalConsumed: 1n, ackSeq: 1n });
  });

  it('rejects 23- and 25-byte inputs (and every other length)', () => {
    const b = encodeStreamWindow({ streamId: 7n, totalConsumed: 8n, ackSeq: 9n });
    expect(decodeStreamWindow(b.subarray(0, 23))).toBeNull();
    const long = new Uint8Array(25);
    long.set(b);
    expect(decodeStreamWindow(long)).toBeNull();
    expect(decodeStreamWindow(new Uint8Array(0))).toBeNull();
    expect(decodeStreamWindow(new Uint8Array(48))).toBeNull();
  });

  it('round-trips the full u64 range, also from an offset view', () => {
    const f = { streamId: U64_MAX, totalConsumed: 0x0123_4567_89ab_cdefn, ackSeq: 1n << 63n };
    const enc = encodeStreamWindow(f);
    const padded = new Uint8Array(31);
    padded.set(enc, 7);
    expect(decodeStreamWindow(padded.subarray(7))).toEqual(f);
  });
});

describe('StreamNack (0x0B01, 24 B)', () => {
  it('protocol.rs test_nack_payload_roundtrip: 100 + 0b1010_0101 → 100, 101, 103, 106, 108', () => {
    const f = { streamId: 42n, nextExpected: 100n, missingBitmap: 0b1010_0101n };
    const enc = encodeStreamNack(f);
    expect(enc.length).toBe(24);
    expect(Array.from(enc.subarray(16))).toEqual([0xa5, 0, 0, 0, 0, 0, 0, 0]);
    const dec = decodeStreamNack(enc)!;
    expect(dec).toEqual(f);
    expect(nackMissing(dec)).toEqual([100n, 101n, 103n, 106n, 108n]);
    expect(decodeStreamNack(enc.subarray(0, 23))).toBeNull();
    expect(decodeStreamNack(new Uint8Array(25))).toBeNull();
  });

  it('carries the core receiver NACK to the core sender unchanged', () => {
    const rx = new StreamState({ reliable: true }, 0);
    const tx = new StreamState({ reliable: true }, 0);
    tx.admit(Array.from({ length: 12 }, () => [new Uint8Array(1)]), 0);
    for (const seq of [0, 1, 3, 5, 6, 7, 9, 11]) rx.onReceive(seq, 5, 1);
    const n = rx.buildNack()!;
    const wire = encodeStreamNack({ streamId: 77n, ...n });
    const got = decodeStreamNack(wire)!;
    expect(nackMissing(got)).toEqual([2n, 4n, 8n, 10n]);
    expect(tx.onNack(got.nextExpected, got.missingBitmap, 2)).toEqual([2n, 4n, 8n, 10n]);
    rx.free();
    tx.free();
  });
});

describe('StreamReset (0x0B02, 8 B)', () => {
  it('round-trips and rejects other lengths', () => {
    const enc = encodeStreamReset(0x1122_3344_5566_7788n);
    expect(Array.from(enc)).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    expect(decodeStreamReset(enc)).toBe(0x1122_3344_5566_7788n);
    expect(decodeStreamReset(enc.subarray(0, 7))).toBeNull();
    expect(decodeStreamReset(new Uint8Array(9))).toBeNull();
    expect(decodeStreamReset(new Uint8Array(24))).toBeNull();
  });
});

// Stream control frames (wire.md §8): StreamWindow 0x0B00 (24 B), StreamNack 0x0B01 (24 B),
// StreamReset 0x0B02 (8 B), all u64 LE. A frame whose length is not exact is ignored (null).

export const SUBPROTOCOL_STREAM_WINDOW = 0x0b00;
export const SUBPROTOCOL_STREAM_NACK = 0x0b01;
export const SUBPROTOCOL_STREAM_RESET = 0x0b02;
export const CONTROL_STREAM_ID = 0xffff_ffff_ffff_ffffn;

export interface StreamWindowFrame {
  streamId: bigint;
  totalConsumed: bigint;
  ackSeq: bigint;
}

export interface StreamNackFrame {
  streamId: bigint;
  nextExpected: bigint;
  missingBitmap: bigint;
}

function u64s(values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true));
  return out;
}

function readU64s(b: Uint8Array, n: number): bigint[] | null {
  if (b.length !== n * 8) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(dv.getBigUint64(i * 8, true));
  return out;
}

export function encodeStreamWindow(f: StreamWindowFrame): Uint8Array {
  return u64s([f.streamId, f.totalConsumed, f.ackSeq]);
}

export function decodeStreamWindow(b: Uint8Array): StreamWindowFrame | null {
  const v = readU64s(b, 3);
  return v && { streamId: v[0]!, totalConsumed: v[1]!, ackSeq: v[2]! };
}

export function encodeStreamNack(f: StreamNackFrame): Uint8Array {
  return u64s([f.streamId, f.nextExpected, f.missingBitmap]);
}

export function decodeStreamNack(b: Uint8Array): StreamNackFrame | null {
  const v = readU64s(b, 3);
  return v && { streamId: v[0]!, nextExpected: v[1]!, missingBitmap: v[2]! };
}

export function encodeStreamReset(streamId: bigint): Uint8Array {
  return u64s([streamId]);
}

export function decodeStreamReset(b: Uint8Array): bigint | null {
  const v = readU64s(b, 1);
  return v && v[0]!;
}

/** Missing seqs named by a NACK: next_expected, then next_expected + 1 + i for each set bit i. */
export function nackMissing(f: StreamNackFrame): bigint[] {
  const out = [f.nextExpected];
  for (let i = 0n; i < 64n; i++) if ((f.missingBitmap >> i) & 1n) out.push(f.nextExpected + 1n + i);
  return out;
}

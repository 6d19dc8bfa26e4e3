// Internal: the packet exports of the core, the batch layouts (mirrors core-rs/src/packet/batch.rs)
// and the per-thread packet arena that batch calls lay their input and output regions in.
//
// The arena is separate from the shared scratch region so other modules' calls do not clobber a
// batch result. Every batch call bumps `arenaGeneration`; result objects remember the generation
// they were made in and refuse reads once a later call reused the arena.
import { CoreBuffer, heap } from './memory.js';
import { core } from './wasm.js';

export interface PacketExports {
  readonly memory: WebAssembly.Memory;
  nm_packet_session_new(keysPtr: number, sessionId: bigint): number;
  nm_packet_session_free(h: number): void;
  nm_packet_session_next_counter(h: number): bigint;
  nm_packet_session_advance_counter(h: number, next: bigint): number;
  nm_packet_session_rx_next(h: number): bigint;
  nm_packet_seal_batch(h: number, inPtr: number, inLen: number, outPtr: number, outCap: number): number;
  nm_packet_open_batch(h: number, inPtr: number, inLen: number, outPtr: number, outCap: number): number;
}

export function packetExports(): PacketExports {
  return core() as unknown as PacketExports;
}

// ---- layouts (see batch.rs for the full description) ----
/** u32 count, u32 reserved. */
export const BATCH_HEADER_SIZE = 8;
/** Template (40) + u32 event_count + u32 frames_len; frames follow. */
export const SEAL_RECORD_FIXED = 48;
/** Per sealed packet: u32 datagram_len, u32 record_index, u32 first_event, u32 event_count. */
export const SEAL_OUT_META = 16;
/** Per datagram to open: u32 len, u32 reserved; bytes follow. */
export const OPEN_IN_FIXED = 8;
/** Per opened datagram result. */
export const OPEN_RESULT_SIZE = 72;
/** Per parsed frame: u32 offset (relative to the input region), u32 len. */
export const FRAME_ENTRY_SIZE = 8;

/** Field offsets inside an open result record. */
export const R = {
  STATUS: 0,
  FRAME_START: 4,
  FRAME_COUNT: 8,
  PAYLOAD_OFF: 12,
  PAYLOAD_LEN: 16,
  FLAGS: 20,
  HOP_COUNT: 21,
  SUBPROTOCOL_ID: 22,
  CHANNEL_HASH: 24,
  EVENT_COUNT: 26,
  SESSION_ID: 32,
  STREAM_ID: 40,
  SEQUENCE: 48,
  ORIGIN_HASH: 56,
  COUNTER: 64,
} as const;

export const pad8 = (n: number): number => (n + 7) & ~7;

// ---- arena ----
let arenaBuf: CoreBuffer | undefined;
let generation = 0;

/** The packet arena with at least `size` bytes; invalidates every earlier batch result. */
export function arena(size: number): CoreBuffer {
  generation++;
  if (!arenaBuf || arenaBuf.size < size) {
    const old = arenaBuf;
    // Allocate before freeing so the new region never overlaps the old one mid-copy.
    arenaBuf = new CoreBuffer(Math.max(size, 1 << 16, old ? old.size * 2 : 0));
    old?.free();
  }
  return arenaBuf;
}

export function arenaGeneration(): number {
  return generation;
}

let dvBuffer: ArrayBuffer | undefined;
let dv: DataView | undefined;

/** A DataView over the whole linear memory, re-made after memory growth. */
export function heapView(): DataView {
  const mem = heap();
  if (mem.buffer !== dvBuffer) {
    dvBuffer = mem.buffer as ArrayBuffer;
    dv = new DataView(dvBuffer);
  }
  return dv!;
}

/** True when `v` is a view of the core's linear memory (it may move or be overwritten by a call). */
export function inCoreMemory(v: Uint8Array): boolean {
  return v.buffer === core().memory.buffer;
}

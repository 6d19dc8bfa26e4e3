// The 24-byte EventMeta header every nRPC frame starts with (rpc-tools.md §2, Net's
// `cortex/meta.rs`): dispatch u8 · flags u8 · 2 bytes padding (written 0) · origin_hash u64 LE ·
// seq_or_ts u64 LE (the call id) · checksum u32 (nRPC writes 0; readers ignore it).
import { RpcCodecError } from '../errors.js';
import { EVENT_META_SIZE } from './constants.js';
import { u64Arg, uintArg } from './wire-bytes.js';

/** The 24-byte header of every nRPC frame (rpc-tools.md §2): dispatch kind, flags, origin hash and call id. */
export interface EventMeta {
  dispatch: number;
  flags: number;
  originHash: bigint;
  callId: bigint;
}

export function encodeEventMeta(meta: EventMeta): Uint8Array {
  const dispatch = uintArg('dispatch', meta?.dispatch, 0xff);
  const flags = uintArg('flags', meta.flags, 0xff, 0);
  const originHash = u64Arg('originHash', meta.originHash);
  const callId = u64Arg('callId', meta.callId);
  const out = new Uint8Array(EVENT_META_SIZE);
  const v = new DataView(out.buffer);
  out[0] = dispatch;
  out[1] = flags;
  v.setBigUint64(4, originHash, true);
  v.setBigUint64(12, callId, true);
  return out;
}

/** Reads the first 24 bytes of an event; a shorter event is not an nRPC frame (RpcCodecError). */
export function decodeEventMeta(bytes: Uint8Array): EventMeta {
  if (!(bytes instanceof Uint8Array) || bytes.length < EVENT_META_SIZE) {
    throw new RpcCodecError('truncated', 'event meta');
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, EVENT_META_SIZE);
  return { dispatch: bytes[0]!, flags: bytes[1]!, originHash: v.getBigUint64(4, true), callId: v.getBigUint64(12, true) };
}

// Credit grants (rpc-tools.md §2, §5). The credit counts are big-endian — the two exceptions to
// nRPC's little-endian rule: STREAM_GRANT = credits u32 BE (exactly 4 bytes); REQUEST_GRANT =
// call_id u64 LE · credits u32 BE (exactly 12 bytes).
import { InvalidArgumentError, RpcCodecError } from '../errors.js';
import { REQUEST_GRANT_SIZE, STREAM_GRANT_SIZE } from './constants.js';
import { u64Arg, uintArg } from './wire-bytes.js';

/** A decoded REQUEST_GRANT (rpc-tools.md §5): upload credits for one call. */
export interface RequestGrant {
  callId: bigint;
  credits: number;
}

export function encodeStreamGrant(credits: number): Uint8Array {
  const out = new Uint8Array(STREAM_GRANT_SIZE);
  new DataView(out.buffer).setUint32(0, uintArg('credits', credits, 0xffff_ffff), false);
  return out;
}

export function decodeStreamGrant(bytes: Uint8Array): number {
  exact(bytes, STREAM_GRANT_SIZE, 'stream grant');
  return new DataView(bytes.buffer, bytes.byteOffset, STREAM_GRANT_SIZE).getUint32(0, false);
}

export function encodeRequestGrant(callId: bigint, credits: number): Uint8Array {
  const out = new Uint8Array(REQUEST_GRANT_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, u64Arg('callId', callId), true);
  v.setUint32(8, uintArg('credits', credits, 0xffff_ffff), false);
  return out;
}

export function decodeRequestGrant(bytes: Uint8Array): RequestGrant {
  exact(bytes, REQUEST_GRANT_SIZE, 'request grant');
  const v = new DataView(bytes.buffer, bytes.byteOffset, REQUEST_GRANT_SIZE);
  return { callId: v.getBigUint64(0, true), credits: v.getUint32(8, false) };
}

function exact(bytes: unknown, size: number, field: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  if (bytes.length !== size) throw new RpcCodecError('bad_length', field, { actual: bytes.length, limit: size });
}

// Whole outgoing nRPC frames (EventMeta ‖ payload) written into one buffer each: the runtime's
// per-call cost is one allocation per frame. A frame that does not fit one event is refused with
// BODY_TOO_LARGE before anything is sent (rpc-tools.md §3).
import { DISPATCH, EVENT_META_SIZE } from './constants.js';
import { assertFitsOneEvent } from './frame.js';
import { encodeStreamGrant, encodeRequestGrant } from './grants.js';
import { writeRequest, writeRequestChunk, writeResponse, type RequestInput, type RequestChunkInput, type ResponseInput } from './payloads.js';

function meta(frame: Uint8Array, dispatch: number, origin: bigint, callId: bigint): Uint8Array {
  const v = new DataView(frame.buffer, frame.byteOffset, EVENT_META_SIZE);
  frame[0] = dispatch;
  v.setBigUint64(4, origin, true);
  v.setBigUint64(12, callId, true);
  return frame;
}

function checked(frame: Uint8Array, what: string): Uint8Array {
  assertFitsOneEvent(frame.length, what);
  return frame;
}

export function requestFrame(origin: bigint, callId: bigint, req: RequestInput): Uint8Array {
  return meta(checked(writeRequest(req, EVENT_META_SIZE), 'nRPC request frame'), DISPATCH.REQUEST, origin, callId);
}

export function responseFrame(origin: bigint, callId: bigint, res: ResponseInput): Uint8Array {
  return meta(checked(writeResponse(res, EVENT_META_SIZE), 'nRPC response frame'), DISPATCH.RESPONSE, origin, callId);
}

export function requestChunkFrame(origin: bigint, callId: bigint, chunk: RequestChunkInput): Uint8Array {
  return meta(checked(writeRequestChunk(chunk, EVENT_META_SIZE), 'nRPC request chunk frame'), DISPATCH.REQUEST_CHUNK, origin, callId);
}

/** CANCEL / DEADLINE_EXCEEDED: the EventMeta alone. */
export function bareFrame(dispatch: number, origin: bigint, callId: bigint): Uint8Array {
  return meta(new Uint8Array(EVENT_META_SIZE), dispatch, origin, callId);
}

export function streamGrantFrame(origin: bigint, callId: bigint, credits: number): Uint8Array {
  const f = new Uint8Array(EVENT_META_SIZE + 4);
  f.set(encodeStreamGrant(credits), EVENT_META_SIZE);
  return meta(f, DISPATCH.STREAM_GRANT, origin, callId);
}

export function requestGrantFrame(origin: bigint, callId: bigint, credits: number): Uint8Array {
  const f = new Uint8Array(EVENT_META_SIZE + 12);
  f.set(encodeRequestGrant(callId, credits), EVENT_META_SIZE);
  return meta(f, DISPATCH.REQUEST_GRANT, origin, callId);
}

// The numeric tables and limits of nRPC's wire format (rpc-tools.md §2–§3, §5).
import { MAX_EVENT_SIZE } from '../core/header.js';

/** `EventMeta.dispatch` values for nRPC frames (rpc-tools.md §2). */
export const DISPATCH = Object.freeze({
  REQUEST: 0x10,
  RESPONSE: 0x11,
  CANCEL: 0x12,
  DEADLINE_EXCEEDED: 0x13,
  STREAM_GRANT: 0x14,
  REQUEST_CHUNK: 0x15,
  REQUEST_GRANT: 0x16,
} as const);

export type DispatchName = keyof typeof DISPATCH;

/** Request / chunk flag bits (u16). Bits 0 and 3 are reserved; bits 6–15 are written as 0 and ignored. */
export const FLAGS = Object.freeze({
  STREAMING_RESPONSE: 1 << 1,
  PROPAGATE_TRACE: 1 << 2,
  CLIENT_STREAMING_REQUEST: 1 << 4,
  REQUEST_END: 1 << 5,
} as const);

/** Every flag bit a writer may set (the others are written as 0). */
export const KNOWN_FLAGS = FLAGS.STREAMING_RESPONSE | FLAGS.PROPAGATE_TRACE | FLAGS.CLIENT_STREAMING_REQUEST | FLAGS.REQUEST_END;

export const EVENT_META_SIZE = 24;
export const MAX_SERVICE_NAME_LEN = 255;
export const MAX_HEADERS = 32;
export const MAX_HEADER_NAME_LEN = 64;
export const MAX_HEADER_VALUE_LEN = 4096;
/** The codec's body limit; on the wire a frame must also fit one event (`MAX_FRAME_SIZE`). */
export const MAX_BODY_LEN = 4 * 1024 * 1024;
/** One frame = one event (wire.md §5), EventMeta included. */
export const MAX_FRAME_SIZE = MAX_EVENT_SIZE;
export const STREAM_GRANT_SIZE = 4;
export const REQUEST_GRANT_SIZE = 12;

/** Header names of §5 (server streaming marker and the two opt-in credit windows). */
export const HEADERS = Object.freeze({
  STREAMING: 'nrpc-streaming',
  STREAM_WINDOW_INITIAL: 'nrpc-stream-window-initial',
  REQUEST_WINDOW_INITIAL: 'nrpc-request-window-initial',
  TRACEPARENT: 'traceparent',
  TRACESTATE: 'tracestate',
} as const);

/** Typed-layer application statuses (rpc-tools.md §3). */
export const TYPED_BAD_REQUEST = 0x8000;
export const TYPED_HANDLER_ERROR = 0x8001;

// `nrpc`: the pure wire codecs of rpc-tools.md §2–§3 under the names sdk.md fixes ("Wire codecs
// and tool formats"), for interop tests and other bindings.
import { DISPATCH, FLAGS, HEADERS, EVENT_META_SIZE, MAX_BODY_LEN, MAX_FRAME_SIZE, MAX_HEADERS, MAX_HEADER_NAME_LEN, MAX_HEADER_VALUE_LEN, MAX_SERVICE_NAME_LEN, TYPED_BAD_REQUEST, TYPED_HANDLER_ERROR } from './constants.js';
import { decodeEventMeta, encodeEventMeta } from './event-meta.js';
import { decodeRequest, decodeRequestChunk, decodeResponse, encodeRequest, encodeRequestChunk, encodeResponse } from './payloads.js';
import { decodeRequestGrant, decodeStreamGrant, encodeRequestGrant, encodeStreamGrant } from './grants.js';
import { assertFitsOneEvent, decodeFrame, encodeFrame } from './frame.js';
import { canonicalUploadFlags, decodeRequestOrReject, malformedRequestResponse, responseKind, windowInitial } from './server-codec.js';
import { RpcStatus, rpcStatusName } from './status.js';

/**
 * The pure nRPC wire codecs (rpc-tools.md §2–§5, sdk.md "Wire codecs and tool formats"): EventMeta,
 * REQUEST, RESPONSE, REQUEST_CHUNK and grant encoders and decoders, frame helpers and the
 * numeric tables (`DISPATCH`, `FLAGS`, `HEADERS`, `LIMITS`). u64 fields are bigint; decoders
 * throw `RpcCodecError`.
 */
export const nrpc = Object.freeze({
  encodeEventMeta,
  decodeEventMeta,
  encodeRequest,
  decodeRequest,
  encodeResponse,
  decodeResponse,
  encodeRequestChunk,
  decodeRequestChunk,
  encodeStreamGrant,
  decodeStreamGrant,
  encodeRequestGrant,
  decodeRequestGrant,
  /** EventMeta ‖ payload as one event; BODY_TOO_LARGE when it exceeds 8104 bytes. */
  encodeFrame,
  decodeFrame,
  assertFitsOneEvent,
  /** The UnknownVersion response a server sends for a REQUEST that does not decode. */
  malformedRequestResponse,
  decodeRequestOrReject,
  responseKind,
  windowInitial,
  canonicalUploadFlags,
  statusName: rpcStatusName,
  FLAGS,
  DISPATCH,
  HEADERS,
  RpcStatus,
  LIMITS: Object.freeze({
    EVENT_META_SIZE,
    MAX_SERVICE_NAME_LEN,
    MAX_HEADERS,
    MAX_HEADER_NAME_LEN,
    MAX_HEADER_VALUE_LEN,
    MAX_BODY_LEN,
    MAX_FRAME_SIZE,
  }),
  TYPED_BAD_REQUEST,
  TYPED_HANDLER_ERROR,
});

// nRPC wire layer: codecs, status table, frame helpers.
export { nrpc } from './nrpc.js';
export { RpcStatus, rpcStatusName, isApplicationStatus, type RpcStatusName } from './status.js';
export { DISPATCH, FLAGS, HEADERS, EVENT_META_SIZE, MAX_FRAME_SIZE } from './constants.js';
export type { EventMeta } from './event-meta.js';
export type { RpcHeader, RequestPayload, ResponsePayload, RequestChunkPayload, RequestInput, ResponseInput, RequestChunkInput, HeaderInput } from './payloads.js';
export type { RequestGrant } from './grants.js';
export type { Frame } from './frame.js';

// Request / Response / RequestChunk payloads and their header lists (rpc-tools.md §3). Integers
// are little-endian. Decoders reject empty service or header names, over-limit lengths,
// truncation and invalid UTF-8, and ignore bytes after the body (as Net v0.27 does). Encoders
// write flags verbatim (any u16), so decode → encode reproduces the bytes it read.
import { InvalidArgumentError, RpcCodecError } from '../errors.js';
import { MAX_BODY_LEN, MAX_HEADERS, MAX_HEADER_NAME_LEN, MAX_HEADER_VALUE_LEN, MAX_SERVICE_NAME_LEN } from './constants.js';
import { WireReader, WireWriter, bytesArg, limit, u64Arg, uintArg, utf8Bytes } from './wire-bytes.js';

/** `[name, value]`; names are UTF-8 (1–64 bytes), values opaque bytes (≤ 4096). */
export type RpcHeader = [name: string, value: Uint8Array];

/** A decoded REQUEST payload (rpc-tools.md §3): service, deadline, flags, headers and body. */
export interface RequestPayload {
  service: string;
  /** Absolute Unix time in ns; 0n = no deadline. */
  deadlineNs: bigint;
  flags: number;
  headers: RpcHeader[];
  body: Uint8Array;
}

/** A decoded RESPONSE payload (rpc-tools.md §3): status (`RpcStatus` or an application value), headers and body. */
export interface ResponsePayload {
  status: number;
  headers: RpcHeader[];
  body: Uint8Array;
}

/** A decoded REQUEST_CHUNK payload (rpc-tools.md §3, §5): one more upload item of a client-streaming call. */
export interface RequestChunkPayload {
  callId: bigint;
  flags: number;
  headers: RpcHeader[];
  body: Uint8Array;
}

// Encoder inputs: optional fields default to 0 / none / empty; header values may be strings.

/** A header as the encoders take it: `[name, value]`, a string value is written as UTF-8. */
export type HeaderInput = readonly [name: string, value: Uint8Array | string];
/** What `nrpc.encodeRequest` takes: a `RequestPayload` whose fields besides `service` are optional. */
export interface RequestInput {
  service: string;
  deadlineNs?: bigint;
  flags?: number;
  headers?: readonly HeaderInput[];
  body?: Uint8Array;
}
/** What `nrpc.encodeResponse` takes: a `ResponsePayload` whose headers and body are optional. */
export interface ResponseInput {
  status: number;
  headers?: readonly HeaderInput[];
  body?: Uint8Array;
}
/** What `nrpc.encodeRequestChunk` takes: a `RequestChunkPayload` whose fields besides `callId` are optional. */
export interface RequestChunkInput {
  callId: bigint;
  flags?: number;
  headers?: readonly HeaderInput[];
  body?: Uint8Array;
}

// ---- headers --------------------------------------------------------------------------------

type EncodedHeaders = { size: number; list: [Uint8Array, Uint8Array][] };

function prepareHeaders(headers: readonly HeaderInput[] | undefined): EncodedHeaders {
  if (headers === undefined) return { size: 1, list: [] };
  if (!Array.isArray(headers)) throw new InvalidArgumentError('headers must be an array of [name, value] pairs');
  limit('headers', headers.length, MAX_HEADERS);
  let size = 1;
  const list: [Uint8Array, Uint8Array][] = [];
  headers.forEach((h, i) => {
    if (!Array.isArray(h) || h.length !== 2) throw new InvalidArgumentError(`headers[${i}] must be a [name, value] pair`);
    const name = utf8Bytes(`headers[${i}] name`, h[0]);
    if (name.length === 0) throw new InvalidArgumentError(`headers[${i}] name must not be empty`);
    limit('header name', name.length, MAX_HEADER_NAME_LEN);
    const value = typeof h[1] === 'string' ? utf8Bytes(`headers[${i}] value`, h[1]) : bytesArg(`headers[${i}] value`, h[1]);
    limit('header value', value.length, MAX_HEADER_VALUE_LEN);
    size += 1 + name.length + 2 + value.length;
    list.push([name, value]);
  });
  return { size, list };
}

function writeHeaders(w: WireWriter, h: EncodedHeaders): void {
  w.u8(h.list.length);
  for (const [name, value] of h.list) {
    w.u8(name.length);
    w.raw(name);
    w.u16(value.length);
    w.raw(value);
  }
}

function readHeaders(r: WireReader): RpcHeader[] {
  const count = r.u8('headers count');
  if (count > MAX_HEADERS) throw new RpcCodecError('too_large', 'headers', { actual: count, limit: MAX_HEADERS });
  const out: RpcHeader[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = r.u8('header name length');
    if (nameLen === 0) throw new RpcCodecError('truncated', 'empty header name');
    if (nameLen > MAX_HEADER_NAME_LEN) throw new RpcCodecError('too_large', 'header name', { actual: nameLen, limit: MAX_HEADER_NAME_LEN });
    const name = r.utf8(nameLen, 'header name bytes', 'header name');
    const valueLen = r.u16('header value length');
    if (valueLen > MAX_HEADER_VALUE_LEN) throw new RpcCodecError('too_large', 'header value', { actual: valueLen, limit: MAX_HEADER_VALUE_LEN });
    out.push([name, r.bytesOf(valueLen, 'header value bytes')]);
  }
  return out;
}

/** `headers · body_len u32 · body`: how every payload ends. */
function prepareTail(headersIn: readonly HeaderInput[] | undefined, bodyIn: Uint8Array | undefined): { size: number; write(w: WireWriter): void } {
  const headers = prepareHeaders(headersIn);
  const body = bytesArg('body', bodyIn);
  limit('body', body.length, MAX_BODY_LEN);
  return {
    size: headers.size + 4 + body.length,
    write(w) {
      writeHeaders(w, headers);
      w.u32(body.length);
      w.raw(body);
    },
  };
}

function readTail(r: WireReader): { headers: RpcHeader[]; body: Uint8Array } {
  const headers = readHeaders(r);
  return { headers, body: readBody(r) };
}

function readBody(r: WireReader): Uint8Array {
  const len = r.u32('body length');
  if (len > MAX_BODY_LEN) throw new RpcCodecError('too_large', 'body', { actual: len, limit: MAX_BODY_LEN });
  return r.bytesOf(len, 'body bytes');
}

function objectArg(what: string, v: unknown): void {
  if (typeof v !== 'object' || v === null) throw new InvalidArgumentError(`${what} must be an object`);
}

// ---- Request ---------------------------------------------------------------------------------

export function encodeRequest(req: RequestInput): Uint8Array {
  return writeRequest(req, 0);
}

/**
 * The request payload after `reserve` zero bytes (room for the EventMeta of a whole frame, so a
 * frame costs one allocation). `encodeRequest` is `writeRequest(req, 0)`.
 */
export function writeRequest(req: RequestInput, reserve: number): Uint8Array {
  objectArg('request', req);
  const service = utf8Bytes('service', req.service);
  if (service.length === 0) throw new InvalidArgumentError('service must not be empty');
  limit('service', service.length, MAX_SERVICE_NAME_LEN);
  const deadlineNs = u64Arg('deadlineNs', req.deadlineNs, 0n);
  const flags = uintArg('flags', req.flags, 0xffff, 0);
  const tail = prepareTail(req.headers, req.body);
  const w = new WireWriter(reserve + 1 + service.length + 8 + 2 + tail.size, reserve);
  w.u8(service.length);
  w.raw(service);
  w.u64(deadlineNs);
  w.u16(flags);
  tail.write(w);
  return w.bytes;
}

export function decodeRequest(bytes: Uint8Array): RequestPayload {
  const r = reader(bytes);
  const svcLen = r.u8('service length');
  if (svcLen === 0) throw new RpcCodecError('truncated', 'empty service name');
  const service = r.utf8(svcLen, 'service bytes', 'service');
  const deadlineNs = r.u64('deadline_ns');
  const flags = r.u16('flags');
  return { service, deadlineNs, flags, ...readTail(r) };
}

// ---- Response --------------------------------------------------------------------------------

export function encodeResponse(res: ResponseInput): Uint8Array {
  return writeResponse(res, 0);
}

/** The response payload after `reserve` zero bytes (see writeRequest). */
export function writeResponse(res: ResponseInput, reserve: number): Uint8Array {
  objectArg('response', res);
  const status = uintArg('status', res.status, 0xffff);
  const tail = prepareTail(res.headers, res.body);
  const w = new WireWriter(reserve + 2 + tail.size, reserve);
  w.u16(status);
  tail.write(w);
  return w.bytes;
}

export function decodeResponse(bytes: Uint8Array): ResponsePayload {
  const r = reader(bytes);
  const status = r.u16('status');
  return { status, ...readTail(r) };
}

// ---- RequestChunk ----------------------------------------------------------------------------

export function encodeRequestChunk(chunk: RequestChunkInput): Uint8Array {
  return writeRequestChunk(chunk, 0);
}

/** The request-chunk payload after `reserve` zero bytes (see writeRequest). */
export function writeRequestChunk(chunk: RequestChunkInput, reserve: number): Uint8Array {
  objectArg('request chunk', chunk);
  const callId = u64Arg('callId', chunk.callId);
  const flags = uintArg('flags', chunk.flags, 0xffff, 0);
  const tail = prepareTail(chunk.headers, chunk.body);
  const w = new WireWriter(reserve + 8 + 2 + tail.size, reserve);
  w.u64(callId);
  w.u16(flags);
  tail.write(w);
  return w.bytes;
}

export function decodeRequestChunk(bytes: Uint8Array): RequestChunkPayload {
  const r = reader(bytes);
  const callId = r.u64('call_id');
  const flags = r.u16('flags');
  return { callId, flags, ...readTail(r) };
}

function reader(bytes: unknown): WireReader {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  return new WireReader(bytes);
}

// Codec helpers the nRPC server and caller share (rpc-tools.md §3, §5): a REQUEST that fails to
// decode is answered UnknownVersion with `malformed request: <error>`; streaming markers and the
// opt-in credit windows are read from headers.
import { NetMeshError } from '../errors.js';
import { FLAGS, HEADERS } from './constants.js';
import { decodeRequest, type RequestPayload, type ResponsePayload, type RpcHeader } from './payloads.js';
import { RpcStatus } from './status.js';

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** The response a server sends for a REQUEST payload that does not decode. */
export function malformedRequestResponse(err: unknown): ResponsePayload {
  const reason = err instanceof Error ? err.message : String(err);
  return { status: RpcStatus.UnknownVersion, headers: [], body: ENCODER.encode(`malformed request: ${reason}`) };
}

/**
 * Decodes a REQUEST payload the way a server must: a decoding failure becomes the UnknownVersion
 * response to send back, never an exception (anything but a codec error is rethrown).
 */
export function decodeRequestOrReject(payload: Uint8Array): { ok: true; request: RequestPayload } | { ok: false; response: ResponsePayload } {
  try {
    return { ok: true, request: decodeRequest(payload) };
  } catch (e) {
    if (e instanceof NetMeshError) return { ok: false, response: malformedRequestResponse(e) };
    throw e;
  }
}

/** The first header with exactly this (case-sensitive) name. */
export function headerValue(headers: readonly RpcHeader[], name: string): Uint8Array | undefined {
  for (const [n, v] of headers) if (n === name) return v;
  return undefined;
}

/** The first header whose name equals `name` ignoring ASCII case. */
export function headerValueIgnoreCase(headers: readonly RpcHeader[], name: string): Uint8Array | undefined {
  const want = name.toLowerCase();
  for (const [n, v] of headers) if (n.length === want.length && asciiLower(n) === want) return v;
  return undefined;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * How a RESPONSE ends or continues a call (§5): `continue` (non-terminal stream item), `end`
 * (successful stream end: `end` or any other marker value), `unary` (Ok without the marker) or
 * `error` (any non-Ok status is terminal).
 */
export function responseKind(res: Pick<ResponsePayload, 'status' | 'headers'>): 'continue' | 'end' | 'unary' | 'error' {
  if (res.status !== RpcStatus.Ok) return 'error';
  const marker = headerValue(res.headers, HEADERS.STREAMING);
  if (marker === undefined) return 'unary';
  return DECODER.decode(marker) === 'continue' ? 'continue' : 'end';
}

/**
 * The initial window of an opt-in credit header (`nrpc-stream-window-initial` /
 * `nrpc-request-window-initial`, names compared ignoring case): a decimal u32, else undefined
 * (absent, malformed or out of range = no flow control).
 */
export function windowInitial(headers: readonly RpcHeader[], name: string): number | undefined {
  const v = headerValueIgnoreCase(headers, name);
  if (v === undefined) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(v);
  } catch {
    return undefined;
  }
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const n = Number(text.startsWith('+') ? text.slice(1) : text);
  return n <= 0xffff_ffff ? n : undefined;
}

/**
 * The flags of a canonical client-streaming upload of `items` items (Net v0.27's
 * `golden_vectors_streaming.json`): END rides on the frame carrying the last item; zero items =
 * a REQUEST with CLIENT_STREAMING | END and an empty body. Returns the REQUEST's flags and one
 * flags value per REQUEST_CHUNK. `extra` (e.g. STREAMING_RESPONSE for duplex) is OR-ed into the
 * REQUEST's flags.
 */
export function canonicalUploadFlags(items: number, extra = 0): { request: number; chunks: number[] } {
  const cs = FLAGS.CLIENT_STREAMING_REQUEST | extra;
  if (items <= 1) return { request: cs | FLAGS.REQUEST_END, chunks: [] };
  const chunks = new Array<number>(items - 1).fill(0);
  chunks[chunks.length - 1] = FLAGS.REQUEST_END;
  return { request: cs, chunks };
}

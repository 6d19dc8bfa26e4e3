// `blob.transfers` (dataforts.md §8): every node that serves blobs answers this nRPC service with
// its requester-side transfers in flight and cancels one on request; `net-mesh transfer ls |
// status | cancel` call it on the attach node. Bodies are postcard:
//   Request   List = 00 · Get{stream_id} = 01 varint · Cancel{stream_id} = 02 varint
//   Response  Transfers(Vec<Status>) = 00 · Transfer(Option<Status>) = 01 · Cancelled{existed} = 02 bool
//             · Error = 03 + (00 String DecodeFailed | 01 EngineNotInstalled)
//   Status    stream_id varint · holder varint · expected_hash 32 B · bytes_received varint ·
//             total_bytes Option<varint>
// Decoders ignore bytes after the value (postcard's from_bytes, as Net v0.27.0 reads) and throw
// SubstrateError `decode` on anything malformed. Answers larger than one event go out as stream
// items to callers that accept them (rpc/chunked.ts); the client here always does.
import { RpcBadResponseError, RpcError, SubstrateError } from '../errors.js';
import { joinItems, replyBytes } from '../rpc/chunked.js';
import { TYPED_HANDLER_ERROR } from '../rpc/constants.js';
import type { RpcHandler, StreamCallOptions } from '../rpc/types.js';
import type { TransferInfo } from './engine.js';
import { fromHex } from './hex.js';
import { PostcardReader, PostcardWriter } from './postcard.js';

export const BLOB_TRANSFERS_SERVICE = 'blob.transfers';
/** The client deadline of dataforts.md §8. */
export const BLOB_TRANSFERS_DEADLINE_MS = 3000;

export type TransferRpcRequest = { kind: 'list' } | { kind: 'get'; streamId: bigint } | { kind: 'cancel'; streamId: bigint };

/** One requester-side transfer as the service reports it (u64 fields as bigint). */
export interface TransferStatus {
  streamId: bigint;
  holder: bigint;
  expectedHash: Uint8Array;
  /** Data bytes received (the header excluded). */
  bytesReceived: bigint;
  /** The header's total_len, once it arrived. */
  totalBytes?: bigint;
}

export type TransferRpcServerError = { kind: 'decode_failed'; message: string } | { kind: 'engine_not_installed' };

export type TransferRpcResponse =
  | { kind: 'transfers'; transfers: TransferStatus[] }
  | { kind: 'transfer'; transfer: TransferStatus | undefined }
  | { kind: 'cancelled'; existed: boolean }
  | { kind: 'error'; error: TransferRpcServerError };

/** The smallest encoded Status: five one-byte varints / flags around the 32-byte hash. */
const MIN_STATUS_BYTES = 36;

function decodeError(what: string, e: unknown): SubstrateError {
  return new SubstrateError('decode', `blob.transfers ${what}: ${e instanceof Error ? e.message : String(e)}`);
}

export function encodeTransferRequest(req: TransferRpcRequest): Uint8Array {
  const w = new PostcardWriter();
  if (req.kind === 'list') return w.varint(0).finish();
  return w.varint(req.kind === 'get' ? 1 : 2).varint(req.streamId).finish();
}

export function decodeTransferRequest(bytes: Uint8Array): TransferRpcRequest {
  try {
    const r = new PostcardReader(bytes);
    const variant = r.varint('request variant', 32);
    if (variant === 0n) return { kind: 'list' };
    if (variant === 1n) return { kind: 'get', streamId: r.varint('stream_id', 64) };
    if (variant === 2n) return { kind: 'cancel', streamId: r.varint('stream_id', 64) };
    throw new Error(`unknown request variant ${variant}`);
  } catch (e) {
    throw decodeError('request', e);
  }
}

function writeStatus(w: PostcardWriter, s: TransferStatus): void {
  if (s.expectedHash.length !== 32) throw new SubstrateError('decode', 'expected_hash must be 32 bytes');
  w.varint(s.streamId).varint(s.holder).raw(s.expectedHash).varint(s.bytesReceived);
  if (s.totalBytes === undefined) w.u8(0);
  else w.u8(1).varint(s.totalBytes);
}

function readStatus(r: PostcardReader): TransferStatus {
  const streamId = r.varint('stream_id', 64);
  const holder = r.varint('holder', 64);
  const expectedHash = r.raw(32, 'expected_hash');
  const bytesReceived = r.varint('bytes_received', 64);
  const tag = r.u8('total_bytes option');
  if (tag > 1) throw new Error(`total_bytes option tag ${tag}`);
  return tag === 1 ? { streamId, holder, expectedHash, bytesReceived, totalBytes: r.varint('total_bytes', 64) } : { streamId, holder, expectedHash, bytesReceived };
}

export function encodeTransferResponse(res: TransferRpcResponse): Uint8Array {
  const w = new PostcardWriter();
  switch (res.kind) {
    case 'transfers':
      w.varint(0).varint(res.transfers.length);
      for (const s of res.transfers) writeStatus(w, s);
      break;
    case 'transfer':
      w.varint(1);
      if (res.transfer === undefined) w.u8(0);
      else writeStatus(w.u8(1), res.transfer);
      break;
    case 'cancelled':
      w.varint(2).u8(res.existed ? 1 : 0);
      break;
    case 'error':
      w.varint(3);
      if (res.error.kind === 'decode_failed') w.varint(0).string(res.error.message);
      else w.varint(1);
  }
  return w.finish();
}

export function decodeTransferResponse(bytes: Uint8Array): TransferRpcResponse {
  try {
    const r = new PostcardReader(bytes);
    const variant = r.varint('response variant', 32);
    switch (variant) {
      case 0n: {
        const count = r.varintNumber('transfer count', 64);
        if (count * MIN_STATUS_BYTES > r.remaining) throw new Error(`${count} transfers cannot fit in ${r.remaining} bytes`);
        const transfers: TransferStatus[] = [];
        for (let i = 0; i < count; i++) transfers.push(readStatus(r));
        return { kind: 'transfers', transfers };
      }
      case 1n: {
        const tag = r.u8('transfer option');
        if (tag > 1) throw new Error(`transfer option tag ${tag}`);
        return { kind: 'transfer', transfer: tag === 1 ? readStatus(r) : undefined };
      }
      case 2n: {
        const b = r.u8('existed');
        if (b > 1) throw new Error(`existed is not a bool (${b})`);
        return { kind: 'cancelled', existed: b === 1 };
      }
      case 3n: {
        const e = r.varint('error variant', 32);
        if (e === 0n) return { kind: 'error', error: { kind: 'decode_failed', message: r.string('error message') } };
        if (e === 1n) return { kind: 'error', error: { kind: 'engine_not_installed' } };
        throw new Error(`unknown error variant ${e}`);
      }
      default:
        throw new Error(`unknown response variant ${variant}`);
    }
  } catch (e) {
    throw decodeError('response', e);
  }
}

/** A TransferInfo of `node.blobs.transfers()` in wire form. */
export function statusOf(t: TransferInfo): TransferStatus {
  const s: TransferStatus = { streamId: t.id, holder: t.peer, expectedHash: fromHex(t.hash)!, bytesReceived: BigInt(t.bytesReceived) };
  if (t.totalBytes !== undefined) s.totalBytes = BigInt(t.totalBytes);
  return s;
}

/** What the service reads and cancels: the node's requester-side transfers. */
export interface TransferRegistry {
  transfers(): TransferInfo[];
  cancel(id: bigint): boolean;
}

/** The pure answer of the service to one request. */
export function answerTransferRequest(registry: TransferRegistry, req: TransferRpcRequest): TransferRpcResponse {
  switch (req.kind) {
    case 'list':
      return { kind: 'transfers', transfers: registry.transfers().map(statusOf) };
    case 'get': {
      const t = registry.transfers().find((x) => x.id === req.streamId);
      return { kind: 'transfer', transfer: t && statusOf(t) };
    }
    case 'cancel':
      return { kind: 'cancelled', existed: registry.cancel(req.streamId) };
  }
}

/** The nRPC handler of `blob.transfers` over a node's blobs layer. */
export function blobTransfersHandler(registry: TransferRegistry): RpcHandler {
  return (body, ctx) => {
    let res: TransferRpcResponse;
    try {
      res = answerTransferRequest(registry, decodeTransferRequest(body));
    } catch (e) {
      if (!(e instanceof SubstrateError)) throw e;
      res = { kind: 'error', error: { kind: 'decode_failed', message: e.message } };
    }
    return replyBytes(encodeTransferResponse(res), ctx);
  };
}

/** What the client needs of a node: a server-streaming call. */
export interface StreamCaller {
  callStream(target: bigint, service: string, body: Uint8Array, opts?: StreamCallOptions): AsyncIterable<Uint8Array>;
}

/**
 * Calls `blob.transfers` on `target` (deadline 3 s). Transport failures reject with the nRPC
 * error; an answer of the wrong shape with RpcBadResponseError; the server's Error answer with
 * RpcError (status 0x8001, its message).
 */
export class BlobTransfersClient {
  constructor(
    private readonly node: StreamCaller,
    private readonly deadlineMs = BLOB_TRANSFERS_DEADLINE_MS,
  ) {}

  async list(target: bigint): Promise<TransferStatus[]> {
    const res = await this.send(target, { kind: 'list' });
    if (res.kind !== 'transfers') throw this.unexpected(target, 'List', res);
    return res.transfers;
  }

  async get(target: bigint, streamId: bigint): Promise<TransferStatus | undefined> {
    const res = await this.send(target, { kind: 'get', streamId });
    if (res.kind !== 'transfer') throw this.unexpected(target, 'Get', res);
    return res.transfer;
  }

  async cancel(target: bigint, streamId: bigint): Promise<boolean> {
    const res = await this.send(target, { kind: 'cancel', streamId });
    if (res.kind !== 'cancelled') throw this.unexpected(target, 'Cancel', res);
    return res.existed;
  }

  private async send(target: bigint, req: TransferRpcRequest): Promise<TransferRpcResponse> {
    const body = await joinItems(this.node.callStream(target, BLOB_TRANSFERS_SERVICE, encodeTransferRequest(req), { deadlineMs: this.deadlineMs }));
    try {
      return decodeTransferResponse(body);
    } catch (e) {
      throw new RpcBadResponseError(`${BLOB_TRANSFERS_SERVICE} from node ${target}: ${(e as Error).message}`, { cause: e });
    }
  }

  private unexpected(target: bigint, what: string, res: TransferRpcResponse): RpcError {
    if (res.kind === 'error') {
      const why = res.error.kind === 'decode_failed' ? `request decode failed: ${res.error.message}` : 'blob-transfer engine not installed on the target';
      return new RpcError(TYPED_HANDLER_ERROR, `${BLOB_TRANSFERS_SERVICE} on node ${target}: ${why}`);
    }
    return new RpcBadResponseError(`${BLOB_TRANSFERS_SERVICE} from node ${target}: unexpected ${res.kind} answer to ${what}`);
  }
}


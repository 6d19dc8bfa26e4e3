// `blob.transfers` (dataforts.md §8): the postcard codec (every variant, every rejection), the pure
// answer, and the service between nodes on a seeded hub — a third node lists, gets and cancels a
// requester's transfer from a holder whose store is held shut.
import { describe, expect, it } from 'vitest';
import {
  BLOB_TRANSFERS_SERVICE,
  BlobTransfersClient,
  answerTransferRequest,
  decodeTransferRequest,
  decodeTransferResponse,
  encodeTransferRequest,
  encodeTransferResponse,
  type TransferRpcResponse,
  type TransferStatus,
} from '../../ts/dataforts/transfer-rpc.js';
import { toHex } from '../../ts/dataforts/hex.js';
import { RpcBadResponseError, RpcError, SubstrateError } from '../../ts/errors.js';
import { until } from '../node/helpers.js';
import { GatedStore, hubMesh, patternBytes, rejection } from './helpers.js';

const hex = (b: Uint8Array) => toHex(b);
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const HASH = Uint8Array.from({ length: 32 }, (_, i) => i);

function expectDecodeError(decode: () => unknown, input: string): void {
  let err: unknown;
  try {
    decode();
  } catch (e) {
    err = e;
  }
  expect(err, input).toBeInstanceOf(SubstrateError);
  expect((err as SubstrateError).kind).toBe('decode');
}

describe('blob.transfers codec', () => {
  it('encodes requests as the spec table says and decodes them back', () => {
    expect(hex(encodeTransferRequest({ kind: 'list' }))).toBe('00');
    expect(hex(encodeTransferRequest({ kind: 'get', streamId: 300n }))).toBe('01ac02');
    expect(hex(encodeTransferRequest({ kind: 'cancel', streamId: (1n << 64n) - 1n }))).toBe('02ffffffffffffffffff01');
    for (const r of [{ kind: 'list' }, { kind: 'get', streamId: 7n }, { kind: 'cancel', streamId: 1n << 61n }] as const) {
      expect(decodeTransferRequest(encodeTransferRequest(r))).toEqual(r);
    }
    // Bytes after the value are ignored, as postcard's from_bytes does.
    expect(decodeTransferRequest(bytes('00ff'))).toEqual({ kind: 'list' });
  });

  it('rejects malformed requests with SubstrateError decode', () => {
    for (const bad of ['', '03', '01', '01ff', '02ffffffffffffffffff02', '80']) expectDecodeError(() => decodeTransferRequest(bytes(bad)), bad);
  });

  it('encodes each response variant byte for byte', () => {
    const status: TransferStatus = { streamId: (1n << 61n) | 5n, holder: 42n, expectedHash: HASH, bytesReceived: 1024n, totalBytes: 4096n };
    const statusHex = `8580808080808080 20 2a ${hex(HASH)} 8008 01 8020`.replace(/ /g, '');
    const cases: [TransferRpcResponse, string][] = [
      [{ kind: 'transfers', transfers: [] }, '0000'],
      [{ kind: 'transfers', transfers: [status, { ...status, totalBytes: undefined }] }, `0002${statusHex}${statusHex.slice(0, -6)}00`],
      [{ kind: 'transfer', transfer: undefined }, '0100'],
      [{ kind: 'transfer', transfer: status }, `0101${statusHex}`],
      [{ kind: 'cancelled', existed: true }, '0201'],
      [{ kind: 'cancelled', existed: false }, '0200'],
      [{ kind: 'error', error: { kind: 'decode_failed', message: 'x' } }, '03000178'],
      [{ kind: 'error', error: { kind: 'engine_not_installed' } }, '0301'],
    ];
    for (const [res, want] of cases) {
      expect(hex(encodeTransferResponse(res)), res.kind).toBe(want);
      const back = decodeTransferResponse(bytes(want));
      if (back.kind === 'transfers') back.transfers.forEach((t) => t.totalBytes === undefined && delete t.totalBytes);
      const expected = res.kind === 'transfers' ? { ...res, transfers: res.transfers.map((t) => (t.totalBytes === undefined ? { streamId: t.streamId, holder: t.holder, expectedHash: t.expectedHash, bytesReceived: t.bytesReceived } : t)) } : res;
      expect(back).toEqual(expected);
    }
  });

  it('rejects malformed responses with SubstrateError decode', () => {
    const one = hex(encodeTransferResponse({ kind: 'transfer', transfer: { streamId: 1n, holder: 2n, expectedHash: HASH, bytesReceived: 3n } }));
    const bad = [
      '', // empty
      '04', // unknown variant
      '0001', // a count with no status
      'ff', // truncated varint
      `00ffffffff0f${one.slice(4)}`, // a count far beyond the bytes
      '0102', // bad option tag
      one.slice(0, -2), // truncated status
      `${one.slice(0, -2)}02`, // bad total_bytes option tag
      '0202', // not a bool
      '0302', // unknown error variant
      '030002ff', // message truncated
      '030001ff', // message not UTF-8
    ];
    for (const b of bad) expectDecodeError(() => decodeTransferResponse(bytes(b)), b);
  });

  it('answers List / Get / Cancel from a transfer registry', () => {
    const live = [{ id: 9n, peer: 3n, hash: hex(HASH), bytesReceived: 10, totalBytes: 20 }];
    const cancelled: bigint[] = [];
    const reg = { transfers: () => live, cancel: (id: bigint) => (cancelled.push(id), id === 9n) };
    const status = { streamId: 9n, holder: 3n, expectedHash: HASH, bytesReceived: 10n, totalBytes: 20n };
    expect(answerTransferRequest(reg, { kind: 'list' })).toEqual({ kind: 'transfers', transfers: [status] });
    expect(answerTransferRequest(reg, { kind: 'get', streamId: 9n })).toEqual({ kind: 'transfer', transfer: status });
    expect(answerTransferRequest(reg, { kind: 'get', streamId: 8n })).toEqual({ kind: 'transfer', transfer: undefined });
    expect(answerTransferRequest(reg, { kind: 'cancel', streamId: 8n })).toEqual({ kind: 'cancelled', existed: false });
    expect(answerTransferRequest(reg, { kind: 'cancel', streamId: 9n })).toEqual({ kind: 'cancelled', existed: true });
    expect(cancelled).toEqual([8n, 9n]);
  });
});

const mesh = hubMesh();

describe('blob.transfers between nodes', () => {
  it('a third node lists, gets and cancels a requester’s transfer', async () => {
    const gated = new GatedStore();
    // node 0 (requester) is connected to the holder (1) and the operator (2).
    const { nodes } = await mesh(3, 1301, (i) => (i === 1 ? { blobStore: gated } : {}));
    const [req, holder, op] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    const data = patternBytes(10_000, 3);
    const ref = await holder.blobs.store(data);
    const client = new BlobTransfersClient(op);
    expect(await client.list(req.nodeId)).toEqual([]);

    const fetching = rejection(req.blobs.fetch(ref, { from: holder.nodeId }));
    await until(() => req.blobs.transfers().length === 1, 10_000, 'the transfer to start');
    const [t] = req.blobs.transfers();
    const listed = await client.list(req.nodeId);
    expect(listed).toEqual([{ streamId: t!.id, holder: holder.nodeId, expectedHash: ref.hash, bytesReceived: 0n }]);
    expect(await client.get(req.nodeId, t!.id)).toEqual(listed[0]);
    expect(await client.get(req.nodeId, t!.id + 1n)).toBeUndefined();
    expect(await client.cancel(req.nodeId, t!.id + 1n)).toBe(false);
    expect(await client.cancel(req.nodeId, t!.id)).toBe(true);
    const e = await fetching;
    expect(e).toBeInstanceOf(SubstrateError);
    expect((e as SubstrateError).kind).toBe('cancelled');
    expect(await client.list(req.nodeId)).toEqual([]);
    expect(await client.cancel(req.nodeId, t!.id)).toBe(false);
    gated.open();
  });

  it('a malformed request is answered with DecodeFailed; a node without blob serving does not answer', async () => {
    const { nodes } = await mesh(2, 1302, (i) => (i === 1 ? { serveBlobs: false } : {}));
    const [a, quiet] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const res = decodeTransferResponse(await quiet.call(a.nodeId, BLOB_TRANSFERS_SERVICE, bytes('07'), { deadlineMs: 3000 }));
    expect(res).toMatchObject({ kind: 'error', error: { kind: 'decode_failed', message: expect.stringMatching(/unknown request variant 7/) } });
    // The client turns the server's Error answer into an RpcError.
    const typed = new BlobTransfersClient({ callStream: (t, s, _b, o) => quiet.callStream(t, s, bytes('07'), o) });
    const err = await rejection(typed.list(a.nodeId));
    expect(err).toBeInstanceOf(RpcError);
    expect(err.message).toMatch(/request decode failed/);
    // A reply of the wrong shape is a bad response.
    const wrong = new BlobTransfersClient({ callStream: (t, s, _b, o) => quiet.callStream(t, s, encodeTransferRequest({ kind: 'cancel', streamId: 1n }), o) });
    expect(await rejection(wrong.list(a.nodeId))).toBeInstanceOf(RpcBadResponseError);
    // serveBlobs: false → no service: the call fails (no hang past the deadline).
    const miss = await rejection(new BlobTransfersClient(a).list(quiet.nodeId));
    expect(miss).toBeInstanceOf(RpcError);
  });
});

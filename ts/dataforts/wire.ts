// The blob-transfer wire (dataforts.md §5, wire.md §8): the transfer stream ids, the control
// request on subprotocol 0x1100 and the reply header, all postcard. Exported as `transferWire`.
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import { PostcardError, PostcardReader, PostcardWriter } from './postcard.js';

const NONCE_MASK = (1n << 48n) - 1n;
const TRANSFER_BIT = 1n << 61n;
const CHANNEL_BIT = 1n << 48n;
const U64_MAX = (1n << 64n) - 1n;

/** `(1 << 61) | (nonce & (2^48 − 1))`. */
export function transferStreamId(nonce: bigint): bigint {
  return TRANSFER_BIT | (nonce & NONCE_MASK);
}

/** Bit 61 set and bit 48 clear (channel streams set bit 48; the control stream is u64::MAX). */
export function isTransferStream(id: bigint): boolean {
  return (id & TRANSFER_BIT) !== 0n && (id & CHANNEL_BIT) === 0n;
}

/** The first event of a blob-transfer reply (dataforts.md §5): `found` with the blob's total length, or `not_found`. */
export type TransferHeader = { kind: 'found'; totalLen: bigint } | { kind: 'not_found' };

function wireError(what: string, e: unknown): SubstrateError {
  return new SubstrateError('decode', `${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/** `Request { hash }` = `00` + the 32 hash bytes. */
export function encodeRequest(hash: Uint8Array): Uint8Array {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) throw new InvalidArgumentError('hash must be a 32-byte Uint8Array');
  return new PostcardWriter().varint(0).raw(hash).finish();
}

/** Decodes a control request; bytes after the hash are ignored (as Net v0.27.0 does). */
export function decodeRequest(bytes: Uint8Array): { hash: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  try {
    const r = new PostcardReader(bytes);
    const variant = r.varint('control variant', 32);
    if (variant !== 0n) throw new PostcardError(`unknown control variant ${variant}`);
    return { hash: r.raw(32, 'hash') };
  } catch (e) {
    throw wireError('transfer request', e);
  }
}

/** `Found { total_len }` = `00` + varint; `NotFound` = `01`. */
export function encodeHeader(h: TransferHeader): Uint8Array {
  if (h?.kind === 'not_found') return Uint8Array.of(1);
  if (h?.kind === 'found') {
    const len = h.totalLen;
    if (typeof len !== 'bigint' || len < 0n || len > U64_MAX) throw new InvalidArgumentError('totalLen must be a u64 bigint');
    return new PostcardWriter().varint(0).varint(len).finish();
  }
  throw new InvalidArgumentError('header must be { kind: "found", totalLen } or { kind: "not_found" }');
}

export function decodeHeader(bytes: Uint8Array): TransferHeader {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
  try {
    const r = new PostcardReader(bytes);
    const variant = r.varint('header variant', 32);
    if (variant === 0n) return { kind: 'found', totalLen: r.varint('total_len', 64) };
    if (variant === 1n) return { kind: 'not_found' };
    throw new PostcardError(`unknown header variant ${variant}`);
  } catch (e) {
    throw wireError('transfer header', e);
  }
}

/** The codecs under their sdk.md names. */
export const transferWire = Object.freeze({ encodeRequest, decodeRequest, encodeHeader, decodeHeader, transferStreamId, isTransferStream });

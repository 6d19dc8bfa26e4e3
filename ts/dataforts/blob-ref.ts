// BlobRef (dataforts.md §2): how a blob is named. Small = one chunk (hash, size, URI); Manifest =
// the hashes and sizes of its fixed 4 MiB chunks; Tree = a root hash of a deeper structure, which
// transfer paths refuse. Every encoded ref starts with magic B0 B1 B2 B3 and a version byte.
import { InvalidArgumentError, SubstrateError } from '../errors.js';
import { BLOB_CHUNK_SIZE, BLOB_MANIFEST_MAX_CHUNKS, BLOB_REF_MAX_SIZE } from './constants.js';
import { fromHex, sameBytes, toHex } from './hex.js';
import { PostcardError, PostcardReader, PostcardWriter } from './postcard.js';
import { blake3 } from '../core/blake3.js';
import { blake3Async } from '../core/hash-worker.js';
import { isWellFormed } from '../fold/byte-order.js';

export const BLOB_REF_MAGIC = Uint8Array.of(0xb0, 0xb1, 0xb2, 0xb3);
const VERSION_SMALL = 0x01;
const VERSION_MANIFEST = 0x02;
const VERSION_TREE = 0x03;
const BODY_VERSION = 1;
/** Largest Manifest body accepted before parsing (§2): 8192 + 32 + 8192 × 50. */
const MAX_MANIFEST_BODY = 8192 + 32 + 8192 * 50;
const MAX_TREE_BODY = 1024;
/** 128 PiB: a Tree's largest total_size. */
const MAX_TREE_SIZE = 128n * 1024n ** 5n;
const U64_MAX = (1n << 64n) - 1n;
const CHUNK = BigInt(BLOB_CHUNK_SIZE);

/** How a blob's chunks are stored: plain replicas, or Reed–Solomon with k data and m parity shards (dataforts.md §2). */
export type BlobEncoding = { kind: 'replicated' } | { kind: 'reed_solomon'; k: number; m: number };
/** The three kinds of BlobRef: one chunk, a manifest of chunks, or a tree of manifests. */
export type BlobRefKind = 'small' | 'manifest' | 'tree';

/** One chunk of a Manifest: its BLAKE3 and its length (4 MiB except the last). */
export interface ManifestChunk {
  readonly hash: Uint8Array;
  readonly size: number;
}

const REPLICATED: BlobEncoding = Object.freeze({ kind: 'replicated' });
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeError(message: string): SubstrateError {
  return new SubstrateError('decode', `blob ref: ${message}`);
}

function unsupported(version: number, what: string): SubstrateError {
  return new SubstrateError('unsupported_version', `blob ref: unsupported ${what} version ${version}`);
}

function checkHash(v: unknown, name: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== 32) throw new InvalidArgumentError(`${name} must be a 32-byte Uint8Array`);
  return v.slice();
}

function checkUri(v: unknown): string {
  if (typeof v !== 'string') throw new InvalidArgumentError('uri must be a string');
  if (!isWellFormed(v)) throw new InvalidArgumentError('uri contains a lone surrogate');
  return v;
}

function toU64(v: unknown, name: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new InvalidArgumentError(`${name} must be a non-negative integer (number or bigint)`);
}

function checkEncoding(e: unknown): BlobEncoding {
  if (e === undefined) return REPLICATED;
  const x = e as { kind?: unknown; k?: unknown; m?: unknown };
  if (x && x.kind === 'replicated') return REPLICATED;
  if (x && x.kind === 'reed_solomon') {
    const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255;
    if (ok(x.k) && ok(x.m)) return Object.freeze({ kind: 'reed_solomon', k: x.k, m: x.m });
  }
  throw new InvalidArgumentError('encoding must be { kind: "replicated" } or { kind: "reed_solomon", k, m } with k, m in 0..255');
}

/** The Manifest rules of §2, shared by construction (InvalidArgumentError) and decoding (Decode). */
function manifestProblem(chunks: readonly ManifestChunk[], total: bigint): string | undefined {
  if (chunks.length < 1 || chunks.length > BLOB_MANIFEST_MAX_CHUNKS) return `a manifest has 1..${BLOB_MANIFEST_MAX_CHUNKS} chunks, got ${chunks.length}`;
  let sum = 0n;
  for (let i = 0; i < chunks.length; i++) {
    const s = chunks[i]!.size;
    if (i < chunks.length - 1 ? s !== BLOB_CHUNK_SIZE : s < 1 || s > BLOB_CHUNK_SIZE) {
      return i < chunks.length - 1 ? `chunk ${i} is ${s} bytes; every chunk but the last is exactly ${BLOB_CHUNK_SIZE}` : `the last chunk is ${s} bytes; it must be 1..${BLOB_CHUNK_SIZE}`;
    }
    sum += BigInt(s);
  }
  if (sum !== total) return `chunk sizes add up to ${sum}, total_size says ${total}`;
  if (total > BLOB_REF_MAX_SIZE) return `total_size ${total} exceeds 16 GiB`;
  return undefined;
}

function treeProblem(total: bigint, depth: number): string | undefined {
  if (total <= 0n || total > MAX_TREE_SIZE) return `tree total_size ${total} is not in 1..128 PiB`;
  if (!Number.isInteger(depth) || depth < 1 || depth > 4) return `tree depth ${depth} is not in 1..4`;
  if (depth >= 2 && total < 128n ** BigInt(depth - 1)) return `tree total_size ${total} is below 128^${depth - 1} for depth ${depth}`;
  return undefined;
}

interface Fields {
  kind: BlobRefKind;
  uri: string;
  encoding: BlobEncoding;
  hash?: Uint8Array;
  chunks?: readonly ManifestChunk[];
  rootHash?: Uint8Array;
  depth?: number;
  total: bigint;
}

/** A content address of a blob (dataforts.md §2): Small (one chunk), Manifest (a chunk list) or Tree; `BlobRef.parse`, `toString`, `encode`, `BlobRef.decode`, `size()`. */
export class BlobRef {
  /** `small`, `manifest` or `tree`. */
  readonly kind: BlobRefKind;
  /** Part of the encoded ref (dataforts.md §3: `mesh://transfer`, `mesh://<hex>`). */
  readonly uri: string;
  /** Small refs are always Replicated (their encoding has no field for it). */
  readonly encoding: BlobEncoding;
  readonly #hash: Uint8Array | undefined;
  readonly #chunks: readonly ManifestChunk[] | undefined;
  readonly #rootHash: Uint8Array | undefined;
  readonly #depth: number | undefined;
  readonly #total: bigint;

  private constructor(f: Fields) {
    this.kind = f.kind;
    this.uri = f.uri;
    this.encoding = f.encoding;
    this.#hash = f.hash;
    this.#chunks = f.chunks;
    this.#rootHash = f.rootHash;
    this.#depth = f.depth;
    this.#total = f.total;
    Object.freeze(this);
  }

  /** A one-chunk blob: its BLAKE3, its size (≤ 16 GiB; 0 is allowed for a bare-hash ref) and URI. */
  static small(f: { hash: Uint8Array; size: bigint | number; uri?: string }): BlobRef {
    const hash = checkHash(f?.hash, 'hash');
    const size = toU64(f.size, 'size');
    if (size > BLOB_REF_MAX_SIZE) throw new InvalidArgumentError(`size ${size} exceeds 16 GiB`);
    return new BlobRef({ kind: 'small', uri: checkUri(f.uri ?? `mesh://${toHex(hash)}`), encoding: REPLICATED, hash, total: size });
  }

  /** A chunked blob: 4 MiB chunks (the last 1..4 MiB); totalSize defaults to their sum. */
  static manifest(f: { chunks: readonly ManifestChunk[]; totalSize?: bigint | number; uri: string; encoding?: BlobEncoding }): BlobRef {
    if (!f || !Array.isArray(f.chunks)) throw new InvalidArgumentError('chunks must be an array of { hash, size }');
    const chunks = f.chunks.map((c, i) => {
      const size = c?.size;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > 0xffff_ffff) throw new InvalidArgumentError(`chunks[${i}].size must be a u32`);
      return Object.freeze({ hash: checkHash(c.hash, `chunks[${i}].hash`), size });
    });
    const total = f.totalSize === undefined ? chunks.reduce((s, c) => s + BigInt(c.size), 0n) : toU64(f.totalSize, 'totalSize');
    const problem = manifestProblem(chunks, total);
    if (problem) throw new InvalidArgumentError(problem);
    return new BlobRef({ kind: 'manifest', uri: checkUri(f.uri), encoding: checkEncoding(f.encoding), chunks: Object.freeze(chunks), total });
  }

  /** A tree ref (decodable and encodable; transfer paths refuse it). */
  static tree(f: { rootHash: Uint8Array; totalSize: bigint | number; depth: number; uri: string; encoding?: BlobEncoding }): BlobRef {
    const rootHash = checkHash(f?.rootHash, 'rootHash');
    const total = toU64(f.totalSize, 'totalSize');
    const problem = treeProblem(total, f.depth);
    if (problem) throw new InvalidArgumentError(problem);
    return new BlobRef({ kind: 'tree', uri: checkUri(f.uri), encoding: checkEncoding(f.encoding), rootHash, depth: f.depth, total });
  }

  /** Small: size; Manifest and Tree: total_size. */
  size(): bigint {
    return this.#total;
  }

  /** Small: the blob's BLAKE3 (undefined for the other kinds). */
  get hash(): Uint8Array | undefined {
    return this.#hash?.slice();
  }

  /** Manifest: its chunks in order (undefined for the other kinds). */
  get chunks(): readonly ManifestChunk[] | undefined {
    return this.#chunks;
  }

  /** Tree: the root hash. */
  get rootHash(): Uint8Array | undefined {
    return this.#rootHash?.slice();
  }

  /** Tree: its depth (1..4). */
  get depth(): number | undefined {
    return this.#depth;
  }

  /** The hash discovery looks for (§7.2): Small → hash; Manifest → first chunk; Tree → root. */
  get leadHash(): Uint8Array {
    return (this.#hash ?? this.#chunks?.[0]!.hash ?? this.#rootHash!).slice();
  }

  /** The chunk hashes a transfer fetches, in order (a Small blob is one chunk; Tree: none). */
  chunkHashes(): Uint8Array[] {
    if (this.#hash) return [this.#hash.slice()];
    return this.#chunks ? this.#chunks.map((c) => c.hash) : [];
  }

  /** Small only: true when `bytes` hash to this ref's hash. */
  verify(bytes: Uint8Array): boolean {
    if (!this.#hash) throw new InvalidArgumentError(`verify() exists for Small refs only; this is a ${this.kind} ref`);
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
    return sameBytes(blake3(bytes), this.#hash);
  }

  /** `verify`, hashing a large `bytes` off the app thread (a hashing worker); `bytes` is copied there. */
  async verifyAsync(bytes: Uint8Array): Promise<boolean> {
    if (!this.#hash) throw new InvalidArgumentError(`verifyAsync() exists for Small refs only; this is a ${this.kind} ref`);
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array');
    return sameBytes(await blake3Async(bytes), this.#hash);
  }

  encode(): Uint8Array {
    if (this.kind === 'small') {
      const uri = utf8.encode(this.uri);
      const out = new Uint8Array(5 + 40 + uri.length);
      out.set(BLOB_REF_MAGIC);
      out[4] = VERSION_SMALL;
      out.set(this.#hash!, 5);
      new DataView(out.buffer).setBigUint64(37, this.#total, true);
      out.set(uri, 45);
      return out;
    }
    const w = new PostcardWriter().raw(BLOB_REF_MAGIC);
    w.u8(this.kind === 'manifest' ? VERSION_MANIFEST : VERSION_TREE).u8(BODY_VERSION).string(this.uri);
    const e = this.encoding;
    if (e.kind === 'replicated') w.varint(0);
    else w.varint(1).u8(e.k).u8(e.m);
    if (this.kind === 'manifest') {
      w.varint(this.#chunks!.length);
      for (const c of this.#chunks!) w.raw(c.hash).varint(c.size);
      w.varint(this.#total);
    } else {
      w.raw(this.#rootHash!).varint(this.#total).u8(this.#depth!);
    }
    return w.finish();
  }

  /** Lowercase hex of `encode()` (what the CLI prints as `blob_ref`). */
  toString(): string {
    return toHex(this.encode());
  }

  equals(other: BlobRef): boolean {
    return other instanceof BlobRef && sameBytes(this.encode(), other.encode());
  }

  /**
   * Decodes an encoded ref. Returns null when `bytes` are not a blob ref at all (shorter than 4
   * bytes or no magic); throws SubstrateError `decode` / `unsupported_version` when they are one
   * but break a rule of dataforts.md §2.
   */
  static decode(bytes: Uint8Array): BlobRef | null {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('BlobRef.decode takes a Uint8Array');
    if (bytes.length < 4 || !sameBytes(bytes.subarray(0, 4), BLOB_REF_MAGIC)) return null;
    if (bytes.length === 4) throw decodeError('magic without a version byte');
    const version = bytes[4]!;
    const body = bytes.subarray(5);
    if (version === VERSION_SMALL) return decodeSmall(body);
    if (version === VERSION_MANIFEST) {
      if (body.length > MAX_MANIFEST_BODY) throw decodeError(`manifest body of ${body.length} bytes exceeds ${MAX_MANIFEST_BODY}`);
      return decodeBody(body, 'manifest');
    }
    if (version === VERSION_TREE) {
      if (body.length > MAX_TREE_BODY) throw decodeError(`tree body of ${body.length} bytes exceeds ${MAX_TREE_BODY}`);
      return decodeBody(body, 'tree');
    }
    throw unsupported(version, 'blob ref');
  }

  /**
   * Parses the text form: trimmed, one optional `0x` prefix, hex. Exactly 32 bytes is a bare hash
   * (a Small ref of size 0 with URI `mesh://<hex as given>`, for single-chunk content); anything
   * else must decode as a ref. Throws SubstrateError `decode` otherwise.
   */
  static parse(text: string): BlobRef {
    if (typeof text !== 'string') throw new InvalidArgumentError('BlobRef.parse takes a string');
    let t = text.trim();
    if (t.startsWith('0x') || t.startsWith('0X')) t = t.slice(2);
    const bytes = fromHex(t);
    if (!bytes) throw decodeError('not hex');
    if (bytes.length === 32) return BlobRef.small({ hash: bytes, size: 0n, uri: `mesh://${t}` });
    const ref = BlobRef.decode(bytes);
    if (!ref) throw decodeError('not a blob ref (no B0B1B2B3 magic)');
    return ref;
  }
}

function decodeSmall(body: Uint8Array): BlobRef {
  if (body.length < 40) throw decodeError(`small ref body is ${body.length} bytes, needs at least 40`);
  const hash = body.slice(0, 32);
  const size = new DataView(body.buffer, body.byteOffset + 32, 8).getBigUint64(0, true);
  if (size > BLOB_REF_MAX_SIZE) throw decodeError(`small ref size ${size} exceeds 16 GiB`);
  let uri: string;
  try {
    uri = strictUtf8.decode(body.subarray(40));
  } catch {
    throw decodeError('small ref URI is not valid UTF-8');
  }
  return newRef({ kind: 'small', uri, encoding: REPLICATED, hash, total: size });
}

function decodeEncoding(r: PostcardReader): BlobEncoding {
  const variant = r.varint('encoding', 32);
  if (variant === 0n) return REPLICATED;
  if (variant === 1n) return Object.freeze({ kind: 'reed_solomon', k: r.u8('encoding k'), m: r.u8('encoding m') });
  throw new PostcardError(`unknown encoding variant ${variant}`);
}

/** Manifest and Tree bodies (postcard). Bytes after the body are ignored, as Net v0.27.0 does. */
function decodeBody(body: Uint8Array, kind: 'manifest' | 'tree'): BlobRef {
  const r = new PostcardReader(body);
  try {
    const bodyVersion = r.u8('body_version');
    if (bodyVersion !== BODY_VERSION) throw unsupported(bodyVersion, `${kind} body`);
    const uri = r.string('uri');
    const encoding = decodeEncoding(r);
    if (kind === 'tree') {
      const rootHash = r.raw(32, 'root_hash');
      const total = r.varint('total_size', 64);
      const depth = r.u8('depth');
      const problem = treeProblem(total, depth);
      if (problem) throw decodeError(problem);
      return newRef({ kind, uri, encoding, rootHash, depth, total });
    }
    const count = r.varint('chunk count', 64);
    if (count < 1n || count > BigInt(BLOB_MANIFEST_MAX_CHUNKS)) throw decodeError(`a manifest has 1..${BLOB_MANIFEST_MAX_CHUNKS} chunks, got ${count}`);
    const chunks: ManifestChunk[] = [];
    for (let i = 0; i < Number(count); i++) {
      const hash = r.raw(32, `chunk ${i} hash`);
      const size = r.varintNumber(`chunk ${i} size`, 32);
      chunks.push(Object.freeze({ hash, size }));
    }
    const total = r.varint('total_size', 64);
    const problem = manifestProblem(chunks, total);
    if (problem) throw decodeError(problem);
    return newRef({ kind, uri, encoding, chunks: Object.freeze(chunks), total });
  } catch (e) {
    if (e instanceof PostcardError) throw decodeError(`${kind} body: ${e.message}`);
    throw e;
  }
}

// The constructor is private to the class's users; decoding builds refs through this door.
const newRef = (f: Fields): BlobRef => new (BlobRef as unknown as new (f: Fields) => BlobRef)(f);

/** The chunk count a payload of `len` bytes has (§3: ⌈len / 4 MiB⌉, at least 1). */
export function chunkCount(len: bigint): number {
  return len === 0n ? 1 : Number((len + CHUNK - 1n) / CHUNK);
}

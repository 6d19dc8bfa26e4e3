// `meshos.snapshot` (meshos-cli.md §5.9): every node serves its MeshOS snapshot as a server stream
// of Deck JSON (json.ts) — the current snapshot at once, then one per structural change — so
// `net-mesh deck` attached to a node can show it. A snapshot can outgrow one nRPC item (one event),
// so each is cut into items `more u8 (0 = last piece, 1 = more follow) · UTF-8 JSON piece`.
// A slow caller is not sent stale copies: when it pulls again it gets the latest snapshot, once.
import { RpcBadResponseError, RpcError } from '../errors.js';
import { CHUNK_BYTES } from '../rpc/chunked.js';
import { TYPED_HANDLER_ERROR } from '../rpc/constants.js';
import type { RpcHandler, StreamCallOptions } from '../rpc/types.js';
import { toDeckJson } from './json.js';
import type { MeshOsSnapshot } from './types.js';

export const MESHOS_SNAPSHOT_SERVICE = 'meshos.snapshot';
/** Snapshot streams one node serves at once; more are refused (each holds a change subscription). */
export const MAX_SNAPSHOT_STREAMS = 32;
/** The largest snapshot a client reassembles. */
export const MAX_SNAPSHOT_JSON_BYTES = 8 * 1024 * 1024;

const PIECE_BYTES = CHUNK_BYTES - 1;
const utf8 = new TextEncoder();

/** What the service reads: the node's MeshOS loop. */
export interface SnapshotSource {
  snapshot(): MeshOsSnapshot;
  changes(opts?: { signal?: AbortSignal }): AsyncIterable<bigint>;
}

/** The stream items of one snapshot's JSON. */
export function* snapshotItems(json: string): Generator<Uint8Array> {
  const bytes = utf8.encode(json);
  for (let at = 0; ; at += PIECE_BYTES) {
    const end = Math.min(at + PIECE_BYTES, bytes.length);
    const item = new Uint8Array(1 + end - at);
    item[0] = end < bytes.length ? 1 : 0;
    item.set(bytes.subarray(at, end), 1);
    yield item;
    if (end >= bytes.length) return;
  }
}

export function meshosSnapshotHandler(source: SnapshotSource): RpcHandler {
  let open = 0;
  return (_body, ctx) =>
    (async function* () {
      // Counted inside the generator: a stream never pulled never held a slot.
      if (open >= MAX_SNAPSHOT_STREAMS) throw new RpcError(TYPED_HANDLER_ERROR, `${MESHOS_SNAPSHOT_SERVICE}: ${MAX_SNAPSHOT_STREAMS} snapshot streams are open already`);
      open++;
      try {
        let s = source.snapshot();
        let sent = s.counters.structuralChanges;
        yield* snapshotItems(toDeckJson(s));
        for await (const _change of source.changes({ signal: ctx.signal })) {
          s = source.snapshot();
          if (s.counters.structuralChanges === sent) continue; // sent already (this caller was behind)
          sent = s.counters.structuralChanges;
          yield* snapshotItems(toDeckJson(s));
        }
      } finally {
        open--;
      }
    })();
}

/** Reassembles the snapshots (Deck JSON text) of a `meshos.snapshot` stream. */
export async function* snapshotJsonStream(items: AsyncIterable<Uint8Array>, from: bigint): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const item of items) {
    if (item.length === 0 || item[0]! > 1) throw new RpcBadResponseError(`${MESHOS_SNAPSHOT_SERVICE} from node ${from}: malformed item`);
    size += item.length - 1;
    if (size > MAX_SNAPSHOT_JSON_BYTES) throw new RpcBadResponseError(`${MESHOS_SNAPSHOT_SERVICE} from node ${from}: snapshot larger than ${MAX_SNAPSHOT_JSON_BYTES} bytes`);
    parts.push(item.subarray(1));
    if (item[0] === 1) continue;
    const whole = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      whole.set(p, at);
      at += p.length;
    }
    parts = [];
    size = 0;
    let text: string;
    try {
      text = dec.decode(whole);
      JSON.parse(text);
    } catch (e) {
      throw new RpcBadResponseError(`${MESHOS_SNAPSHOT_SERVICE} from node ${from}: not JSON (${(e as Error).message})`, { cause: e });
    }
    yield text;
  }
}

/** What a caller needs: a server-streaming call. */
export interface SnapshotCaller {
  callStream(target: bigint, service: string, body: Uint8Array, opts?: StreamCallOptions): AsyncIterable<Uint8Array>;
}

/** `target`'s snapshots as Deck JSON: the current one, then one per structural change. */
export function remoteSnapshots(node: SnapshotCaller, target: bigint, opts: { signal?: AbortSignal } = {}): AsyncGenerator<string> {
  return snapshotJsonStream(node.callStream(target, MESHOS_SNAPSHOT_SERVICE, new Uint8Array(0), { signal: opts.signal }), target);
}

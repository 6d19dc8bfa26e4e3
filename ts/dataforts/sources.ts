// Locating holders (dataforts.md §7): a named source, or fold-driven discovery when none is named.
// Discovery candidates for a ref with lead hash L (self excluded): fold nodes advertising
// `dataforts.blob.has=L` (direct peers first, then ascending id); direct peers advertising
// `dataforts.blob.serve`; every other direct peer (Net v0.27.0 nodes never advertise). Each probe
// is bounded by 10 s; the first verified chunk wins and is preferred for later chunks. Relayed
// sources (§7.3) need routed sessions, which this node does not have yet: a source that is not a
// direct peer fails with SubstrateError `no_route`.
import { AllPeersFailedError, NotFoundError, SubstrateError } from '../errors.js';
import type { MeshHost } from '../node/host.js';
import type { ChunkStore } from './chunk-store.js';
import { DISCOVERY_PROBE_TIMEOUT_MS, TAG_BLOB_HAS_PREFIX, TAG_BLOB_SERVE } from './constants.js';
import { isHolderReset, type FetchChunkOptions, type TransferEngine } from './engine.js';
import { toHex } from './hex.js';

export interface SourceContext {
  engine: TransferEngine;
  host: MeshHost;
  /** This node's own store: a named source equal to this node, and discovery, read it first. */
  local: ChunkStore | undefined;
}

type ChunkOpts = Pick<FetchChunkOptions, 'signal' | 'onProgress' | 'into'>;

function isCancel(e: unknown): boolean {
  return e instanceof SubstrateError && e.kind === 'cancelled';
}

/** Fresh transfers after a holder's reset, before its error is final (project rule, see below). */
const RESET_RETRIES = 2;

/**
 * One chunk from one holder. A holder's STREAM_RESET means its retransmission gave up (a stalled or
 * congested path), not that the chunk is wrong or missing, so the chunk is asked again under a
 * fresh transfer id a couple of times before the reset error stands.
 */
async function fetchFrom(ctx: SourceContext, holder: bigint, hash: Uint8Array, opts: FetchChunkOptions): Promise<Uint8Array> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.engine.fetchChunk(holder, hash, opts);
    } catch (e) {
      if (attempt >= RESET_RETRIES || !isHolderReset(e)) throw e;
    }
  }
}

/** Where the chunks of one fetch come from. */
export interface ChunkSource {
  chunk(hash: Uint8Array, opts: ChunkOpts): Promise<Uint8Array>;
}

/** Every chunk from one named node (this node itself reads its own store). */
export function namedSource(ctx: SourceContext, from: bigint): ChunkSource {
  return {
    async chunk(hash, opts) {
      if (from === ctx.host.nodeId) {
        if (!ctx.local) throw new NotFoundError(`this node has no store holding chunk ${toHex(hash)}`);
        return ctx.local.get(hash);
      }
      return fetchFrom(ctx, from, hash, opts);
    },
  };
}

/** Discovery candidates (§7.2) for lead hash `lead`, in order. */
export function candidates(host: MeshHost, lead: Uint8Array): bigint[] {
  const self = host.nodeId;
  const direct = host.peers().filter((p) => p.health !== 'failed').map((p) => p.nodeId);
  const isDirect = new Set(direct);
  let hinted: bigint[] = [];
  let serving: bigint[] = [];
  try {
    hinted = host.fold.query({ tags: [`${TAG_BLOB_HAS_PREFIX}${toHex(lead)}`] }).filter((id) => id !== self);
    serving = host.fold.query({ tags: [TAG_BLOB_SERVE] }).filter((id) => id !== self && isDirect.has(id));
  } catch {
    // the fold is gone (node closing): connected peers remain
  }
  const out = [...hinted.filter((id) => isDirect.has(id)), ...hinted.filter((id) => !isDirect.has(id))];
  const seen = new Set(out);
  for (const id of serving) if (!seen.has(id)) (seen.add(id), out.push(id));
  for (const id of [...direct].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) if (!seen.has(id)) (seen.add(id), out.push(id));
  return out;
}

/**
 * Fold-driven discovery: the local store first, then the winner so far (`preferred` to begin
 * with, e.g. the node that served a directory's manifest), then the candidate list.
 */
export function discoverySource(ctx: SourceContext, lead: Uint8Array, preferred?: bigint): ChunkSource & { readonly winner: bigint | undefined } {
  let list: bigint[] | undefined;
  let winner = preferred;
  // Until a first remote chunk settled, later chunks wait, so the candidates are probed once.
  let probing: Promise<unknown> | undefined;

  const attempt = async (id: bigint, hash: Uint8Array, opts: ChunkOpts, errors: string[]): Promise<Uint8Array | undefined> => {
    try {
      const timeoutMs = id === winner ? undefined : DISCOVERY_PROBE_TIMEOUT_MS;
      const bytes = await fetchFrom(ctx, id, hash, { ...opts, timeoutMs });
      winner = id;
      return bytes;
    } catch (e) {
      if (isCancel(e)) throw e;
      errors.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };

  const remote = async (hash: Uint8Array, opts: ChunkOpts): Promise<Uint8Array> => {
    const errors: string[] = [];
    const first = winner;
    if (first !== undefined) {
      const bytes = await attempt(first, hash, opts, errors);
      if (bytes) return bytes;
    }
    list ??= candidates(ctx.host, lead);
    for (const id of list) {
      if (id === first) continue;
      const bytes = await attempt(id, hash, opts, errors);
      if (bytes) return bytes;
    }
    throw new AllPeersFailedError(
      errors.length === 0 ? `no candidate holder for chunk ${toHex(hash)} (no connected peers)` : `every candidate holder failed for chunk ${toHex(hash)} (${errors.join('; ')})`,
    );
  };

  return {
    get winner() {
      return winner;
    },
    async chunk(hash, opts) {
      if (ctx.local && (await ctx.local.has(hash))) {
        try {
          return await ctx.local.get(hash);
        } catch {
          // corrupt or vanished locally: fetch it from a peer
        }
      }
      if (winner === undefined && probing) await probing.catch(() => undefined);
      if (winner === undefined && !probing) {
        const p = remote(hash, opts);
        probing = p;
        return p;
      }
      return remote(hash, opts);
    },
  };
}

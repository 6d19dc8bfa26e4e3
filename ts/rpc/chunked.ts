// Replies larger than one event (rpc-tools.md §3: a unary frame never exceeds MAX_EVENT_SIZE):
// a service whose answer may be large (tool.metadata.fetch with big schemas, mesh.fold.export)
// answers a caller that set STREAMING_RESPONSE with the body cut into stream items, and a plain
// unary caller with the whole body (which fails with Internal if it does not fit). Our callers
// always ask for the streamed form and join the items.
import { concatBytes } from '../identity/bytes.js';
import { FLAGS } from './constants.js';
import type { RpcContext } from './types.js';

/** Body bytes per item: one RESPONSE with the `nrpc-streaming` header must fit one event. */
export const CHUNK_BYTES = 8000;

export function replyBytes(bytes: Uint8Array, ctx: Pick<RpcContext, 'flags'>): Uint8Array | AsyncIterable<Uint8Array> {
  if ((ctx.flags & FLAGS.STREAMING_RESPONSE) === 0) return bytes;
  return (async function* () {
    for (let i = 0; i < bytes.length; i += CHUNK_BYTES) yield bytes.subarray(i, i + CHUNK_BYTES);
  })();
}

/** The items of a streamed reply, concatenated. */
export async function joinItems(items: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of items) parts.push(p);
  return concatBytes(...parts);
}

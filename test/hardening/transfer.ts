// A reliable transfer for the hardening tests: `count` numbered events from one node to another
// on one stream; resolves with how many distinct events arrived and whether the stream failed
// (a send that rejected counts as failed; the reader gives up `graceMs` after the last send).
import type { MeshNode } from '../../ts/node/mesh-node.js';

export async function reliableTransfer(from: MeshNode, to: MeshNode, streamId: bigint, count: number, size = 1000, graceMs = 15_000): Promise<{ received: number; failed: boolean }> {
  const seen = new Set<number>();
  const stop = new AbortController();
  const reading = (async () => {
    try {
      for await (const e of to.events({ stream: streamId, from: from.nodeId, signal: stop.signal })) {
        seen.add(new DataView(e.payload.buffer, e.payload.byteOffset, 4).getUint32(0, true));
        if (seen.size === count) break;
      }
    } catch {
      // aborted: what arrived is counted
    }
  })();
  const s = from.openStream(to.nodeId, streamId, { reliability: 'reliable' });
  let failed = false;
  try {
    for (let i = 0; i < count; i += 16) {
      const batch: Uint8Array[] = [];
      for (let k = i; k < Math.min(count, i + 16); k++) {
        const b = new Uint8Array(size).fill(k & 0xff);
        new DataView(b.buffer).setUint32(0, k, true);
        batch.push(b);
      }
      await s.send(batch);
    }
  } catch {
    failed = true;
  }
  const timer = setTimeout(() => stop.abort(), graceMs);
  await reading;
  clearTimeout(timer);
  return { received: seen.size, failed: failed || s.failed };
}

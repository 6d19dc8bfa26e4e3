// A two-way exchange used by the UDP tests, the two-process peer and the runtime smoke scripts:
// each side sends `count` patterned events on `streamId` and verifies every one it receives.
import type { MeshNode } from '../../ts/node/mesh-node.js';

export function exchangePayload(sender: bigint, i: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, i, true);
  const salt = Number(sender & 0xffn);
  for (let k = 4; k < len; k++) b[k] = (i * 29 + k * 11 + salt) & 0xff;
  return b;
}

export function sizeOf(i: number): number {
  return 16 + ((i * 37) % 1000);
}

/** Sends `count` events to `peer` in batches; resolves when all are handed off. */
export async function sendAll(node: MeshNode, peer: bigint, streamId: bigint, count: number): Promise<void> {
  const s = node.openStream(peer, streamId);
  for (let i = 0; i < count; i += 64) {
    const batch: Uint8Array[] = [];
    for (let k = i; k < Math.min(count, i + 64); k++) batch.push(exchangePayload(node.nodeId, k, sizeOf(k)));
    await s.send(batch);
  }
}

/** Receives `count` events from `peer`, checking each payload; returns how many were seen. */
export async function receiveAll(node: MeshNode, peer: bigint, streamId: bigint, count: number, signal?: AbortSignal): Promise<number> {
  const seen = new Uint8Array(count);
  let n = 0;
  for await (const e of node.events({ stream: streamId, from: peer, signal })) {
    const i = new DataView(e.payload.buffer, e.payload.byteOffset, 4).getUint32(0, true);
    const want = exchangePayload(peer, i, sizeOf(i));
    if (i >= count || seen[i] || e.payload.length !== want.length || !want.every((v, k) => e.payload[k] === v)) {
      throw new Error(`bad or duplicate event ${i} from ${peer}`);
    }
    seen[i] = 1;
    if (++n === count) break;
  }
  return n;
}

// Shared helpers for MeshNode tests: build connected nodes on a memory hub or on loopback UDP.
import { MeshNode, type MeshNodeOptions } from '../../ts/node/mesh-node.js';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { ReceivedEvent } from '../../ts/node/inbound.js';

export const PSK = '5a'.repeat(32);

/** Where a node's engine runs: every node and stream suite runs in both placements. */
export const PLACEMENTS = ['worker', 'inline'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export async function connectPair(a: MeshNode, b: MeshNode): Promise<void> {
  b.accept(a.nodeId);
  await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
}

export async function hubNodes(n: number, hub: MemoryHub, opts: Partial<MeshNodeOptions> = {}): Promise<MeshNode[]> {
  const nodes: MeshNode[] = [];
  for (let i = 0; i < n; i++) nodes.push(await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: `10.0.0.${i + 1}:7000`, ...opts }));
  return nodes;
}

export async function take(it: AsyncIterable<ReceivedEvent>, n: number): Promise<ReceivedEvent[]> {
  const out: ReceivedEvent[] = [];
  if (n === 0) return out;
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

/** Resolves when `cond()` holds, polling every 10 ms; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function patterned(i: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let k = 0; k < len; k++) b[k] = (i * 131 + k * 7) & 0xff;
  if (len >= 4) new DataView(b.buffer).setUint32(0, i, true);
  return b;
}

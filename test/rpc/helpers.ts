// Fixtures for nRPC tests: connected nodes on a seeded memory hub, numbered bodies, and the
// internal channel API for crafting raw frames.
import type { MeshNode, MeshNodeOptions } from '../../ts/node/mesh-node.js';
import type { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { Layers } from '../../ts/node/layers.js';
import { connectPair, hubNodes } from '../node/helpers.js';

/** A caller and a server, connected, on `hub`. */
export async function pair(hub: MemoryHub, opts: Partial<MeshNodeOptions> = {}): Promise<[MeshNode, MeshNode]> {
  const [caller, server] = (await hubNodes(2, hub, opts)) as [MeshNode, MeshNode];
  await connectPair(caller, server);
  return [caller, server];
}

/** `len` bytes whose first four are `i` (u32 LE). */
export function numbered(i: number, len = 4): Uint8Array {
  const b = new Uint8Array(Math.max(4, len));
  b.fill(i & 0xff, 4);
  new DataView(b.buffer).setUint32(0, i, true);
  return b;
}

export function numberOf(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The node's layers (the internal API another layer uses). */
export function layersOf(n: MeshNode): Layers {
  return (n as unknown as { layers: Layers }).layers;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

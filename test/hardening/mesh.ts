// Shared setup of the hardening suites: connected nodes on a fresh seeded MemoryHub, closed
// (nodes, then the hub) after each test.
import { afterEach } from 'vitest';
import type { MeshNode, MeshNodeOptions } from '../../ts/node/mesh-node.js';
import { MemoryHub, type MemoryHubOptions } from '../../ts/transports/memory-hub.js';
import { connectPair, hubNodes, type Placement } from '../node/helpers.js';

export interface HubMesh {
  hub: MemoryHub;
  nodes: MeshNode[];
}

/** A factory of `count` nodes on a fresh hub (`hubOpts` beside the seed), closed after each test. */
export function hubMeshes(engine: Placement): (seed: number, count: number, opts?: Partial<MeshNodeOptions>, hubOpts?: Omit<MemoryHubOptions, 'seed'>) => Promise<HubMesh> {
  let made: HubMesh[] = [];
  afterEach(async () => {
    for (const m of made) {
      await Promise.all(m.nodes.map((n) => n.close()));
      await m.hub.close();
    }
    made = [];
  });
  return async (seed, count, opts = {}, hubOpts = {}) => {
    const hub = new MemoryHub({ seed, ...hubOpts });
    const m: HubMesh = { hub, nodes: [] };
    made.push(m);
    m.nodes = await hubNodes(count, hub, { engine, ...opts });
    return m;
  };
}

/** Every other node connects to `nodes[center]` (a star around it). */
export async function star(nodes: MeshNode[], center: number): Promise<void> {
  for (let i = 0; i < nodes.length; i++) if (i !== center) await connectPair(nodes[i]!, nodes[center]!);
}

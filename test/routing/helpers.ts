// Shared helpers for the routing suites: meshes of hub nodes joined by direct sessions along given
// edges (with the reference's fast test profile, so pingwaves and the failure detector tick every
// 100 ms), and a routed connect that waits until pingwaves taught the initiator a route.
import { MeshNode } from '../../ts/node/mesh-node.js';
import type { MemoryHub } from '../../ts/transports/memory-hub.js';
import { NetMeshError } from '../../ts/errors.js';
import { connectPair, hubNodes, type Placement } from '../node/helpers.js';

export const FAST = { heartbeatIntervalMs: 100, sessionTimeoutMs: 500 } as const;

/** `n` hub nodes with direct sessions along `edges` (pairs of indexes). */
export async function mesh(hub: MemoryHub, n: number, edges: [number, number][], engine: Placement): Promise<MeshNode[]> {
  const nodes = await hubNodes(n, hub, { engine, ...FAST });
  for (const [i, j] of edges) await connectPair(nodes[i]!, nodes[j]!);
  return nodes;
}

/** connect(null, …) to `to`, retried while no route is known yet (pingwaves arrive every tick). */
export async function routedConnect(from: MeshNode, to: MeshNode, ms = 5000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      await from.connect(null, { publicKey: to.noisePublicKey, nodeId: to.nodeId });
      return;
    } catch (e) {
      if (!(e instanceof NetMeshError) || e.code !== 'HANDSHAKE_NO_ROUTE' || Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export async function closeAll(nodes: readonly MeshNode[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.close()));
}

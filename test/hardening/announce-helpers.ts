// Shared pieces of the announcement hardening suites (issue 9 finding 7): an A–B–C line on a
// memory hub, and a raw announcement sender standing in for a misbehaving (authenticated) peer.
import { afterEach } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { ANNOUNCEMENT_SUBPROTOCOL, encodeAnnouncementBytes, type CapabilityAnnouncement } from '../../ts/fold/index.js';
import { type Placement, connectPair, hubNodes } from '../node/helpers.js';

/** A–B–C in a line (A and C share no session); announces are not rate-limited, nor refreshed. */
export async function announceLine(engine: Placement, seed: number): Promise<[MeshNode, MeshNode, MeshNode]> {
  const hub = new MemoryHub({ seed });
  const nodes = await hubNodes(3, hub, { engine, minAnnounceIntervalMs: 0, autoRefreshAnnouncements: false });
  const [a, b, c] = nodes as [MeshNode, MeshNode, MeshNode];
  await connectPair(a, b);
  await connectPair(b, c);
  return [a, b, c];
}

/**
 * Sends announcement frames from `from` to its direct peer `to` over their session, the way a peer
 * running other code could: through the node's engine link, not the public `sendSubprotocol`
 * (which may refuse the reserved announcement id).
 */
export function sendRawAnnouncement(from: MeshNode, to: MeshNode, ann: CapabilityAnnouncement): void {
  const client = (from as unknown as { client: { sendSubprotocol(peer: bigint, sp: number, payload: Uint8Array): void } }).client;
  client.sendSubprotocol(to.nodeId, ANNOUNCEMENT_SUBPROTOCOL, encodeAnnouncementBytes(ann));
}

/** Wall-clock nanoseconds `secondsAgo` seconds ago. */
export function stampSecondsAgo(secondsAgo: number): bigint {
  return BigInt(Date.now() - secondsAgo * 1000) * 1_000_000n;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The nodes a test puts in `live.nodes` are closed after it (one afterEach per suite file). */
export function closedAfterEach(): { nodes: MeshNode[] } {
  const live = { nodes: [] as MeshNode[] };
  afterEach(async () => {
    await Promise.all(live.nodes.map((n) => n.close()));
    live.nodes = [];
  });
  return live;
}

// The far side of the busy-app-thread test: a node (worker engine) that, once the parent's session
// is up, sends a reliable transfer with default options, drains it with closeGraceful and prints
// one JSON line: its stream counters and the peer events it saw. Run by busy-app.test.ts.
import { MeshNode } from '../../ts/node/mesh-node.js';
import type { PeerEvent } from '../../ts/node/peer.js';

const [psk, parentId, countText, heartbeat, timeout] = process.argv.slice(2);
const count = Number(countText);
const node = await MeshNode.create({ psk: psk!, engine: 'worker', heartbeatIntervalMs: Number(heartbeat), sessionTimeoutMs: Number(timeout) });
const parent = BigInt(parentId!);
node.accept(parent);
const events: PeerEvent['kind'][] = [];
void (async () => {
  for await (const e of node.peerEvents()) events.push(e.kind);
})();
console.log(JSON.stringify({ address: node.address, nodeId: node.nodeId.toString(), key: Buffer.from(node.noisePublicKey).toString('hex') }));
while (!node.peers().some((p) => p.nodeId === parent)) await new Promise((r) => setTimeout(r, 5));
const s = node.openStream(parent, 1n, { reliability: 'reliable' });
const t0 = performance.now();
for (let i = 0; i < count; i += 16) {
  const batch: Uint8Array[] = [];
  for (let k = i; k < Math.min(count, i + 16); k++) {
    const e = new Uint8Array(8000).fill(k & 0xff);
    new DataView(e.buffer).setUint32(0, k, true);
    batch.push(e);
  }
  await s.send(batch);
}
await s.closeGraceful(60_000);
const st = s.stats();
console.log(JSON.stringify({ ms: performance.now() - t0, sent: st.sent, acked: st.acked, retransmits: st.retransmits, timeoutRetransmits: st.timeoutRetransmits, probes: st.probesSent, failed: st.failed, window: st.txWindow, peerEvents: events }));
await new Promise((r) => setTimeout(r, 300));
await node.close();

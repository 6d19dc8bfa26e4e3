// The receiving side of the SIGSTOP test (stream-give-up.test.ts): prints its contact details
// as one JSON line, accepts the parent, reads `count` events of a reliable stream (each event's
// first 4 bytes are its index) and prints "ok <distinct> <duplicates>", then exits.
import { MeshNode } from '../../ts/node/mesh-node.js';

const [psk, parentId, countText] = process.argv.slice(2);
const count = Number(countText);
const node = await MeshNode.create({ psk: psk!, bind: '127.0.0.1:0' });
const parent = BigInt(parentId!);
node.accept(parent);
console.log(JSON.stringify({ address: node.address, nodeId: node.nodeId.toString(), key: Buffer.from(node.noisePublicKey).toString('hex') }));
const seen = new Set<number>();
let duplicates = 0;
for await (const e of node.events({ stream: 1n, from: parent })) {
  const i = new DataView(e.payload.buffer, e.payload.byteOffset, e.payload.byteLength).getUint32(0, true);
  if (seen.has(i)) duplicates++;
  else seen.add(i);
  if (seen.size === count) break;
}
console.log(`ok ${seen.size} ${duplicates}`);
await new Promise((r) => setTimeout(r, 300));
await node.close();

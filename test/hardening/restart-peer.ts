// A peer process for the restart test: a node with a fixed identity connects to the parent,
// prints its address as one JSON line, sends `count` numbered events on stream 9 (reliable) and
// stays up until killed.
// Args: psk, identity seed hex, parent address, parent Noise key hex, parent node id, count.
import { MeshNode } from '../../ts/node/mesh-node.js';
import { Identity } from '../../ts/identity/identity.js';

const [psk, seedHex, address, keyHex, nodeIdText, countText] = process.argv.slice(2);
const node = await MeshNode.create({ psk: psk!, identity: Identity.fromSeed(Uint8Array.from(Buffer.from(seedHex!, 'hex'))) });
const parent = BigInt(nodeIdText!);
await node.connect(address!, { publicKey: Uint8Array.from(Buffer.from(keyHex!, 'hex')), nodeId: parent });
console.log(JSON.stringify({ address: node.address, nodeId: node.nodeId.toString() }));
const s = node.openStream(parent, 9n, { reliability: 'reliable' });
for (let i = 0; i < Number(countText); i++) {
  const b = new Uint8Array(64);
  new DataView(b.buffer).setUint32(0, i, true);
  await s.send([b]);
}
setInterval(() => undefined, 1 << 30);

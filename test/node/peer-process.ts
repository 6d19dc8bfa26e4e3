// The far side of the two-process test: prints its contact details as one JSON line, accepts
// the parent's node id, exchanges events, prints "ok <n>" and exits.
import { MeshNode } from '../../ts/node/mesh-node.js';
import { receiveAll, sendAll } from './exchange.js';

const [psk, parentId, countText, mode] = process.argv.slice(2);
const count = Number(countText);
const node = await MeshNode.create({ psk: psk!, keyDerivation: mode as 'noise' | 'net-v0.27' });
const parent = BigInt(parentId!);
node.accept(parent);
const got = receiveAll(node, parent, 1n, count);
console.log(JSON.stringify({ address: node.address, nodeId: node.nodeId.toString(), key: Buffer.from(node.noisePublicKey).toString('hex') }));
// Wait for the parent's session, then send.
while (!node.peers().some((p) => p.nodeId === parent)) await new Promise((r) => setTimeout(r, 5));
await sendAll(node, parent, 1n, count);
const n = await got;
console.log(`ok ${n}`);
await new Promise((r) => setTimeout(r, 200));
await node.close();

// Runtime smoke (Deno, Bun): two MeshNodes over the runtime's own UDP transport on 127.0.0.1, in
// both key-derivation modes, exchange 10,000 events each way with every payload verified.
import { MeshNode } from '../../ts/node/mesh-node.js';
import { receiveAll, sendAll } from '../node/exchange.js';

const PSK = '5a'.repeat(32);
const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';

for (const mode of ['noise', 'net-v0.27'] as const) {
  const a = await MeshNode.create({ psk: PSK, keyDerivation: mode });
  const b = await MeshNode.create({ psk: PSK, keyDerivation: mode });
  b.accept(a.nodeId);
  await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
  const t0 = performance.now();
  const [na, nb] = await Promise.all([
    receiveAll(a, b.nodeId, 1n, 10_000),
    receiveAll(b, a.nodeId, 1n, 10_000),
    sendAll(a, b.nodeId, 1n, 10_000),
    sendAll(b, a.nodeId, 1n, 10_000),
  ]);
  if (na !== 10_000 || nb !== 10_000) throw new Error(`${runtime}: received ${na}/${nb}`);
  console.log(`${runtime} mesh (${mode}): 2 × 10,000 events verified in ${(performance.now() - t0).toFixed(0)} ms`);
  await a.close();
  await b.close();
}

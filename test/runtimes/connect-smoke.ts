// Runtime smoke (Deno, Bun): connect() by contact to a node with accept: 'any', and a connect to a
// port nobody listens on. Bun sees the ICMP port unreachable (PEER_UNREACHABLE within a second);
// Deno's sockets never report it, so there timeoutMs bounds the connect (HANDSHAKE_TIMEOUT).
import { MeshNode } from '../../ts/node/mesh-node.js';
import { Identity } from '../../ts/identity/identity.js';

const PSK = '5a'.repeat(32);
const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : 'bun';

for (const engine of ['worker', 'inline'] as const) {
  const server = await MeshNode.create({ psk: PSK, engine, accept: 'any' });
  const client = await MeshNode.create({ psk: PSK, engine });
  const info = await client.connect(server.contact, { timeoutMs: 10_000 });
  if (info.nodeId !== server.nodeId) throw new Error(`${runtime}: connected to ${info.nodeId}`);
  // A port that was free a moment ago: the server's own, after it closed.
  const dead = server.address;
  await server.close();
  const t0 = performance.now();
  const err = await client.connect(dead, { publicKey: Identity.generate().noiseKeypair().publicKey, nodeId: 9n }, { timeoutMs: 1500 }).then(
    () => undefined,
    (e: { code?: string }) => e,
  );
  const ms = performance.now() - t0;
  const want = runtime === 'bun' ? 'PEER_UNREACHABLE' : 'HANDSHAKE_TIMEOUT';
  if (err?.code !== want || ms > 3000) throw new Error(`${runtime} (${engine}): a connect to a dead port gave ${err?.code} after ${ms.toFixed(0)} ms, expected ${want}`);
  console.log(`${runtime} connect (${engine} engine): contact + accept 'any' ok; dead port → ${err.code} in ${ms.toFixed(0)} ms`);
  await client.close();
}

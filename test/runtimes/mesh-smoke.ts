// Runtime smoke (Deno, Bun): two MeshNodes over the runtime's own UDP transport on 127.0.0.1, with
// the engine in a Web Worker that owns the socket and inline on the main thread, in both
// key-derivation modes, exchange 10,000 events each way with every payload verified.
import { MeshNode } from '../../ts/node/mesh-node.js';
import { receiveAll, sendAll } from '../node/exchange.js';

const PSK = '5a'.repeat(32);
const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';

for (const [engine, mode] of [['worker', 'noise'], ['worker', 'net-v0.27'], ['inline', 'noise']] as const) {
  const a = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine });
  const b = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine });
  if (a.engine !== engine) throw new Error(`${runtime}: asked for the ${engine} engine, got ${a.engine}`);
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
  console.log(`${runtime} mesh (${engine} engine, ${mode}): 2 × 10,000 events verified in ${(performance.now() - t0).toFixed(0)} ms`);

  // A reliable stream with default options: 4 MiB in 8000-byte events, every byte checked, drained
  // with closeGraceful. (Deno's UDP receive buffers only about a dozen 8 KiB datagrams: a large
  // explicit window would mostly measure its losses.)
  const t1 = performance.now();
  const rs = a.openStream(b.nodeId, 2n, { reliability: 'reliable' });
  const total = 512;
  const got = (async () => {
    const seen = new Uint8Array(total);
    let n = 0;
    for await (const e of b.events({ stream: 2n, from: a.nodeId })) {
      const i = new DataView(e.payload.buffer, e.payload.byteOffset, 4).getUint32(0, true);
      if (e.payload.length !== 8000 || e.payload[7999] !== (i & 0xff) || seen[i]) throw new Error(`${runtime}: bad reliable event ${i}`);
      seen[i] = 1;
      if (++n === total) return n;
    }
    return n;
  })();
  for (let i = 0; i < total; i += 16) {
    const batch: Uint8Array[] = [];
    for (let k = i; k < i + 16; k++) {
      const ev = new Uint8Array(8000).fill(k & 0xff);
      new DataView(ev.buffer).setUint32(0, k, true);
      batch.push(ev);
    }
    await rs.send(batch);
  }
  await rs.closeGraceful(10_000);
  if ((await got) !== total) throw new Error(`${runtime}: reliable stream incomplete`);
  console.log(`${runtime} mesh (${engine} engine, ${mode}): reliable 4 MiB verified in ${(performance.now() - t1).toFixed(0)} ms, ${rs.stats().retransmits} retransmits, window ${rs.stats().txWindow}`);
  await a.close();
  await b.close();
}

// Relay forwarding throughput against the direct path, real UDP on 127.0.0.1, three processes
// (wire.md §7): this process's nodes send a reliable stream to node B (a child process) either
// directly or through relay R (another child). Trials alternate direct / relayed so both see the
// same machine; the table prints each path's median MB/s and their ratio (target: relayed ≥ 0.7×
// direct).
//   npm run bench:routing            (node dist/bench/relay-path.mjs [--quick])
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { MeshNode } from '../ts/node/mesh-node.js';
import { RelayPeerProcess } from './relay-peer-client.js';
import { relayEvent } from './relay-peer.js';
import { MB, fmtRatio, median, note, now, printEnvironment, printTable, target } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '7e'.repeat(32);
const EVENT = 8000;
const EVENTS = QUICK ? 1024 : 4096; // 8 MB or 32 MB per trial
const ROUNDS = QUICK ? 2 : 4;
const BATCH = 32;

async function transfer(from: MeshNode, to: RelayPeerProcess, stream: bigint): Promise<number> {
  await to.command(`expect ${from.nodeId} ${stream} ${EVENTS}`);
  const s = from.openStream(to.contact.nodeId, stream, { reliability: 'reliable' });
  const events = Array.from({ length: BATCH }, (_, i) => relayEvent(i, EVENT));
  const t0 = now();
  for (let i = 0; i < EVENTS; i += BATCH) await s.send(events);
  const done = JSON.parse(await to.command(`wait ${stream}`)) as { events: number; bytes: number };
  const ms = now() - t0;
  await s.closeGraceful(30_000);
  if (done.events !== EVENTS) throw new Error(`trial delivered ${done.events} of ${EVENTS}`);
  return done.bytes / MB / (ms / 1000);
}

async function main(): Promise<void> {
  printEnvironment('relay path vs direct path (real UDP, three processes)');
  const script = join(dirname(fileURLToPath(import.meta.url)), 'relay-peer.mjs');
  for (const engine of ['worker', 'inline'] as const) {
    const [r, b] = await Promise.all([RelayPeerProcess.start(script, PSK, 'worker'), RelayPeerProcess.start(script, PSK, 'worker')]);
    // Two senders in this process: one with a direct session to B, one that reaches B through R.
    const direct = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine });
    const relayed = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine });
    try {
      await b.command(`accept ${direct.nodeId}`);
      await b.command(`accept ${r.contact.nodeId}`);
      await r.command(`accept ${relayed.nodeId}`);
      await r.connect(b.contact);
      await direct.connect(b.contact.address, { publicKey: b.contact.publicKey, nodeId: b.contact.nodeId });
      await relayed.connect(r.contact.address, { publicKey: r.contact.publicKey, nodeId: r.contact.nodeId });
      await relayed.connect(null, { publicKey: b.contact.publicKey, nodeId: b.contact.nodeId }, { via: r.contact.nodeId });
      const d: number[] = [];
      const v: number[] = [];
      let stream = 100n;
      for (let round = 0; round < ROUNDS; round++) {
        d.push(await transfer(direct, b, stream++));
        v.push(await transfer(relayed, b, stream++));
      }
      const rd = median(d);
      const rv = median(v);
      const ratio = rv / rd;
      printTable(`sender engine: ${engine} (relay and receiver: worker); ${EVENTS} × ${EVENT} B reliable per trial, ${ROUNDS} rounds`, ['path', 'MB/s (median)', 'trials'], [
        ['direct A → B', rd.toFixed(1), d.map((x) => x.toFixed(1)).join(' ')],
        ['relayed A → R → B', rv.toFixed(1), v.map((x) => x.toFixed(1)).join(' ')],
        ['relayed / direct', fmtRatio(ratio), target(ratio, '≥', 0.7)],
      ]);
      const rs = JSON.parse(await r.command('stats')) as { forwarded: number };
      note(`R forwarded ${rs.forwarded} datagrams`);
    } finally {
      await Promise.all([direct.close(), relayed.close()]);
      await Promise.all([r.stop(), b.stop()]);
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

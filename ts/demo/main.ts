// `npm run demo`: three nodes on 127.0.0.1 in one process connect pairwise, exchange 10,000
// events each way on every pair with content checks, print events/s and round-trip times, then
// stop one node and watch the others mark it suspected, then failed.
import { MeshNode } from '../node/mesh-node.js';
import type { ReceivedEvent } from '../node/inbound.js';

const EVENTS = Number(process.env.DEMO_EVENTS ?? 10_000);
const EVENT_SIZE = 256;
const PINGS = 200;
const PSK = 'a1'.repeat(32);

function payload(from: number, to: number, i: number): Uint8Array {
  const b = new Uint8Array(EVENT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, i, true);
  b[4] = from;
  b[5] = to;
  for (let k = 6; k < EVENT_SIZE; k++) b[k] = (i * 31 + k + from * 7 + to * 13) & 0xff;
  return b;
}

function checkPayload(p: Uint8Array, from: number, to: number, i: number): boolean {
  const want = payload(from, to, i);
  if (p.length !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (p[k] !== want[k]) return false;
  return true;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function collect(it: AsyncIterable<ReceivedEvent>, n: number, from: number, to: number): Promise<void> {
  let got = 0;
  for await (const e of it) {
    const i = new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true);
    if (!checkPayload(e.payload, from, to, i)) throw new Error(`event ${i} from node ${from} to ${to} has wrong content`);
    if (++got === n) return;
  }
  throw new Error(`stream ended after ${got} of ${n} events`);
}

async function main(): Promise<void> {
  const opts = { psk: PSK, bind: '127.0.0.1:0', heartbeatIntervalMs: 100, sessionTimeoutMs: 500 };
  const nodes = await Promise.all([MeshNode.create(opts), MeshNode.create(opts), MeshNode.create(opts)]);
  const names = ['A', 'B', 'C'];
  console.log('net-mesh demo: three nodes on loopback');
  nodes.forEach((n, i) => console.log(`  ${names[i]}  ${n.address}  node ${n.nodeId.toString(16).padStart(16, '0')}`));

  // Pairwise sessions: the lower index connects, the higher accepts.
  const pairs: [number, number][] = [
    [0, 1],
    [0, 2],
    [1, 2],
  ];
  for (const [a, b] of pairs) {
    nodes[b]!.accept(nodes[a]!.nodeId);
    await nodes[a]!.connect(nodes[b]!.address, { publicKey: nodes[b]!.noisePublicKey, nodeId: nodes[b]!.nodeId });
  }
  console.log('  sessions up: A–B, A–C, B–C\n');

  const rows: string[][] = [];
  for (const [a, b] of pairs) {
    const na = nodes[a]!;
    const nb = nodes[b]!;
    const streamId = BigInt(100 + a * 10 + b);
    const sa = na.openStream(nb.nodeId, streamId);
    const sb = nb.openStream(na.nodeId, streamId);
    const t0 = performance.now();
    const recvB = collect(nb.events({ stream: streamId, from: na.nodeId }), EVENTS, a, b);
    const recvA = collect(na.events({ stream: streamId, from: nb.nodeId }), EVENTS, b, a);
    const sendAll = async (s: typeof sa, from: number, to: number) => {
      for (let i = 0; i < EVENTS; i += 100) {
        const batch: Uint8Array[] = [];
        for (let k = i; k < Math.min(i + 100, EVENTS); k++) batch.push(payload(from, to, k));
        await s.send(batch);
      }
    };
    await Promise.all([sendAll(sa, a, b), sendAll(sb, b, a), recvA, recvB]);
    const secs = (performance.now() - t0) / 1000;

    // Round trips: a 32-byte ping on one stream, echoed on another.
    const pingId = streamId + 1000n;
    const pa = na.openStream(nb.nodeId, pingId);
    const pb = nb.openStream(na.nodeId, pingId);
    const echo = (async () => {
      let n = 0;
      for await (const e of nb.events({ stream: pingId, from: na.nodeId })) {
        await pb.send([e.payload]);
        if (++n === PINGS) return;
      }
    })();
    const replies = na.events({ stream: pingId, from: nb.nodeId })[Symbol.asyncIterator]();
    const rtts: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const t = performance.now();
      await pa.send([new Uint8Array(32).fill(i & 0xff)]);
      const r = await replies.next();
      if (r.done || r.value.payload[0] !== (i & 0xff)) throw new Error('ping reply missing or wrong');
      rtts.push(performance.now() - t);
    }
    await replies.return?.();
    await echo;
    rows.push([`${names[a]}↔${names[b]}`, String(2 * EVENTS), ((2 * EVENTS) / secs).toFixed(0), median(rtts).toFixed(3)]);
  }
  console.log('  pair   events verified   events/s   median RTT (ms)');
  for (const r of rows) console.log(`  ${r[0]!.padEnd(6)} ${r[1]!.padStart(15)} ${r[2]!.padStart(10)} ${r[3]!.padStart(17)}`);

  // Failure detection: stop C, watch A and B.
  console.log(`\n  stopping C; heartbeat 100 ms, session timeout 500 ms`);
  const cId = nodes[2]!.nodeId;
  const t0 = performance.now();
  const watch = (i: number) =>
    (async () => {
      for await (const ev of nodes[i]!.peerEvents()) {
        if (ev.nodeId !== cId) continue;
        console.log(`  ${names[i]} sees C ${ev.kind} after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
        if (ev.kind === 'failed') return;
      }
    })();
  const watchers = [watch(0), watch(1)];
  await nodes[2]!.close();
  await Promise.race([Promise.all(watchers), new Promise((_, rej) => setTimeout(() => rej(new Error('no failure detected within 5 s')), 5000))]);
  const health = nodes[0]!.peers().map((p) => `${p.nodeId === nodes[1]!.nodeId ? 'B' : 'C'}=${p.health}`).join(' ');
  console.log(`  A's peers: ${health}`);
  await Promise.all([nodes[0]!.close(), nodes[1]!.close()]);
  console.log('\ndemo complete');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

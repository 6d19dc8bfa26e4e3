// Handshake cost and admission (issue 9, finding 2): honest handshakes per second, what a forged
// msg1 costs the responder (read in full, or dropped unread once its budget is spent), the forged
// msg1s per second one core absorbs with the default budgets, and an established reliable
// transfer's throughput while another process floods the responder, as a ratio of its
// throughput without the flood (target ≥ 0.8×).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { compareSync, fmtNum, fmtRatio, median, MB, note, noteContention, now, printEnvironment, printTable, roundsOf, target } from './harness.js';
import { Engine } from '../ts/engine/engine.js';
import { BufferLinkWriter, writeAccept } from '../ts/engine/link-format.js';
import { DEFAULT_HANDSHAKE_BUDGET } from '../ts/engine/handshake-budget.js';
import { encodeHandshakePacket } from '../ts/core/packet.js';
import { randomBytes } from '../ts/identity/bytes.js';
import { initiatorFinish, initiatorStart, responderRead } from '../ts/session/handshake.js';
import { Msg1Screen } from '../ts/session/msg1-screen.js';
import { generateNoiseKeypair } from '../ts/session/noise.js';
import { MeshNode } from '../ts/node/mesh-node.js';

const PSK = new Uint8Array(32).fill(0x5a);
const FLOODER = join(process.cwd(), 'test/hardening/flooder.mjs');
const TRANSFER_BYTES = 24 * MB;
const EVENT = 8000;

function handshakeCases() {
  const responder = generateNoiseKeypair();
  const screen1 = new Msg1Screen(PSK, responder, 2n);
  screen1.add(1n);
  const screen100 = new Msg1Screen(PSK, responder, 2n);
  for (let id = 1000n; id < 1099n; id++) screen100.add(id);
  screen100.add(1n);
  const forged = (): Uint8Array => randomBytes(48);
  // An engine whose budgets are spent: every further msg1 is classified, checked and dropped.
  const engine = new Engine(
    { nodeId: 2n, psk: PSK, keyDerivation: 'noise', staticKeypair: responder, heartbeatIntervalMs: 5000, sessionTimeoutMs: 30_000 },
    { send: () => undefined, link: new BufferLinkWriter(), publish: () => undefined },
  );
  const cmd = new BufferLinkWriter();
  writeAccept(cmd, 1n);
  engine.handleLinkBatch(cmd.take()!, 0);
  const packets = Array.from({ length: 1024 }, () => ({ data: encodeHandshakePacket(forged()), address: '127.0.0.1:9' }));
  engine.handleDatagrams(packets.slice(0, 128), 0);
  let k = 0;
  return [
    {
      name: 'honest handshake (both sides)',
      fn: () => {
        const { message, state } = initiatorStart({ psk: PSK, responderStatic: responder.publicKey, initiatorNodeId: 1n, responderNodeId: 2n });
        const found = screen1.screen(message);
        if (!found.ok) throw new Error('honest msg1 did not screen');
        const r = responderRead({ psk: PSK, staticKeypair: responder, initiatorNodeId: found.initiatorNodeId, responderNodeId: 2n, message });
        return initiatorFinish(state, r.reply).sessionId;
      },
    },
    { name: 'forged msg1 read, 1 accepted id', fn: () => screen1.screen(forged()) },
    { name: 'forged msg1 read, 100 accepted ids', fn: () => screen100.screen(forged()) },
    { name: 'forged msg1 over budget (dropped unread)', fn: () => engine.handleDatagrams([packets[k++ & 1023]!], 0) },
  ];
}

async function transfer(a: MeshNode, b: MeshNode, stream: bigint): Promise<number> {
  const count = Math.floor(TRANSFER_BYTES / EVENT);
  let got = 0;
  const reading = (async () => {
    for await (const _ of b.events({ stream, from: a.nodeId })) if (++got === count) break;
  })();
  const s = a.openStream(b.nodeId, stream, { reliability: 'reliable' });
  const t0 = now();
  const batch = Array.from({ length: 16 }, () => new Uint8Array(EVENT));
  try {
    for (let i = 0; i < count; i += 16) await s.send(batch.slice(0, Math.min(16, count - i)));
    await reading;
  } catch {
    resets++;
    return NaN;
  }
  const ms = now() - t0;
  s.close();
  return (count * EVENT) / MB / (ms / 1000);
}

/** Transfers whose stream was reset (retransmission gave up), per engine placement. */
let resets = 0;

/** Runs `fn` while another process floods `target` with forged msg1s; returns its result and the flood rate. */
async function underFlood<T>(target: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const template = Buffer.from(encodeHandshakePacket(new Uint8Array(48))).toString('hex');
  const child = spawn(process.execPath, [FLOODER, target, template, String(1e9), '120000', '32'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 300)); // the flood is running before the transfer starts
  const t0 = now();
  const value = await fn();
  const ms = now() - t0 + 300;
  child.kill('SIGKILL');
  await exited;
  return { value, ms };
}

async function main(): Promise<void> {
  printEnvironment('net-mesh handshake bench');
  const results = compareSync(handshakeCases(), { rounds: 7, roundMs: 200 });
  noteContention(results, 'cpu');
  printTable(
    'Handshake work on one core (CPU time of this process)',
    ['case', 'per second', 'µs each'],
    results.map((r) => [r.name, fmtNum(r.opsPerSec), fmtNum(r.nsPerOp / 1000)]),
  );
  const read = results[1]!.nsPerOp / 1e9;
  const drop = results[3]!.nsPerOp / 1e9;
  const { globalRate } = DEFAULT_HANDSHAKE_BUDGET;
  const absorbed = (1 - globalRate * read) / drop;
  console.log(`\nForged msg1/s absorbed at 100% of one core with the default budgets (≤ ${globalRate} reads/s, the rest dropped unread): ${fmtNum(absorbed)}`);
  note('Without budgets one core would absorb 1 / (read cost) forged msg1/s: the row "forged msg1 read".');

  const rows: string[][] = [];
  for (const engine of ['worker', 'inline'] as const) {
    const a = await MeshNode.create({ psk: PSK, engine });
    const b = await MeshNode.create({ psk: PSK, engine });
    b.accept(a.nodeId);
    await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
    let stream = 10n;
    let packetsBefore = 0;
    const [quiet, flooded] = await roundsOf<{ mbps: number; floodPerSec: number }>(
      [
        async () => ({ mbps: await transfer(a, b, stream++), floodPerSec: 0 }),
        async () => {
          packetsBefore = b.stats().packetsIn;
          const r = await underFlood(b.address, () => transfer(a, b, stream++));
          // Datagrams in beyond the transfer's own (about one per event): the forged msg1s read off the socket.
          const floodPackets = b.stats().packetsIn - packetsBefore - TRANSFER_BYTES / EVENT;
          return { mbps: r.value, floodPerSec: floodPackets / (r.ms / 1000) };
        },
      ],
      3,
    );
    const finite = (xs: number[]): number[] => xs.filter(Number.isFinite);
    const q = median(finite(quiet!.map((x) => x.mbps)));
    const f = median(finite(flooded!.map((x) => x.mbps)));
    const r = f / q;
    const d = b.stats().dropped;
    rows.push([engine, fmtNum(q), fmtNum(f), fmtNum(median(flooded!.map((x) => x.floodPerSec))), `${fmtRatio(r)} (${target(r, '≥', 0.8)})`, `${d.handshake} read, ${d.rateLimited} unread`, String(resets)]);
    resets = 0;
    await a.close();
    await b.close();
  }
  printTable(
    `Reliable transfer of ${TRANSFER_BYTES / MB} MB while another process floods the responder with forged msg1s (32 source ports)`,
    ['engine', 'MB/s quiet', 'MB/s flooded', 'forged msg1/s received', 'flooded / quiet', 'responder msg1s', 'streams reset'],
    rows,
  );
  note('forged msg1/s received: datagrams the responder took off its socket during the flood (the kernel drops the rest).');
}

await main();

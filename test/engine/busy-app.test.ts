// Issue 8 item 3 on real UDP: with the engine in its worker, a node whose app thread is blocked in
// 50 ms synchronous chunks keeps the mesh going. A reliable transfer from a child process into it
// completes with no timeout-driven (spurious) retransmits, and neither side ever suspects the
// other, although heartbeats are due every 50 ms and 400 ms of silence would mean "suspected"
// (the app thread alone is silent for 50 ms at a time; the bounds leave room for a loaded machine).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { MeshNode } from '../../ts/node/mesh-node.js';
import type { PeerEvent } from '../../ts/node/peer.js';
import { PSK } from '../node/helpers.js';

const COUNT = 2048; // × 8000 B ≈ 16 MB
const HEARTBEAT_MS = 50;
const SESSION_TIMEOUT_MS = 200; // suspected after more than 2 × 200 ms of silence

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

/** Blocks this thread for `ms` (a busy app: parsing, rendering, a synchronous computation). */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('a busy app thread cannot stall the mesh (worker engine, real UDP)', () => {
  it('a reliable transfer into a node blocked in 50 ms chunks: no spurious retransmits, nobody suspected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'net-mesh-busy-'));
    const outfile = join(dir, 'sender.mjs');
    await build({ entryPoints: ['test/engine/busy-sender.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
    const a = await MeshNode.create({ psk: PSK, engine: 'worker', heartbeatIntervalMs: HEARTBEAT_MS, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    nodes = [a];
    const peerEvents: PeerEvent['kind'][] = [];
    void (async () => {
      for await (const e of a.peerEvents()) peerEvents.push(e.kind);
    })();
    const child = spawn(process.execPath, [outfile, PSK, a.nodeId.toString(), String(COUNT), String(HEARTBEAT_MS), String(SESSION_TIMEOUT_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const hello = JSON.parse((await lines.next()).value as string) as { address: string; nodeId: string; key: string };
    const peerId = BigInt(hello.nodeId);
    await a.connect(hello.address, { publicKey: Uint8Array.from(Buffer.from(hello.key, 'hex')), nodeId: peerId });

    // The app thread: blocked 50 ms at a time, reading what arrived in the gaps.
    let received = 0;
    let blockedMs = 0;
    const seen = new Uint8Array(COUNT);
    const it = a.events({ stream: 1n, from: peerId })[Symbol.asyncIterator]();
    const t0 = performance.now();
    let pending = it.next();
    while (received < COUNT) {
      block(50);
      blockedMs += 50;
      // Read what is already here for at most 5 ms, then block again.
      const gapEnd = performance.now() + 5;
      while (performance.now() < gapEnd) {
        const next = await Promise.race([pending, new Promise<null>((r) => setImmediate(() => r(null)))]);
        if (next === null) break;
        if (next.done) throw new Error('events ended early');
        const p = next.value.payload;
        const i = new DataView(p.buffer, p.byteOffset).getUint32(0, true);
        if (seen[i] || p.length !== 8000 || p[7999] !== (i & 0xff)) throw new Error(`bad or duplicate event ${i}`);
        seen[i] = 1;
        received++;
        pending = it.next();
      }
      if (performance.now() - t0 > 90_000) throw new Error(`stalled at ${received}/${COUNT}`);
    }
    const report = JSON.parse((await lines.next()).value as string) as { retransmits: number; timeoutRetransmits: number; probes: number; failed: boolean; acked: number; sent: number; peerEvents: string[] };
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(received).toBe(COUNT);
    // The app thread really was blocked a large part of the time (the rest went to reading).
    expect(blockedMs).toBeGreaterThan(0.4 * (performance.now() - t0));
    expect(report).toMatchObject({ failed: false, timeoutRetransmits: 0, probes: 0, acked: COUNT, sent: COUNT });
    expect({ child: report.peerEvents, parent: peerEvents }).toEqual({ child: ['up'], parent: ['up'] });
    expect(a.peers()[0]!.health).toBe('healthy');
  }, 120_000);
});

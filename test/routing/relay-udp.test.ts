// Relaying over real UDP across three processes: this process's node A reaches node B (a child
// process) only through node R (another child), by connect(null, …, { via: R }); a reliable
// transfer arrives byte for byte and R counts what it forwarded. Throughput is bench/relay-path.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { PLACEMENTS, PSK } from '../node/helpers.js';
import { RelayPeerProcess } from '../../bench/relay-peer-client.js';
import { relayEvent } from '../../bench/relay-peer.js';

let script = '';
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'net-mesh-relay-'));
  script = join(dir, 'relay-peer.mjs');
  await build({ entryPoints: ['bench/relay-peer.ts'], bundle: true, platform: 'node', format: 'esm', outfile: script, logLevel: 'error' });
}, 60_000);

describe.each(PLACEMENTS)('%s engine: A → R → B over UDP, three processes', (engine) => {
  const procs: RelayPeerProcess[] = [];
  let a: MeshNode | undefined;
  afterAll(async () => {
    await a?.close();
    await Promise.all(procs.map((p) => p.stop()));
  });

  it('connects through the relay and moves 2,000 reliable events byte for byte; R forwards without an A–B session', async () => {
    const [r, b] = await Promise.all([RelayPeerProcess.start(script, PSK, 'worker'), RelayPeerProcess.start(script, PSK, 'worker')]);
    procs.push(r, b);
    a = await MeshNode.create({ psk: PSK, bind: '127.0.0.1:0', engine });
    await r.command(`accept ${a.nodeId}`);
    await b.command(`accept ${r.contact.nodeId}`);
    await r.connect(b.contact);
    await a.connect(r.contact.address, { publicKey: r.contact.publicKey, nodeId: r.contact.nodeId });
    await a.connect(null, { publicKey: b.contact.publicKey, nodeId: b.contact.nodeId }, { via: r.contact.nodeId });
    expect(a.peers().find((p) => p.nodeId === b.contact.nodeId)?.address).toBe(r.contact.address);

    const N = 2000;
    await b.command(`expect ${a.nodeId} 5 ${N}`);
    const s = a.openStream(b.contact.nodeId, 5n, { reliability: 'reliable' });
    for (let i = 0; i < N; i += 50) await s.send(Array.from({ length: 50 }, (_, k) => relayEvent(i + k, 1000)));
    await s.closeGraceful(30_000);
    expect(JSON.parse(await b.command('wait 5'))).toEqual({ events: N, bytes: N * 1000, corrupt: 0 });
    const rs = JSON.parse(await r.command('stats')) as { forwarded: number; peers: string[] };
    expect(rs.forwarded).toBeGreaterThanOrEqual(N / 8); // ≥ one data packet per 8 events, plus grants back
    expect(rs.peers.sort()).toEqual([a.nodeId.toString(), b.contact.nodeId.toString()].sort());
    expect(a.stats().dropped.authFailure).toBe(0);
  }, 60_000);
});

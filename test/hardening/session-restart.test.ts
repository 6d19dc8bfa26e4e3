// Issue 9, finding 10, on real UDP: a peer process with a fixed identity is killed and started
// again. Its Noise key is the same (derived from the identity), so its new connect succeeds, and
// the responder replaces the stale session at once (after key confirmation) instead of keeping
// it "healthy" until the failure detector gives up on it 60–90 s later.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { Identity } from '../../ts/identity/identity.js';
import { randomBytes } from '../../ts/identity/bytes.js';
import { PLACEMENTS, PSK, until } from '../node/helpers.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

let script: string | undefined;
async function peerScript(): Promise<string> {
  if (!script) {
    const outfile = join(mkdtempSync(join(tmpdir(), 'net-mesh-restart-')), 'peer.mjs');
    await build({ entryPoints: ['test/hardening/restart-peer.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
    script = outfile;
  }
  return script;
}

/** Starts the peer process; resolves with it and the address it reports once connected. */
async function startPeer(b: MeshNode, seed: Uint8Array, count: number): Promise<{ child: ChildProcess; address: string }> {
  const args = [await peerScript(), PSK, Buffer.from(seed).toString('hex'), b.address, Buffer.from(b.noisePublicKey).toString('hex'), b.nodeId.toString(), String(count)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => void child.kill('SIGKILL'));
  const line = (await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value as string;
  return { child, address: (JSON.parse(line) as { address: string }).address };
}

describe.each(PLACEMENTS)('a restarted peer (%s engine, real UDP)', (engine) => {
  it('replaces its stale session promptly; its new events arrive', async () => {
    const seed = randomBytes(32);
    const peerId = Identity.fromSeed(seed).nodeId;
    const b = await MeshNode.create({ psk: PSK, engine });
    cleanup.push(() => b.close());
    b.accept(peerId);
    // Reliable delivery hands each event over once: 50 from each process.
    let received = 0;
    const reading = (async () => {
      for await (const _ of b.events({ stream: 9n, from: peerId })) if (++received === 100) break;
    })();

    const first = await startPeer(b, seed, 50);
    await until(() => received === 50, 15_000, 'the first process’s events');
    expect(b.peers().find((p) => p.nodeId === peerId)?.address).toBe(first.address);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startPeer(b, seed, 50);
    // Generous for a busy machine, far below the detector's 60–90 s (session timeout 30 s).
    await until(() => b.peers().find((p) => p.nodeId === peerId)?.address === second.address, 5000, 'the new session to replace the stale one');
    expect(b.peers().find((p) => p.nodeId === peerId)?.health).toBe('healthy');
    await reading;
    expect(received).toBe(100);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { PLACEMENTS, PSK, connectPair } from './helpers.js';
import { receiveAll, sendAll } from './exchange.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe.each(['noise', 'net-v0.27'] as const)('MeshNode over UDP on 127.0.0.1 (%s keys)', (mode) => {
    it('exchanges 10,000 events each way, every payload verified', async () => {
      const a = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine });
      const b = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine });
      nodes = [a, b];
      expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/);
      await connectPair(a, b);
      const [na, nb] = await Promise.all([
        receiveAll(a, b.nodeId, 1n, 10_000),
        receiveAll(b, a.nodeId, 1n, 10_000),
        sendAll(a, b.nodeId, 1n, 10_000),
        sendAll(b, a.nodeId, 1n, 10_000),
      ]);
      expect(na).toBe(10_000);
      expect(nb).toBe(10_000);
      expect(a.stats().dropped.authFailure + b.stats().dropped.authFailure).toBe(0);
    });
  });

  describe('MeshNode across two processes', () => {
    it('exchanges 10,000 events each way with a child process', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'net-mesh-peer-'));
      const outfile = join(dir, 'peer.mjs');
      await build({ entryPoints: ['test/node/peer-process.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
      const a = await MeshNode.create({ psk: PSK, engine });
      nodes = [a];
      const child = spawn(process.execPath, [outfile, PSK, a.nodeId.toString(), '10000', 'noise'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const hello = JSON.parse((await lines.next()).value as string) as { address: string; nodeId: string; key: string };
      const peerId = BigInt(hello.nodeId);
      const got = receiveAll(a, peerId, 1n, 10_000);
      await a.connect(hello.address, { publicKey: Uint8Array.from(Buffer.from(hello.key, 'hex')), nodeId: peerId });
      await sendAll(a, peerId, 1n, 10_000);
      expect(await got).toBe(10_000);
      expect((await lines.next()).value).toBe('ok 10000');
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      expect(code).toBe(0);
    });
  });
});

// Issue 9, finding 2, on real UDP: a second process floods the responder with forged msg1s from
// 32 source ports (bounded: at most 40,000 datagrams in 4 s) while an established session carries
// a reliable transfer. The transfer completes without a reset, the session stays healthy, and the
// responder reads msg1s only within its budgets (64 at once, 200 per second); the rest are
// counted as rate-limited.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { encodeHandshakePacket } from '../../ts/core/packet.js';
import { PLACEMENTS, PSK } from '../node/helpers.js';
import { reliableTransfer } from './transfer.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.each(PLACEMENTS)('a forged-msg1 flood from another process (%s engine, real UDP)', (engine) => {
  it('does not starve the established session; reads stay within the budget', async () => {
    const a = await MeshNode.create({ psk: PSK, engine });
    const b = await MeshNode.create({ psk: PSK, engine });
    cleanup.push(() => a.close(), () => b.close());
    // A responder that accepts many initiators (each would once have cost a read per forgery).
    for (let id = 1n; id <= 100n; id++) b.accept(id);
    b.accept(a.nodeId);
    await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId });

    const template = Buffer.from(encodeHandshakePacket(new Uint8Array(48))).toString('hex');
    const started = performance.now();
    const child = spawn(process.execPath, ['test/hardening/flooder.mjs', b.address, template, '40000', '4000', '32'], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => void child.kill('SIGKILL'));
    const done = createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();

    const failures: string[] = [];
    const watch = (async () => {
      for await (const e of b.peerEvents()) if (e.kind !== 'up') failures.push(`${e.kind} ${e.nodeId}`);
    })();
    void watch;
    const [toB, toA] = await Promise.all([reliableTransfer(a, b, 1n, 3000), reliableTransfer(b, a, 2n, 3000)]);
    const line = (await done).value as string;
    const elapsedS = (performance.now() - started) / 1000;
    expect(line).toMatch(/^sent \d+$/);
    expect(toB).toEqual({ received: 3000, failed: false });
    expect(toA).toEqual({ received: 3000, failed: false });
    expect(failures).toEqual([]);
    expect(b.peers().find((p) => p.nodeId === a.nodeId)?.health).toBe('healthy');
    const d = b.stats().dropped;
    expect(d.rateLimited).toBeGreaterThan(0);
    // Every msg1 read failed (none is genuine); reads are bounded by the global budget.
    expect(d.handshake).toBeGreaterThan(0);
    expect(d.handshake).toBeLessThanOrEqual(64 + 200 * (elapsedS + 1));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../../ts/transports/memory-hub.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { HandshakeError } from '../../ts/errors.js';
import { type Placement, PLACEMENTS, PSK, connectPair } from './helpers.js';

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function make(engine: Placement, hub: MemoryHub, addr: string, extra: object = {}): Promise<MeshNode> {
  const n = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: addr, handshakeTimeoutMs: 300, engine, ...extra });
  nodes.push(n);
  return n;
}

describe.each(PLACEMENTS)('%s engine', (engine) => {
  describe('handshake failures', () => {
    it('rejects with a HandshakeError after the configured attempts when the PSK differs', async () => {
      const hub = new MemoryHub({ seed: 3 });
      const a = await make(engine, hub, '10.0.0.1:1', { handshakeAttempts: 2 });
      const b = await make(engine, hub, '10.0.0.2:1', { psk: 'ff'.repeat(32) });
      b.accept(a.nodeId);
      const t0 = Date.now();
      const err = await a.connect(b.address, { publicKey: b.noisePublicKey, nodeId: b.nodeId }).catch((e) => e);
      expect(err).toBeInstanceOf(HandshakeError);
      expect(err.code).toBe('HANDSHAKE_TIMEOUT');
      expect(err.message).toMatch(/2 attempt/);
      expect(err.message).toMatch(/PSK/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
      expect(b.stats().dropped.handshake).toBeGreaterThanOrEqual(2);
      expect(a.peers()).toEqual([]);
    });

    it('rejects after the timeouts when nobody answers', async () => {
      const hub = new MemoryHub({ seed: 4 });
      const a = await make(engine, hub, '10.0.0.1:1');
      const err = await a.connect('10.0.0.99:1', { publicKey: new Uint8Array(32).fill(9), nodeId: 42n }).catch((e) => e);
      expect(err).toBeInstanceOf(HandshakeError);
      expect(err.code).toBe('HANDSHAKE_TIMEOUT');
      expect(err.message).toMatch(/3 attempt/);
    });

    it('names a key-derivation mismatch', async () => {
      const hub = new MemoryHub({ seed: 5 });
      const a = await make(engine, hub, '10.0.0.1:1', { keyDerivation: 'noise' });
      const b = await make(engine, hub, '10.0.0.2:1', { keyDerivation: 'net-v0.27' });
      const err = await connectPair(a, b).catch((e) => e);
      expect(err).toBeInstanceOf(HandshakeError);
      expect(err.code).toBe('KEY_DERIVATION_MISMATCH');
    });

    it('rejects a pending connect when the node closes', async () => {
      const hub = new MemoryHub({ seed: 6 });
      const a = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.0.0.1:1', engine });
      const p = a.connect('10.0.0.99:1', { publicKey: new Uint8Array(32).fill(9), nodeId: 42n }).catch((e) => e);
      await a.close();
      const err = await p;
      expect(err).toBeInstanceOf(HandshakeError);
    });
  });

  describe('handshake on an impaired link', () => {
    it('a duplicated msg1 does not install a second session', async () => {
      const hub = new MemoryHub({ seed: 8, duplicate: 1 });
      // The default attempt timeout: a retry here would meet the duplicated replies of the first attempt.
      const a = await make(engine, hub, '10.0.0.1:1', { handshakeTimeoutMs: 5000 });
      const b = await make(engine, hub, '10.0.0.2:1', { handshakeTimeoutMs: 5000 });
      await connectPair(a, b);
      const sa = a.openStream(b.nodeId, 1n);
      const got = b.events({ stream: 1n })[Symbol.asyncIterator]();
      await sa.send([new Uint8Array([1, 2, 3])]);
      const e = await got.next();
      expect(e.value.payload).toEqual(new Uint8Array([1, 2, 3]));
      expect(b.stats().dropped.unknownSession).toBe(0);
    });
  });

  describe('connect argument checks', () => {
    it('names a malformed address or peer key', async () => {
      const hub = new MemoryHub({ seed: 10 });
      const a = await make(engine, hub, '10.0.0.1:1');
      const key = new Uint8Array(32);
      await expect(a.connect('no-port', { publicKey: key, nodeId: 1n })).rejects.toThrow(/host:port/);
      await expect(a.connect('10.0.0.2:99999', { publicKey: key, nodeId: 1n })).rejects.toThrow(/port/);
      await expect(a.connect('10.0.0.2:1', { publicKey: new Uint8Array(31), nodeId: 1n })).rejects.toThrow(/publicKey/);
      await expect(a.connect('10.0.0.2:1', { publicKey: key, nodeId: 1 as unknown as bigint })).rejects.toThrow(/nodeId/);
    });
  });
});

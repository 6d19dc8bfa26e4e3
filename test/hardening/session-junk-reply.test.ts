// Issue 9, finding 9, on real UDP: junk HANDSHAKE datagrams from the responder's address (here a
// middlebox that injects one before every msg2) are dropped and counted; connect() keeps waiting
// for the real msg2 and succeeds on its first attempt.
import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { encodeHandshakePacket } from '../../ts/core/packet.js';
import { randomBytes } from '../../ts/identity/bytes.js';
import { PLACEMENTS, PSK } from '../node/helpers.js';
import { UdpProxy, isHandshake } from './udp-proxy.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.each(PLACEMENTS)('junk replies to a connect (%s engine, real UDP)', (engine) => {
  it('are dropped and counted; the real msg2 completes the first attempt', async () => {
    const a = await MeshNode.create({ psk: PSK, engine, handshakeAttempts: 1, handshakeTimeoutMs: 5000 });
    const b = await MeshNode.create({ psk: PSK, engine });
    const proxy = await UdpProxy.start(b.address);
    cleanup.push(() => a.close(), () => b.close(), () => proxy.close());
    let injected = 0;
    proxy.fromServer = (d, inject) => {
      if (isHandshake(d)) {
        // A 48-byte message (msg2's size) that does not authenticate, and a truncated one.
        inject(encodeHandshakePacket(randomBytes(48)));
        inject(encodeHandshakePacket(randomBytes(5)));
        injected += 2;
      }
      return true;
    };
    b.accept(a.nodeId);
    const info = await a.connect(proxy.frontAddress, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
    expect(info.nodeId).toBe(b.nodeId);
    expect(injected).toBe(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.stats().dropped.handshake).toBe(2);
  });
});

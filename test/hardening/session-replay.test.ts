// Issue 9, finding 1, on real UDP: an on-path attacker records msg1s (one it kept from the
// responder, one the responder answered) and replays them from a second socket. The responder
// answers at most the one it never saw, but neither replaces the live session nor moves the
// peer's address: the session's own traffic keeps flowing. Both engines, both key derivations.
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:dgram';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { KEY_DERIVATION_MODES } from '../../ts/session/handshake.js';
import { PLACEMENTS, PSK, until } from '../node/helpers.js';
import { UdpProxy, isHandshake, sendTo, udpSocket } from './udp-proxy.js';
import { reliableTransfer } from './transfer.js';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.each(PLACEMENTS)('a replayed handshake msg1 (%s engine, real UDP)', (engine) => {
  it.each(KEY_DERIVATION_MODES)('never replaces the live session or moves the peer (%s)', async (mode) => {
    const a = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine, handshakeTimeoutMs: 300 });
    const b = await MeshNode.create({ psk: PSK, keyDerivation: mode, engine });
    const proxy = await UdpProxy.start(b.address);
    const attacker: Socket = await udpSocket();
    cleanup.push(() => a.close(), () => b.close(), () => proxy.close(), () => void attacker.close());

    // The first msg1 is kept by the attacker; A's second attempt gets through.
    const recorded: Uint8Array[] = [];
    proxy.fromClient = (d) => {
      if (!isHandshake(d)) return true;
      recorded.push(d.slice());
      return recorded.length > 1;
    };
    b.accept(a.nodeId);
    await a.connect(proxy.frontAddress, { publicKey: b.noisePublicKey, nodeId: b.nodeId });
    expect(recorded).toHaveLength(2);
    const peerOf = () => b.peers().find((p) => p.nodeId === a.nodeId);
    expect(peerOf()?.address).toBe(proxy.backAddress);
    expect((await reliableTransfer(a, b, 1n, 200)).received).toBe(200);

    const replies: Uint8Array[] = [];
    attacker.on('message', (m) => replies.push(new Uint8Array(m)));
    const handshakeDrops = b.stats().dropped.handshake;
    for (const m of recorded) sendTo(attacker, m, b.address);
    // B answers the msg1 it never saw (it cannot know it is old) and drops the one it answered.
    await until(() => replies.length > 0, 10_000, 'a reply to the replays');
    await new Promise((r) => setTimeout(r, 300));
    expect(peerOf()?.address).toBe(proxy.backAddress);
    expect(peerOf()?.health).toBe('healthy');
    expect(replies).toHaveLength(1);
    expect(b.stats().dropped.handshake).toBe(handshakeDrops + 1);
    // The live session still carries a reliable transfer both ways.
    expect(await reliableTransfer(a, b, 2n, 300)).toEqual({ received: 300, failed: false });
    expect(await reliableTransfer(b, a, 3n, 300)).toEqual({ received: 300, failed: false });
    expect(peerOf()?.address).toBe(proxy.backAddress);
  });
});

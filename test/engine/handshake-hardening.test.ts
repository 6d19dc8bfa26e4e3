// Handshakes under attack, on the Engine alone with time passed in (issue 9, findings 1, 2, 9, 10):
// a replayed msg1 never replaces a live session (a new responder session takes over only after a
// packet authenticates under its keys), a restarted or reconnecting initiator takes over at
// once, junk from the responder's address does not end a connect, and msg1 floods are read only
// within per-source and global budgets.
import { describe, expect, it } from 'vitest';
import { Op, PeerKind, writeAccept, writeConnect, writeSubprotocol } from '../../ts/engine/link-format.js';
import { headerFlags, PacketFlags } from '../../ts/core/header.js';
import { encodeHandshakePacket } from '../../ts/core/packet.js';
import { randomBytes } from '../../ts/identity/bytes.js';
import { KEY_DERIVATION_MODES, type KeyDerivationMode } from '../../ts/session/handshake.js';
import type { Datagram } from '../../ts/transports/transport.js';
import { Box, exchange, liveBoxes, shutDownAfterEach } from './box.js';

const ATTACKER = '10.6.6.6:666';
const MEMBERSHIP = 0x0a00;

shutDownAfterEach();

function box(nodeId: bigint, address: string, mode: KeyDerivationMode = 'noise', extra: ConstructorParameters<typeof Box>[2] = {}): Box {
  const b = new Box(nodeId, address, { keyDerivation: mode, handshakeTimeoutMs: 200, ...extra });
  liveBoxes.push(b);
  return b;
}

const isHandshake = (d: Datagram): boolean => (headerFlags(d.data) & PacketFlags.HANDSHAKE) !== 0;

function connect(a: Box, b: Box, reqId = 7): void {
  writeConnect(a.cmd, { reqId, nodeId: b.nodeId, publicKey: b.publicKey, address: b.address });
  a.commands();
}

/** A (node 1) connected to B (node 2), which accepted it. */
function connectedPair(mode: KeyDerivationMode): [Box, Box] {
  const a = box(1n, '10.0.0.1:1', mode);
  const b = box(2n, '10.0.0.2:1', mode);
  writeAccept(b.cmd, a.nodeId);
  b.commands();
  connect(a, b);
  exchange(a, b);
  return [a, b];
}

/** A's membership message reaches B's app side over whatever session B holds for A. */
function reaches(a: Box, b: Box): boolean {
  const before = b.of(Op.SUBPROTOCOL_IN).length;
  writeSubprotocol(a.cmd, b.nodeId, MEMBERSHIP, new Uint8Array([7]));
  a.commands();
  exchange(a, b);
  return b.of(Op.SUBPROTOCOL_IN).length === before + 1;
}

describe.each(KEY_DERIVATION_MODES)('a responder with a live session (%s)', (mode) => {
  it('a replayed msg1 it never answered does not replace the session or move the address', () => {
    const a = box(1n, '10.0.0.1:1', mode);
    const b = box(2n, '10.0.0.2:1', mode);
    writeAccept(b.cmd, a.nodeId);
    b.commands();
    connect(a, b);
    // The first msg1 is captured on the path and never arrives; the retry does.
    const captured = a.out.splice(0).find(isHandshake)!;
    a.advance(200);
    a.advance(100);
    exchange(a, b);
    expect(a.of(Op.CONNECT_RESULT)[0]).toMatchObject({ ok: true });
    const live = b.engine.peer(a.nodeId)!;
    const peerRecords = b.of(Op.PEER).length;

    b.receive([{ data: captured.data, address: ATTACKER }]);
    // B answers (it cannot tell a replay from a new handshake) but keeps the live session.
    expect(b.out.splice(0).filter((d) => d.address === ATTACKER)).toHaveLength(1);
    expect(b.engine.peer(a.nodeId)).toBe(live);
    expect(live.address).toBe(a.address);
    expect(b.of(Op.PEER)).toHaveLength(peerRecords);
    expect(reaches(a, b)).toBe(true);
    // The unconfirmed session is forgotten after a session timeout; nothing changed meanwhile.
    for (let i = 0; i < 5; i++) {
      a.advance(100);
      b.advance(100);
      exchange(a, b);
    }
    expect(b.engine.peer(a.nodeId)).toBe(live);
    expect(b.of(Op.PEER)).toHaveLength(peerRecords);
    expect(reaches(a, b)).toBe(true);
  });

  it('a replay of the msg1 it answered is dropped before any cryptography and counted', () => {
    const a = box(1n, '10.0.0.1:1', mode);
    const b = box(2n, '10.0.0.2:1', mode);
    writeAccept(b.cmd, a.nodeId);
    b.commands();
    connect(a, b);
    const msg1 = a.out.find(isHandshake)!;
    const copy = { data: msg1.data.slice(), address: ATTACKER };
    exchange(a, b);
    const live = b.engine.peer(a.nodeId)!;
    const before = b.lastStats().handshake!;
    b.receive([copy, { ...copy }]);
    expect(b.out.filter((d) => d.address === ATTACKER)).toHaveLength(0);
    expect(b.engine.peer(a.nodeId)).toBe(live);
    expect(b.lastStats().handshake).toBe(before + 2);
    expect(reaches(a, b)).toBe(true);
  });

  it('a genuine reconnect takes over once a packet authenticates under the new keys', () => {
    const [a, b] = connectedPair(mode);
    const old = b.engine.peer(a.nodeId)!;
    connect(a, b, 8);
    b.receive(a.out.splice(0).map((d) => ({ data: d.data, address: a.address })));
    // msg2 is on its way: B still uses the live session.
    expect(b.engine.peer(a.nodeId)).toBe(old);
    a.receive(b.out.splice(0).map((d) => ({ data: d.data, address: b.address })));
    expect(a.of(Op.CONNECT_RESULT)[1]).toMatchObject({ reqId: 8, ok: true });
    // A installed at once and confirms with a heartbeat; B switches on it.
    b.receive(a.out.splice(0).map((d) => ({ data: d.data, address: a.address })));
    const now = b.engine.peer(a.nodeId)!;
    expect(now).not.toBe(old);
    expect(now.sessionId).toBe(a.engine.peer(b.nodeId)!.sessionId);
    expect(b.of(Op.PEER).at(-1)).toMatchObject({ kind: PeerKind.UP, gen: 2, address: a.address });
    expect(reaches(a, b)).toBe(true);
  });

  it('a restarted initiator (same node id, new process and port) replaces the stale session at once', () => {
    const [a, b] = connectedPair(mode);
    const stale = b.engine.peer(a.nodeId)!;
    const a2 = box(1n, '10.0.0.1:2', mode);
    connect(a2, b);
    exchange(a2, b);
    expect(a2.of(Op.CONNECT_RESULT)[0]).toMatchObject({ ok: true });
    const fresh = b.engine.peer(a.nodeId)!;
    expect(fresh).not.toBe(stale);
    expect(fresh.address).toBe(a2.address);
    expect(fresh.detector.health).toBe('healthy');
    expect(reaches(a2, b)).toBe(true);
  });
});

describe('an initiator waiting for msg2', () => {
  it('drops and counts junk from the responder address, then completes with the real msg2', () => {
    const a = box(1n, '10.0.0.1:1');
    const b = box(2n, '10.0.0.2:1');
    writeAccept(b.cmd, a.nodeId);
    b.commands();
    connect(a, b);
    b.receive(a.out.splice(0).map((d) => ({ data: d.data, address: a.address })));
    const junk = [encodeHandshakePacket(randomBytes(48)), encodeHandshakePacket(new Uint8Array(3)), encodeHandshakePacket(randomBytes(200))];
    a.receive(junk.map((data) => ({ data, address: b.address })));
    expect(a.of(Op.CONNECT_RESULT)).toHaveLength(0);
    exchange(a, b);
    expect(a.of(Op.CONNECT_RESULT)).toEqual([expect.objectContaining({ reqId: 7, ok: true })]);
    expect(a.lastStats().handshake).toBe(3);
  });
});

describe('msg1 admission', () => {
  const forged = (): Uint8Array => encodeHandshakePacket(randomBytes(48));

  it('reads at most the per-source burst from one address and counts the rest as rate-limited', () => {
    const a = box(1n, '10.0.0.1:1');
    const b = box(2n, '10.0.0.2:1', 'noise', { handshakeBudget: { perSourceRate: 4, perSourceBurst: 8, globalRate: 200, globalBurst: 64, maxSources: 16 } });
    writeAccept(b.cmd, a.nodeId);
    b.commands();
    b.receive(Array.from({ length: 100 }, () => ({ data: forged(), address: ATTACKER })));
    expect(b.out).toHaveLength(0);
    expect(b.lastStats()).toMatchObject({ handshake: 8, rateLimited: 92 });
    // An honest initiator at another address is still answered.
    connect(a, b);
    exchange(a, b);
    expect(a.of(Op.CONNECT_RESULT)[0]).toMatchObject({ ok: true });
    // The source earns its budget back with time: 4 per second.
    b.advance(1000);
    b.receive(Array.from({ length: 10 }, () => ({ data: forged(), address: ATTACKER })));
    expect(b.lastStats()).toMatchObject({ handshake: 12, rateLimited: 98 });
  });

  it('reads at most the global burst from many addresses; source buckets stay bounded', () => {
    const b = box(2n, '10.0.0.2:1', 'noise', { handshakeBudget: { perSourceRate: 4, perSourceBurst: 8, globalRate: 200, globalBurst: 64, maxSources: 16 } });
    writeAccept(b.cmd, 1n);
    b.commands();
    b.receive(Array.from({ length: 500 }, (_, i) => ({ data: forged(), address: `10.9.${i >> 8}.${i & 255}:1` })));
    expect(b.lastStats()).toMatchObject({ handshake: 64, rateLimited: 436 });
  });

  it('finds the initiator among many accepted node ids (each tried with a hash and a tag check)', () => {
    const a = box(77n, '10.0.0.1:1');
    const b = box(2n, '10.0.0.2:1');
    for (let id = 1000n; id < 1100n; id++) writeAccept(b.cmd, id);
    writeAccept(b.cmd, a.nodeId);
    b.commands();
    connect(a, b);
    exchange(a, b);
    expect(a.of(Op.CONNECT_RESULT)[0]).toMatchObject({ ok: true });
    expect(b.engine.peer(a.nodeId)!.sessionId).toBe(a.engine.peer(b.nodeId)!.sessionId);
  });
});

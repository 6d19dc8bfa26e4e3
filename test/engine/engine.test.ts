// The Engine on its own — no worker, no socket, time passed in: two engines exchange datagrams
// by hand. Handshake and session install through link commands, event delivery as link records,
// heartbeats and the failure detector on the engine's own timers, and the subprotocol dispatch of
// wire.md §8 (ids the substrate owns reach their handler's side, never stream state or events).
import { describe, expect, it } from 'vitest';
import {
  Op,
  beginSend,
  writeAccept,
  writeClaim,
  writeConnect,
  writeOpen,
  writePacket,
  writeSubprotocol,
  PeerKind,
  type WireStreamConfig,
} from '../../ts/engine/link-format.js';
import { Box, exchange, liveBoxes, shutDownAfterEach } from './box.js';

const CONFIG: WireStreamConfig = { reliable: true, scheduled: false, weight: 1, priority: false, windowBytes: 65_536, windowExplicit: false, maxRetries: 3 };


shutDownAfterEach();

function connected(): [Box, Box] {
  const a = new Box(1n, '10.0.0.1:1');
  const b = new Box(2n, '10.0.0.2:1');
  liveBoxes.push(a, b);
  writeAccept(b.cmd, a.nodeId);
  b.commands();
  writeConnect(a.cmd, { reqId: 7, nodeId: b.nodeId, publicKey: b.publicKey, address: b.address });
  a.commands();
  exchange(a, b);
  return [a, b];
}

describe('the engine without a worker', () => {
  it('connects: a session on both sides, PEER up before the connect result', () => {
    const [a, b] = connected();
    expect(a.records.filter((x) => x.op === Op.PEER || x.op === Op.CONNECT_RESULT).map((x) => x.op)).toEqual([Op.PEER, Op.CONNECT_RESULT]);
    expect(a.of(Op.CONNECT_RESULT)[0]).toMatchObject({ reqId: 7, ok: true, nodeId: 2n });
    expect(a.of(Op.PEER)[0]).toMatchObject({ kind: PeerKind.UP, nodeId: 2n, gen: 1 });
    expect(b.of(Op.PEER)[0]).toMatchObject({ kind: PeerKind.UP, nodeId: 1n, address: a.address });
  });

  it('delivers sends as framed link records and grants back', () => {
    const [a, b] = connected();
    writeOpen(a.cmd, { gen: 1, epoch: 1, peer: b.nodeId, stream: 5n, config: CONFIG });
    const events = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([9])];
    const framed = events.reduce((n, e) => n + 4 + e.length, 0);
    const at = beginSend(a.cmd, { gen: 1, epoch: 1, peer: b.nodeId, stream: 5n }, 1, framed);
    a.cmd.dv.setUint32(at.table, framed, true);
    a.cmd.dv.setUint32(at.table + 4, events.length, true);
    let o = at.data;
    for (const e of events) {
      a.cmd.dv.setUint32(o, e.length, true);
      a.cmd.buf.set(e, o + 4);
      o += 4 + e.length;
    }
    a.commands();
    exchange(a, b);
    const [d] = b.of(Op.DELIVER) as { count: number; seq: bigint; frames: Uint8Array }[];
    expect(d).toMatchObject({ count: 3, seq: 0n });
    expect([...d!.frames]).toEqual([3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 1, 0, 0, 0, 9]);
    expect(b.of(Op.STREAM_OPENED)[0]).toMatchObject({ epoch: 0, stream: 5n });
    // B acks within a millisecond (a lone small packet's grant is coalesced): then A has nothing pending.
    expect(a.engine.peer(b.nodeId)!.streams.get(5n)!.state.hasPending()).toBe(true);
    b.advance(1);
    exchange(a, b);
    expect(a.engine.peer(b.nodeId)!.streams.get(5n)!.state.hasPending()).toBe(false);
  });

  it('heartbeats on its own timers; silence makes the peer suspected, then failed', () => {
    const [a, b] = connected();
    for (let i = 0; i < 5; i++) {
      a.advance(100);
      b.advance(100);
      exchange(a, b);
    }
    // A, the initiator, also sent one heartbeat right after msg2 (key confirmation for B).
    expect(a.lastStats()).toMatchObject({ heartbeatsOut: 6, heartbeatsIn: 5 });
    // B goes silent.
    for (let i = 0; i < 10; i++) {
      a.advance(100);
      b.out.splice(0);
      a.out.splice(0);
    }
    expect(a.of(Op.PEER).map((p) => p.kind)).toEqual([PeerKind.UP, PeerKind.SUSPECTED, PeerKind.FAILED]);
  });

  it('substrate-owned subprotocols go to the app side, never to stream state; others are event plane unless claimed', () => {
    const [a, b] = connected();
    // 0x0A00 (membership) and 0x1100 (blob request, RELIABLE with a stream id) are owned.
    writeSubprotocol(a.cmd, b.nodeId, 0x0a00, new Uint8Array([1, 2]));
    writePacket(a.cmd, { peer: b.nodeId, flags: 1, subprotocol: 0x1100, channelHash: 0, streamId: 77n, sequence: 0n, originHash: 0n, events: [new Uint8Array([5])] });
    // 0x0400 is not owned: event plane (a record, a delivery, a grant).
    writeSubprotocol(a.cmd, b.nodeId, 0x0400, new Uint8Array([3]));
    a.commands();
    exchange(a, b);
    expect(b.of(Op.SUBPROTOCOL_IN).map((x) => x.sp)).toEqual([0x0a00, 0x1100]);
    expect(b.of(Op.DELIVER).length).toBe(1);
    expect(b.of(Op.STREAM_OPENED).map((x) => x.stream)).toEqual([0x0400n]);
    expect(b.engine.peer(a.nodeId)!.streams.has(77n)).toBe(false);
    // Claimed, 0x0400 reaches the app side as subprotocol frames instead.
    writeClaim(b.cmd, 0x0400, true);
    b.commands();
    writeSubprotocol(a.cmd, b.nodeId, 0x0400, new Uint8Array([4]));
    a.commands();
    exchange(a, b);
    expect(b.of(Op.SUBPROTOCOL_IN).map((x) => x.sp)).toEqual([0x0a00, 0x1100, 0x0400]);
    expect(b.of(Op.DELIVER).length).toBe(1);
  });

  it('drops junk and other datagram classes with counts, and a HANDSHAKE with a bad length', () => {
    const [a, b] = connected();
    const keepAlive = new Uint8Array(14);
    keepAlive.set([0x50, 0x48]);
    b.receive([
      { data: keepAlive, address: 'x:1' },
      { data: new Uint8Array([1, 2, 3]), address: 'x:1' },
    ]);
    // A NAT keep-alive is its own class (wire.md §17): consumed, never a drop.
    expect(b.lastStats()).toMatchObject({ keepalivesIn: 1, unsupported: 0, malformed: 1 });
    expect(a.lastStats()).toMatchObject({ malformed: 0 });
  });
});

// Issue 9 findings 6 and 11: a peer's control frames touch only its own streams, the public API
// cannot send the substrate's reserved subprotocol ids, and a received event's payload owns its
// bytes (its buffer shows no other event's, stream's or peer's plaintext).
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, StreamResetError } from '../../ts/errors.js';
import type { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { hostOf } from '../../ts/node/host.js';
import { classifyDatagram, DatagramClass, headerFlags, PacketFlags } from '../../ts/core/header.js';
import { encodeStreamReset } from '../../ts/streams/control-frames.js';
import { SUBSTRATE_SUBPROTOCOLS } from '../../ts/engine/subprotocols.js';
import { PLACEMENTS, patterned, until } from '../node/helpers.js';
import { hubMeshes, star } from './mesh.js';

const RESET = 0x0b02;

describe.each(PLACEMENTS)('%s engine', (engine) => {
  const meshes = hubMeshes(engine);
  let hub: MemoryHub | undefined;

  async function mesh(seed: number): Promise<[MeshNode, MeshNode, MeshNode]> {
    const m = await meshes(seed, 3);
    hub = m.hub;
    await star(m.nodes, 1);
    return m.nodes as [MeshNode, MeshNode, MeshNode];
  }

  it('a StreamReset from one peer never fails readers of another peer\'s stream with the same id', async () => {
    const [a, b, c] = await mesh(901);
    const anyPeer = b.events({ stream: 5n })[Symbol.asyncIterator]();
    const fromA = b.events({ stream: 5n, from: a.nodeId })[Symbol.asyncIterator]();
    const s = a.openStream(b.nodeId, 5n, { reliability: 'reliable' });
    await s.send([patterned(1, 40)]);
    expect((await anyPeer.next()).value?.payload).toEqual(patterned(1, 40));
    expect((await fromA.next()).value?.payload).toEqual(patterned(1, 40));
    // C, authenticated but never a sender on stream 5, resets it (through the internal host: the
    // public API refuses the id, see below).
    for (let i = 0; i < 3; i++) hostOf(c).sendSubprotocol(b.nodeId, RESET, encodeStreamReset(5n));
    await until(() => (hub?.stats().inFlight ?? 0) === 0, 5_000, 'the resets to land');
    await new Promise((r) => setTimeout(r, 60));
    // Both readers still work and A's stream is alive.
    await s.send([patterned(2, 40)]);
    expect((await anyPeer.next()).value?.payload).toEqual(patterned(2, 40));
    expect((await fromA.next()).value?.payload).toEqual(patterned(2, 40));
    expect(s.failed).toBe(false);
    expect(s.stats().closed).toBe(false);

    // C resetting a stream C did use fails the readers of (C, 6) and nobody else's.
    const cs = c.openStream(b.nodeId, 6n, { reliability: 'reliable' });
    const as6 = a.openStream(b.nodeId, 6n, { reliability: 'reliable' });
    const fromC6 = b.events({ stream: 6n, from: c.nodeId })[Symbol.asyncIterator]();
    const fromA6 = b.events({ stream: 6n, from: a.nodeId })[Symbol.asyncIterator]();
    await cs.send([patterned(3, 10)]);
    await as6.send([patterned(4, 10)]);
    expect((await fromC6.next()).value?.payload).toEqual(patterned(3, 10));
    expect((await fromA6.next()).value?.payload).toEqual(patterned(4, 10));
    const pendingC = fromC6.next().then(
      () => 'resolved',
      (e: unknown) => e,
    );
    hostOf(c).sendSubprotocol(b.nodeId, RESET, encodeStreamReset(6n));
    expect(await pendingC).toBeInstanceOf(StreamResetError);
    await as6.send([patterned(5, 10)]);
    expect((await fromA6.next()).value?.payload).toEqual(patterned(5, 10));
    await anyPeer.return?.();
    await fromA.return?.();
    await fromA6.return?.();
  });

  it('sendSubprotocol refuses the reserved ids with INVALID_ARGUMENT and sends nothing', async () => {
    const [a, b] = await mesh(902);
    const reserved = [0x0b00, 0x0b01, 0x0b02, 0x0c00, ...SUBSTRATE_SUBPROTOCOLS];
    // Heartbeats and pingwaves keep flowing; anything else a sends would be one of these.
    let sent = 0;
    const untap = hub!.tap((d, from) => {
      if (from === a.address && classifyDatagram(d.data) === DatagramClass.DIRECT && !(headerFlags(d.data) & PacketFlags.HEARTBEAT)) sent++;
    });
    for (const id of reserved) {
      let err: unknown;
      try {
        a.sendSubprotocol(b.nodeId, id, encodeStreamReset(1n));
      } catch (e) {
        err = e;
      }
      expect(err, `id 0x${id.toString(16)}`).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(/subprotocolId/);
    }
    await new Promise((r) => setTimeout(r, 30));
    untap();
    expect(sent).toBe(0);
    // An unreserved id still goes out (it reaches events() like the event plane, wire.md §8).
    const reader = b.events({ from: a.nodeId })[Symbol.asyncIterator]();
    a.sendSubprotocol(b.nodeId, 0x0400, patterned(9, 12));
    expect((await reader.next()).value?.payload).toEqual(patterned(9, 12));
    await reader.return?.();
  });

  it('a tiny event\'s payload buffer holds only that event (finding 11)', async () => {
    const [a, b, c] = await mesh(903);
    const reader = b.events()[Symbol.asyncIterator]();
    const big = a.openStream(b.nodeId, 7n);
    const tiny = c.openStream(b.nodeId, 8n);
    // A batch mixing peers and streams: a large secret beside a one-byte event.
    const secret = new Uint8Array(4000).fill(0xee);
    await Promise.all([big.send([secret, secret]), tiny.send([new Uint8Array([1]), new Uint8Array([2, 3])])]);
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await reader.next()).value!);
    for (const e of got) {
      expect(e.payload.byteOffset).toBe(0);
      expect(e.payload.buffer.byteLength).toBe(e.payload.byteLength);
      if (e.streamId === 8n) expect(new Uint8Array(e.payload.buffer)).not.toContain(0xee);
    }
    expect(got.filter((e) => e.streamId === 8n).map((e) => [...e.payload])).toEqual([[1], [2, 3]]);
    await reader.return?.();
  });
});

// A 64 MiB reliable transfer over real UDP on 127.0.0.1: byte for byte, every event once, and
// nothing retransmitted spuriously: retransmits ≤ 1% of packets plus the datagrams the kernel
// dropped meanwhile (a receiver that falls behind on a loaded machine loses some for real; on a
// quiet one that allowance is 0).
import { afterEach, describe, expect, it } from 'vitest';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { PLACEMENTS, PSK, connectPair } from '../node/helpers.js';
import { collect, reliable, sendTransfer } from './transfer-helpers.js';
import { kernelUdpRcvbufErrors } from './kernel-udp-drops.js';

const EVENT = 8000;
const COUNT = 8389; // 8389 × 8000 B = 67,112,000 B ≥ 64 MiB

let nodes: MeshNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe.each(PLACEMENTS)('reliable stream over UDP on 127.0.0.1 (%s engine)', (engine) => {
  it.each([
    // 1 MiB of credit: 128 packets in flight, well inside the 4 MiB socket buffers.
    ['a 1 MiB window', 1 << 20],
    // Default options: the window starts at 64 KiB and grows with the measured bandwidth-delay product.
    ['the default window', undefined],
  ] as const)('moves 64 MiB byte for byte with retransmits ≤ 1% of packets + kernel drops (%s)', async (_label, windowBytes) => {
    const a = await MeshNode.create({ psk: PSK, engine });
    const b = await MeshNode.create({ psk: PSK, engine });
    nodes = [a, b];
    await connectPair(a, b);
    const s = a.openStream(b.nodeId, 64n, reliable(windowBytes === undefined ? {} : { windowBytes }));
    const rx = collect(b, a.nodeId, 64n, COUNT, EVENT);
    const dropsBefore = kernelUdpRcvbufErrors();
    const t0 = performance.now();
    await sendTransfer(s, COUNT, EVENT, 32);
    await s.closeGraceful(30_000);
    await rx.done;
    const ms = performance.now() - t0;
    rx.stop();
    const drops = kernelUdpRcvbufErrors() - dropsBefore;
    const st = s.stats();
    console.log(`64 MiB over UDP (${engine}, ${_label}): ${ms.toFixed(0)} ms (${((COUNT * EVENT) / 1e3 / ms).toFixed(0)} MB/s), retransmits ${st.retransmits} (kernel drops ${drops}), window ${st.txWindow}, rto ${st.rtoMs.toFixed(1)} ms`);
    expect({ events: rx.events, bytes: rx.bytes, duplicates: rx.duplicates, corrupt: rx.corrupt }).toEqual({ events: COUNT, bytes: COUNT * EVENT, duplicates: 0, corrupt: 0 });
    expect(st).toMatchObject({ failed: false, pending: 0, sent: COUNT, acked: COUNT, probesSent: 0 });
    expect(st.retransmits).toBeLessThanOrEqual(COUNT / 100 + drops);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoreWorker, type CoreWorker } from '../../ts/core/worker-host.js';
import { PacketSession } from '../../ts/core/session.js';
import { PackWriter, Status, packDatagrams, readOpenResponse, readSealResponse, writeSealRecord } from '../../ts/core/batch-format.js';

let worker: CoreWorker;
beforeAll(async () => {
  worker = await startCoreWorker();
});
afterAll(async () => {
  await worker.terminate();
});

const k1 = new Uint8Array(32).fill(0x11);
const k2 = new Uint8Array(32).fill(0x22);

function event(i: number, len: number): Uint8Array {
  return Uint8Array.from({ length: len }, (_, k) => (i * 7 + k) & 0xff);
}

describe('core worker batch API', () => {
  it('seals N packets in one call that open on the main thread, and opens N in one call', async () => {
    await worker.api.addSession(1, 0x1234n, k1, k2);
    const w = new PackWriter();
    const n = 300;
    for (let i = 0; i < n; i++) {
      writeSealRecord(w, 1, { flags: 1, subprotocol: 0, channelHash: 0, streamId: 9n, sequence: BigInt(i), originHash: 0n }, [event(i, 1 + (i % 900)), event(i + 1, 3)]);
    }
    const sealed = readSealResponse(await worker.api.sealBatch(w.finish()));
    expect(sealed).toHaveLength(n);
    expect(sealed.every((s) => s.status === Status.OK)).toBe(true);

    // The peer's view: rx key k1.
    const peer = new PacketSession({ txKey: k2, rxKey: k1, sessionId: 0x1234n });
    sealed.forEach((s, i) => {
      const o = peer.open(s.datagram.slice());
      expect(o.header.sequence).toBe(BigInt(i));
      expect(o.events[0]).toEqual(event(i, 1 + (i % 900)));
    });

    // The reverse direction: the peer seals, the worker opens the whole batch at once.
    const datagrams = Array.from({ length: n }, (_, i) => peer.seal({ streamId: 3n, sequence: BigInt(i) }, [event(i, 50)]));
    datagrams.push(datagrams[5]!.slice()); // a replay
    const bad = datagrams[7]!.slice();
    bad[100]! ^= 1;
    datagrams.push(bad); // tampered (its counter was already admitted, but auth fails first)
    datagrams.push(new Uint8Array(10)); // too short
    const opened = readOpenResponse(await worker.api.openBatch(packDatagrams(datagrams)));
    expect(opened).toHaveLength(n + 3);
    for (let i = 0; i < n; i++) {
      expect(opened[i]!.status).toBe(Status.OK);
      expect(opened[i]!.localSession).toBe(1);
      expect(opened[i]!.events[0]).toEqual(event(i, 50));
    }
    expect(opened[n]!.status).toBe(Status.REPLAY);
    expect(opened[n + 1]!.status).toBe(Status.AUTH);
    expect(opened[n + 2]!.status).toBe(Status.MALFORMED);
    peer.dispose();
    await worker.api.removeSession(1);
  });

  it('reports unknown sessions per packet', async () => {
    const w = new PackWriter();
    writeSealRecord(w, 77, { flags: 0, subprotocol: 0, channelHash: 0, streamId: 1n, sequence: 0n, originHash: 0n }, [new Uint8Array(4)]);
    const sealed = readSealResponse(await worker.api.sealBatch(w.finish()));
    expect(sealed[0]!.status).toBe(Status.UNKNOWN_SESSION);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeFrame, encodePrefix, RecordReader } from '../../ts/relay/framing.js';
import { PacketWriter } from '../../ts/relay/packet-writer.js';
import { parseIpAddress } from '../../ts/transports/address.js';

/** A WritableStream that records chunks; `hold` keeps every write pending until release(). */
function sink(hold = false) {
  const chunks: Uint8Array[] = [];
  const waiting: (() => void)[] = [];
  let fail: Error | undefined;
  const stream = new WritableStream<Uint8Array>(
    {
      write(chunk) {
        if (fail) throw fail;
        chunks.push(chunk);
        if (hold) return new Promise<void>((r) => waiting.push(r));
      },
    },
    { highWaterMark: 1 << 30 },
  );
  return {
    writer: stream.getWriter(),
    chunks,
    release: () => waiting.splice(0).forEach((r) => r()),
    failNext: (e: Error) => (fail = e),
  };
}

const prefix = encodePrefix(parseIpAddress('198.51.100.9:7000'));
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('PacketWriter', () => {
  it('sends what fits maxDatagram as datagrams and the rest as records in one stream write', async () => {
    const dg = sink();
    const st = sink();
    const w = new PacketWriter(dg.writer, st.writer, { maxQueuedDatagrams: 10, maxQueuedStreamBytes: 1 << 20 }, () => undefined);
    expect(w.add(prefix, new Uint8Array(1193), 1200)).toBe('datagram'); // 7 + 1193 = 1200
    expect(w.add(prefix, new Uint8Array(1194), 1200)).toBe('stream');
    expect(w.add(prefix, new Uint8Array(8210), 1200)).toBe('stream');
    w.flush();
    await tick();
    expect(dg.chunks.map((c) => c.length)).toEqual([1200]);
    expect(decodeFrame(dg.chunks[0]!).address).toBe('198.51.100.9:7000');
    expect(st.chunks.length).toBe(1);
    const frames = new RecordReader().push(st.chunks[0]!);
    expect(frames.map((f) => decodeFrame(f).packet.length)).toEqual([1194, 8210]);
  });

  it('refuses packets when a queue is full instead of buffering them', async () => {
    const dg = sink(true);
    const st = sink(true);
    const w = new PacketWriter(dg.writer, st.writer, { maxQueuedDatagrams: 2, maxQueuedStreamBytes: 10_000 }, () => undefined);
    expect([w.add(prefix, new Uint8Array(10), 100), w.add(prefix, new Uint8Array(10), 100), w.add(prefix, new Uint8Array(10), 100)]).toEqual([
      'datagram',
      'datagram',
      'full',
    ]);
    expect(w.add(prefix, new Uint8Array(6000), 100)).toBe('stream');
    expect(w.add(prefix, new Uint8Array(6000), 100)).toBe('full'); // 2 × 6011 > 10,000 even before the flush
    w.flush();
    await tick();
    expect(w.add(prefix, new Uint8Array(4000), 100)).toBe('full'); // the first record is still queued
    dg.release();
    st.release();
    await tick();
    expect(w.add(prefix, new Uint8Array(10), 100)).toBe('datagram');
    expect(w.add(prefix, new Uint8Array(6000), 100)).toBe('stream');
  });

  it('reports how many packets a failed write carried', async () => {
    const dg = sink();
    const st = sink();
    const failed: number[] = [];
    const w = new PacketWriter(dg.writer, st.writer, { maxQueuedDatagrams: 10, maxQueuedStreamBytes: 1 << 20 }, (n) => failed.push(n));
    st.failNext(new Error('stream reset'));
    w.add(prefix, new Uint8Array(2000), 1200);
    w.add(prefix, new Uint8Array(3000), 1200);
    w.add(prefix, new Uint8Array(4000), 1200);
    w.flush();
    await tick();
    await tick();
    expect(failed).toEqual([3]);
  });
});

import { describe, expect, it } from 'vitest';
import { ReceiveBatcher } from '../../ts/transports/receive-batcher.js';
import { SerialSender } from '../../ts/transports/serial-sender.js';
import { emptyStats, type Datagram } from '../../ts/transports/transport.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('ReceiveBatcher', () => {
  it('delivers everything pushed in one turn as one batch', async () => {
    const st = emptyStats();
    const b = new ReceiveBatcher(st);
    const batches: Datagram[][] = [];
    b.setHandler((x) => batches.push(x));
    b.push(new Uint8Array(2), 'a:1');
    b.push(new Uint8Array(3), 'b:1');
    expect(batches).toEqual([]);
    await turn();
    b.push(new Uint8Array(1), 'c:1');
    await turn();
    expect(batches.map((x) => x.map((d) => d.address))).toEqual([['a:1', 'b:1'], ['c:1']]);
    expect(st).toMatchObject({ datagramsIn: 3, bytesIn: 6, dropped: 0 });
  });

  it('counts datagrams without a handler, and after close, as dropped', async () => {
    const st = emptyStats();
    const b = new ReceiveBatcher(st);
    b.push(new Uint8Array(1), 'a:1');
    await turn();
    expect(st.dropped).toBe(1);
    const seen: Datagram[][] = [];
    b.setHandler((x) => seen.push(x));
    b.push(new Uint8Array(1), 'a:1');
    b.close();
    b.push(new Uint8Array(1), 'a:1');
    await turn();
    expect(seen).toEqual([]);
    expect(st).toMatchObject({ datagramsIn: 3, dropped: 3 });
  });
});

describe('SerialSender', () => {
  it('sends one at a time, in order, across async completions', async () => {
    const order: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const s = new SerialSender<number>((data, dest, done) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      order.push(dest);
      setImmediate(() => {
        inFlight--;
        done(dest === 3 ? new Error('boom') : undefined);
      });
    }, (e) => errors.push(String(e)));
    const errors: string[] = [];
    for (let i = 0; i < 6; i++) s.push(new Uint8Array(1), i);
    while (s.queued > 0 || inFlight > 0) await turn();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(maxInFlight).toBe(1);
    expect(errors).toEqual(['Error: boom']);
  });

  it('handles synchronous completion and throws without recursion', () => {
    let n = 0;
    const errors: unknown[] = [];
    const s = new SerialSender<number>((_d, dest, done) => {
      n++;
      if (dest % 2) throw new Error('sync failure');
      done();
    }, (e) => errors.push(e), 200_000);
    for (let i = 0; i < 20_000; i++) s.push(new Uint8Array(0), i);
    expect(n).toBe(20_000);
    expect(errors.length).toBe(10_000);
    expect(s.queued).toBe(0);
  });

  it('refuses past its queue limit and reports what close() discards', () => {
    const errors: unknown[] = [];
    const s = new SerialSender<number>(() => undefined /* never completes */, (e) => errors.push(e), 3);
    const accepted = [0, 1, 2, 3, 4].map((i) => s.push(new Uint8Array(0), i));
    // The first is in flight, so three more fit in the queue.
    expect(accepted).toEqual([true, true, true, true, false]);
    s.close();
    expect(errors.length).toBe(3);
    expect(s.push(new Uint8Array(0), 9)).toBe(false);
  });
});

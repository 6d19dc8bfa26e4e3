// FairScheduler against streams.md §12–§13 and the router.rs expectations of §15.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../ts/errors.js';
import { FairScheduler } from '../../ts/streams/fair-scheduler.js';

interface Pkt {
  stream: bigint;
  n: number;
  dest?: string;
}

function drainAll<P>(s: FairScheduler<P>): P[] {
  const out: P[] = [];
  for (let p = s.dequeue(); p !== undefined; p = s.dequeue()) out.push(p);
  return out;
}

describe('FairScheduler (router.rs cases)', () => {
  it('quantum 2, three streams × 4 packets → 4/4/4, round robin by creation order', () => {
    const s = new FairScheduler<Pkt>({ quantum: 2 });
    for (const stream of [1n, 2n, 3n]) for (let n = 0; n < 4; n++) expect(s.enqueue(stream, { stream, n })).toBe(true);
    const out = drainAll(s);
    expect(out.length).toBe(12);
    for (const stream of [1n, 2n, 3n]) expect(out.filter((p) => p.stream === stream).length).toBe(4);
    // Each stream's packets stay in FIFO order.
    for (const stream of [1n, 2n, 3n]) expect(out.filter((p) => p.stream === stream).map((p) => p.n)).toEqual([0, 1, 2, 3]);
    expect(out.slice(0, 3).map((p) => p.stream)).toEqual([1n, 2n, 3n]);
  });

  it('quantum 1, weights 1 and 4: weight 4 ships ≥ 4 of the first 5', () => {
    const s = new FairScheduler<Pkt>({ quantum: 1 });
    s.setWeight(1n, 1);
    s.setWeight(2n, 4);
    for (let n = 0; n < 8; n++) {
      s.enqueue(1n, { stream: 1n, n });
      s.enqueue(2n, { stream: 2n, n });
    }
    const first5 = Array.from({ length: 5 }, () => s.dequeue()!);
    expect(first5.filter((p) => p.stream === 2n).length).toBeGreaterThanOrEqual(4);
    expect(first5.filter((p) => p.stream === 1n).length).toBeLessThanOrEqual(1);
  });

  it('quantum 1, 260 bulk then 4 interactive at equal weight: the last interactive leaves by index 8', () => {
    const s = new FairScheduler<Pkt>({ quantum: 1 });
    for (let n = 0; n < 260; n++) s.enqueue(1n, { stream: 1n, n });
    for (let n = 0; n < 4; n++) s.enqueue(2n, { stream: 2n, n });
    let lastInteractive = -1;
    for (let i = 0; i < 264; i++) if (s.dequeue()!.stream === 2n) lastInteractive = i;
    expect(lastInteractive).toBeLessThanOrEqual(8);
  });

  it('empty polls leave the cursor unchanged; pops advance it', () => {
    const s = new FairScheduler<Pkt>();
    s.enqueue(1n, { stream: 1n, n: 0 });
    s.dequeue();
    const c0 = s.cursor;
    for (let i = 0; i < 1000; i++) expect(s.dequeue()).toBeUndefined();
    expect(s.cursor).toBe(c0);
    for (let n = 0; n < 5; n++) s.enqueue(7n, { stream: 7n, n });
    for (let i = 0; i < 5; i++) s.dequeue();
    expect(s.cursor).toBe(c0 + 5);
  });
});

describe('FairScheduler (§12 rules)', () => {
  it('priority lane first, never changing the round robin', () => {
    const s = new FairScheduler<Pkt>();
    s.enqueue(1n, { stream: 1n, n: 0 });
    s.enqueue(9n, { stream: 9n, n: 100 }, true);
    s.enqueue(9n, { stream: 9n, n: 101 }, true);
    expect(s.dequeue()!.n).toBe(100);
    expect(s.dequeue()!.n).toBe(101);
    expect(s.cursor).toBe(0);
    expect(s.dequeue()!.n).toBe(0);
    expect(s.streamCount).toBe(1); // the priority lane creates no stream queue
  });

  it('bounds every queue at max_queue_depth and counts drops', () => {
    const s = new FairScheduler<Pkt>({ maxQueueDepth: 3 });
    for (let n = 0; n < 5; n++) s.enqueue(1n, { stream: 1n, n });
    for (let n = 0; n < 4; n++) s.enqueue(2n, { stream: 2n, n }, true);
    expect(s.totalQueued).toBe(6);
    expect(s.totalDropped).toBe(3);
    expect(s.currentDepth).toBe(6);
    expect(s.hasRoom(1n)).toBe(false);
    expect(s.hasRoom(5n, 3)).toBe(true);
    expect(s.hasRoom(5n, 4)).toBe(false);
    expect(s.hasRoom(0n, 1, true)).toBe(false);
    s.dequeue();
    expect(s.currentDepth).toBe(5);
    expect(s.hasRoom(0n, 1, true)).toBe(true);
  });

  it('default quantum 16 × weight per round', () => {
    const s = new FairScheduler<Pkt>();
    s.setWeight(2n, 2);
    for (let n = 0; n < 100; n++) {
      s.enqueue(1n, { stream: 1n, n });
      s.enqueue(2n, { stream: 2n, n });
    }
    const first48 = Array.from({ length: 48 }, () => s.dequeue()!);
    expect(first48.filter((p) => p.stream === 1n).length).toBe(16);
    expect(first48.filter((p) => p.stream === 2n).length).toBe(32);
  });

  it('setWeight takes effect from the next dequeue; weight 0 is stored as 1', () => {
    const s = new FairScheduler<Pkt>({ quantum: 1 });
    for (let n = 0; n < 20; n++) {
      s.enqueue(1n, { stream: 1n, n });
      s.enqueue(2n, { stream: 2n, n });
    }
    s.setWeight(2n, 0);
    expect(s.weightOf(2n)).toBe(1);
    const a = Array.from({ length: 4 }, () => s.dequeue()!.stream);
    expect(a.filter((x) => x === 2n).length).toBe(2);
    s.setWeight(2n, 3);
    const b = Array.from({ length: 8 }, () => s.dequeue()!.stream);
    expect(b.filter((x) => x === 2n).length).toBe(6);
    expect(() => s.setWeight(2n, 256)).toThrow(InvalidArgumentError);
    expect(() => s.setWeight(2n, 1.5)).toThrow(InvalidArgumentError);
  });

  it('new streams join at the next round in creation order', () => {
    const s = new FairScheduler<Pkt>({ quantum: 1 });
    s.enqueue(1n, { stream: 1n, n: 0 });
    s.enqueue(1n, { stream: 1n, n: 1 });
    expect(s.dequeue()!.stream).toBe(1n);
    s.enqueue(2n, { stream: 2n, n: 0 });
    // Stream 1 used its quota; stream 2 (created later) is next, then a new round serves 1.
    expect(s.dequeue()!.stream).toBe(2n);
    expect(s.dequeue()!.stream).toBe(1n);
    expect(s.dequeue()).toBeUndefined();
  });

  it('cleanup every 1024th dequeue removes empty queues but keeps weights', () => {
    const s = new FairScheduler<Pkt>({ quantum: 1 });
    s.setWeight(5n, 4);
    s.enqueue(5n, { stream: 5n, n: 0 });
    s.enqueue(6n, { stream: 6n, n: 0 });
    expect(s.streamCount).toBe(2);
    drainAll(s);
    for (let i = 0; i < 1024; i++) s.dequeue();
    expect(s.streamCount).toBe(0);
    expect(s.weightOf(5n)).toBe(4);
    // The re-created queue gets the kept weight: 4 of the first 5 go to stream 5.
    for (let n = 0; n < 8; n++) {
      s.enqueue(6n, { stream: 6n, n });
      s.enqueue(5n, { stream: 5n, n });
    }
    const first5 = Array.from({ length: 5 }, () => s.dequeue()!.stream);
    expect(first5.filter((x) => x === 5n).length).toBe(4);
    s.forgetStream(5n);
    expect(s.weightOf(5n)).toBe(1);
  });
});

describe('drainBatch (§13)', () => {
  it('a lone packet is the fast path', () => {
    const s = new FairScheduler<Pkt, string>({ destinationOf: (p) => p.dest! });
    s.enqueue(1n, { stream: 1n, n: 0, dest: 'a' });
    expect(s.drainBatch()).toEqual([{ destination: 'a', packets: [{ stream: 1n, n: 0, dest: 'a' }] }]);
    expect(s.drainBatch()).toEqual([]);
  });

  it('drains at most 64 and groups by destination, keeping per-destination order', () => {
    const s = new FairScheduler<Pkt, string>({ quantum: 1, destinationOf: (p) => p.dest! });
    for (let n = 0; n < 50; n++) {
      s.enqueue(1n, { stream: 1n, n, dest: 'a' });
      s.enqueue(2n, { stream: 2n, n, dest: n % 2 ? 'b' : 'a' });
    }
    const groups = s.drainBatch();
    expect(groups.map((g) => g.destination)).toEqual(['a', 'b']);
    const total = groups.reduce((k, g) => k + g.packets.length, 0);
    expect(total).toBe(64);
    expect(s.currentDepth).toBe(36);
    // Within each destination the packets appear in dequeue order: per stream, ascending n.
    for (const g of groups) {
      for (const stream of [1n, 2n]) {
        const ns = g.packets.filter((p) => p.stream === stream).map((p) => p.n);
        expect(ns).toEqual([...ns].sort((x, y) => x - y));
      }
    }
    const rest = s.drainBatch(100);
    expect(rest.reduce((k, g) => k + g.packets.length, 0)).toBe(36);
    expect(s.currentDepth).toBe(0);
  });

  it('the loss hook drops every n-th dequeued packet', () => {
    const s = new FairScheduler<Pkt, string>({ destinationOf: () => 'x' });
    s.testDropEveryN = 3;
    for (let n = 0; n < 9; n++) s.enqueue(1n, { stream: 1n, n });
    const got = s.drainBatch()[0]!.packets.map((p) => p.n);
    expect(got).toEqual([0, 1, 3, 4, 6, 7]);
  });
});

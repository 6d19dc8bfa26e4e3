// The FairScheduler in a running node (streams.md §12, §13): scheduled streams share the send
// loop by weight, setWeight applies to originating sends, and the priority lane overtakes a full
// queue. Measured on the receiving node, in bytes, while both transfers are active.
import { describe, expect, it } from 'vitest';
import { collectMany, reliable, sendTransfer, transferEvent, hubPairs } from './transfer-helpers.js';
import { PLACEMENTS } from '../node/helpers.js';

const EVENT = 8000;
const MIB8 = 1024; // 1024 × 8000 B = 8,192,000 B

/** Scheduled reliable streams with a large credit window. */
const bulk = (weight = 1) => reliable({ scheduled: true, weight, windowBytes: 4 << 20 });
/**
 * Scheduled streams limited by nothing but the scheduler: no cwnd (unreliable; the hub is
 * loss-free) and credit for the whole transfer, so both queues stay full and the weights alone
 * decide who leaves.
 */
const queueBound = (weight = 1) => ({ scheduled: true, weight, windowBytes: 16 << 20 });

describe.each(PLACEMENTS)('%s engine', (engine) => {
  const pair = hubPairs(engine);

  describe('weighted round robin between two scheduled transfers', () => {
    it('weights 1:1: two 8 MiB transfers finish within 10% of each other', async () => {
      const { a, b } = await pair(31);
      const s1 = a.openStream(b.nodeId, 101n, bulk());
      const s2 = a.openStream(b.nodeId, 102n, bulk());
      let otherAtFirstFinish = -1;
      const [r1, r2] = collectMany(b, a.nodeId, [101n, 102n], MIB8, EVENT, (stream, _i, c) => {
        if (c.events === MIB8 && otherAtFirstFinish < 0) otherAtFirstFinish = (stream === 101n ? r2! : r1!).bytes;
      });
      await Promise.all([sendTransfer(s1, MIB8, EVENT, 64), sendTransfer(s2, MIB8, EVENT, 64)]);
      await Promise.all([r1!.done, r2!.done]);
      r1!.stop();
      expect([r1!.duplicates, r2!.duplicates, r1!.corrupt, r2!.corrupt]).toEqual([0, 0, 0, 0]);
      // When the first transfer completed, the other had at least 90% of its bytes.
      expect(otherAtFirstFinish).toBeGreaterThanOrEqual(0.9 * MIB8 * EVENT);
    });

    it('weights 4:1 (one set by setWeight): the heavier gets 3–5× the bytes while both are active', async () => {
      const { a, b } = await pair(32);
      const heavy = a.openStream(b.nodeId, 201n, queueBound(1));
      heavy.setWeight(4);
      const light = a.openStream(b.nodeId, 202n, queueBound(1));
      let lightAtHeavyFinish = -1;
      const [rh, rl] = collectMany(b, a.nodeId, [201n, 202n], MIB8, EVENT, (stream, _i, c) => {
        if (stream === 201n && c.events === MIB8) lightAtHeavyFinish = rl!.bytes;
      });
      await Promise.all([sendTransfer(heavy, MIB8, EVENT, 64), sendTransfer(light, MIB8, EVENT, 64)]);
      await Promise.all([rh!.done, rl!.done]);
      rh!.stop();
      expect([rh!.duplicates, rl!.duplicates, rh!.corrupt, rl!.corrupt]).toEqual([0, 0, 0, 0]);
      expect(lightAtHeavyFinish).toBeGreaterThan(0);
      const ratio = (MIB8 * EVENT) / lightAtHeavyFinish;
      expect(ratio).toBeGreaterThanOrEqual(3);
      expect(ratio).toBeLessThanOrEqual(5);
    });
  });

  describe('priority lane', () => {
    it('a priority packet overtakes a full stream queue; the full queue refuses more', async () => {
      const { a, b } = await pair(33);
      // No credit limit: the bulk stream can fill its whole queue (1024 packets) in one call.
      const bulkStream = a.openStream(b.nodeId, 301n, { scheduled: true, windowBytes: 0 });
      const urgent = a.openStream(b.nodeId, 302n, { scheduled: true, priority: true });
      const order: bigint[] = [];
      const all = (async () => {
        for await (const e of b.events({ from: a.nodeId })) {
          order.push(e.streamId);
          if (order.length === 1025) break;
        }
      })();
      const events = Array.from({ length: 1024 }, (_, i) => transferEvent(i, EVENT));
      expect(bulkStream.trySend(events)).toBe(true);
      // The queue is full: all or nothing refuses, nothing is dropped silently.
      expect(bulkStream.trySend([transferEvent(1024, EVENT)])).toBe(false);
      expect(urgent.trySend([transferEvent(0, 100)])).toBe(true);
      await all;
      const at = order.indexOf(302n);
      expect(at).toBeGreaterThanOrEqual(0);
      // Sent last, it left first: at most one drain batch (64) of bulk packets can precede it.
      expect(at).toBeLessThan(64);
      expect(order.filter((s) => s === 301n).length).toBe(1024);
    });
  });
});

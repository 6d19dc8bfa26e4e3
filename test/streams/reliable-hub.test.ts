// Reliable streams between two MeshNodes on the memory hub (streams.md §4–§10, §14 (a)–(c)):
// large transfers under loss, duplication and reordering complete byte for byte with every event
// delivered once; tail losses, lost final grants and a receiver that closes early never turn into
// a reset.
import { describe, expect, it } from 'vitest';
import type { Stream } from '../../ts/streams/stream.js';
import type { MemoryHub } from '../../ts/transports/memory-hub.js';
import { SP_WINDOW, collect, dataWatch, linkTap, reliable, sendTransfer, hubPairs, type Collector } from './transfer-helpers.js';
import { PLACEMENTS } from '../node/helpers.js';

const EVENT = 8000; // one event per packet (8004 framed bytes)
const MIB16 = 2048; // 2048 × 8000 B = 16,384,000 B


/**
 * Sends `count` events on `s`, waits until closeGraceful resolves, every event reached `rx` and the
 * hub has nothing in flight, then stops counting (duplicates arriving until then are counted).
 */
async function transferAndSettle(hub: MemoryHub, s: Stream, rx: Collector, count: number, closeMs: number): Promise<void> {
  await sendTransfer(s, count, EVENT);
  await s.closeGraceful(closeMs);
  await rx.done;
  await hub.settle();
  rx.stop();
}

describe.each(PLACEMENTS)('%s engine', (engine) => {
  const pair = hubPairs(engine);

  describe.each([1, 2, 3])('16 MiB reliable transfer on a lossy link (seed %i)', (seed) => {
    it('completes byte for byte under 10% loss, 5% duplication and reordering; no event twice', async () => {
      const { hub, a, b } = await pair(seed);
      hub.setLink(a.address, b.address, { loss: 0.1, duplicate: 0.05, reorder: 0.1 });
      // 10% loss each way: with the default 3 retries a packet is abandoned after 4 straight losses
      // (p = 1e-4, i.e. ~0.2 abandoned packets per 2048) — a genuine give-up, not what this test is
      // about. 8 retries make that 1e-9.
      const s = a.openStream(b.nodeId, 9n, reliable({ maxRetries: 8 }));
      const rx = collect(b, a.nodeId, 9n, MIB16, EVENT);
      await transferAndSettle(hub, s, rx, MIB16, 60_000);
      expect({ events: rx.events, bytes: rx.bytes, duplicates: rx.duplicates, corrupt: rx.corrupt }).toEqual({ events: MIB16, bytes: MIB16 * EVENT, duplicates: 0, corrupt: 0 });
      const st = s.stats();
      expect(s.failed).toBe(false);
      expect(st).toMatchObject({ failed: false, untrackedEvictions: 0, pending: 0, closed: true });
      expect(st.acked).toBe(st.sent);
      expect(st.retransmits).toBeGreaterThan(0);
      const h = hub.stats();
      expect(h.droppedByLoss).toBeGreaterThan(100);
      expect(h.duplicated).toBeGreaterThan(50);
      expect(h.reordered).toBeGreaterThan(50);
    });
  });

  describe('tail and grant losses (streams.md §14 (c))', () => {
    const N = 256;

    it('recovers the loss of only the final packet (timeout resend, no NACK possible)', async () => {
      const { hub, a, b } = await pair(11);
      let dropped = 0;
      let lastSends = 0;
      linkTap(hub, a.address, b.address, (h) => {
        if (h.streamId === 3n && h.subprotocol === 0 && h.seq === BigInt(N - 1)) {
          lastSends++;
          if (dropped === 0) {
            dropped++;
            return 'drop';
          }
        }
      });
      const s = a.openStream(b.nodeId, 3n, reliable());
      const rx = collect(b, a.nodeId, 3n, N, EVENT);
      await transferAndSettle(hub, s, rx, N, 10_000);
      expect(dropped).toBe(1);
      expect(lastSends).toBeGreaterThanOrEqual(2);
      expect(rx).toMatchObject({ events: N, duplicates: 0, corrupt: 0 });
      const st = s.stats();
      expect(st).toMatchObject({ failed: false, probesSent: 0, pending: 0, nacksReceived: 0 });
      expect(st.retransmits).toBeGreaterThanOrEqual(1);
    });

    it('a lost final grant: the tail resend is re-granted, success reported, no reset', async () => {
      const { hub, a, b } = await pair(12);
      // Every grant B sends once A's last data packet went out is lost, until A resends something:
      // the final grant is among them, and only the re-grant a duplicate earns can heal the sender.
      const data = dataWatch(hub, a.address, b.address, 4n, BigInt(N - 1));
      let droppedGrants = 0;
      linkTap(hub, b.address, a.address, (h) => {
        if (data.sent && !data.resent && h.subprotocol === SP_WINDOW) {
          droppedGrants++;
          return 'drop';
        }
      });
      const s = a.openStream(b.nodeId, 4n, reliable());
      const rx = collect(b, a.nodeId, 4n, N, EVENT);
      await transferAndSettle(hub, s, rx, N, 10_000);
      expect(droppedGrants).toBeGreaterThanOrEqual(1);
      expect(data.resent).toBe(true);
      expect(rx).toMatchObject({ events: N, duplicates: 0, corrupt: 0 });
      const st = s.stats();
      expect(st).toMatchObject({ failed: false, pending: 0 });
      expect(st.retransmits).toBeGreaterThan(0);
    });

    it('grants lost until the sender probes: the probe is answered, success reported, no reset', async () => {
      const { hub, a, b } = await pair(13);
      const data = dataWatch(hub, a.address, b.address, 5n, BigInt(N - 1));
      let droppedGrants = 0;
      let probes = 0;
      // A's probes are RELIABLE packets with zero frames; grants pass again once one went out.
      linkTap(hub, a.address, b.address, (h) => {
        if (h.streamId === 5n && h.subprotocol === 0 && h.eventCount === 0) probes++;
      });
      const s = a.openStream(b.nodeId, 5n, reliable());
      linkTap(hub, b.address, a.address, (h) => {
        // Every grant after the last data packet is lost until the sender has used all its resends
        // and started probing; from then on grants pass.
        if (data.sent && h.subprotocol === SP_WINDOW && probes === 0) {
          droppedGrants++;
          return 'drop';
        }
      });
      const rx = collect(b, a.nodeId, 5n, N, EVENT);
      await transferAndSettle(hub, s, rx, N, 10_000);
      expect(droppedGrants).toBeGreaterThan(1);
      expect(rx).toMatchObject({ events: N, duplicates: 0, corrupt: 0 });
      const st = s.stats();
      expect(st).toMatchObject({ failed: false, pending: 0 });
      expect(st.probesSent).toBeGreaterThanOrEqual(1);
      expect(st.sent).toBe(N + st.probesSent);
    });

    it('the receiver closes right after the last byte and its final grant is lost: the quarantined id answers', async () => {
      const { hub, a, b } = await pair(14);
      const data = dataWatch(hub, a.address, b.address, 6n, BigInt(N - 1));
      let closed = false;
      let droppedGrants = 0;
      // Grants are lost from A's last data packet until B has closed the record and A resent
      // something: only the closed lifetime's final grant can then tell A that everything arrived.
      linkTap(hub, b.address, a.address, (h) => {
        if (data.sent && !(closed && data.resent) && h.subprotocol === SP_WINDOW) {
          droppedGrants++;
          return 'drop';
        }
      });
      const s = a.openStream(b.nodeId, 6n, reliable());
      const rx = collect(b, a.nodeId, 6n, N, EVENT, (_i, c) => {
        if (c.events === N) {
          // Like a blob requester: close the receiving record as soon as the last byte is in.
          b.openStream(a.nodeId, 6n).close();
          closed = true;
        }
      });
      await transferAndSettle(hub, s, rx, N, 10_000);
      expect(droppedGrants).toBeGreaterThanOrEqual(1);
      expect(data.resent).toBe(true);
      expect(rx).toMatchObject({ events: N, duplicates: 0, corrupt: 0 });
      expect(s.stats()).toMatchObject({ failed: false, pending: 0 });
    });
  });
});

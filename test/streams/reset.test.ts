// Resets (streams.md §9 item 4, §14 (b)): a sender whose receiver stops answering gives up after
// its resends and probes, reports `failed` and sends StreamReset; the receiver closes the record
// and its pending reads on that stream reject with StreamResetError at once.
import { describe, expect, it } from 'vitest';
import { NotConnectedError, StreamResetError } from '../../ts/errors.js';
import { SP_RESET, linkTap, reliable, transferEvent, hubPairs } from './transfer-helpers.js';
import { PLACEMENTS, until } from '../node/helpers.js';


describe.each(PLACEMENTS)('%s engine', (engine) => {
  // A short session timeout: it also bounds how long a reliable stream waits before giving up.
  const pair = hubPairs(engine, { heartbeatIntervalMs: 200, sessionTimeoutMs: 1000 });

  describe('a receiver that stops answering', () => {
    it('the sender reports failed, the receiver gets a reset, its pending read rejects promptly', async () => {
      const { hub, a, b } = await pair(21);
      let resets = 0;
      linkTap(hub, a.address, b.address, (h) => {
        if (h.subprotocol === SP_RESET) resets++;
      });
      const s = a.openStream(b.nodeId, 30n, reliable());
      const other = a.openStream(b.nodeId, 31n, reliable());
      const it30 = b.events({ stream: 30n, from: a.nodeId })[Symbol.asyncIterator]();
      const it31 = b.events({ stream: 31n })[Symbol.asyncIterator]();
      await s.send([transferEvent(0, 100)]);
      const first = await it30.next();
      expect(first.value?.payload).toEqual(transferEvent(0, 100));
      // From now on nothing B sends reaches A: no grants, no acks.
      hub.setLink(b.address, a.address, { loss: 1 }, { oneWay: true });
      await s.send([transferEvent(1, 100), transferEvent(2, 100)]);
      const second = await it30.next();
      expect(second.value?.payload).toEqual(transferEvent(1, 100));
      await it30.next();
      // B now waits on a read that only a reset can end.
      const pending = it30.next();
      const outcome = pending.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await until(() => s.failed, 10_000, 'the sender to give up');
      const err = await outcome;
      expect(err).toBeInstanceOf(StreamResetError);
      expect((err as StreamResetError).code).toBe('STREAM_RESET');
      const st = s.stats();
      expect(st).toMatchObject({ failed: true, closed: true });
      // Three probes at RTO spacing, then backed-off probes until the session timeout passed.
      expect(st.probesSent).toBeGreaterThanOrEqual(3);
      expect(st.retransmits).toBeGreaterThanOrEqual(3);
      // The reset goes out at once and on the next two ticks.
      await until(() => resets >= 3, 5_000, 'three StreamReset datagrams');
      // Existing handles then get NotConnected; closeGraceful reports the give-up.
      await expect(s.send([transferEvent(3, 10)])).rejects.toBeInstanceOf(NotConnectedError);
      expect(() => s.trySend([transferEvent(3, 10)])).toThrow(NotConnectedError);
      await expect(s.closeGraceful(1000)).rejects.toBeInstanceOf(StreamResetError);
      // Other streams and their readers are untouched.
      expect(other.failed).toBe(false);
      hub.setLink(b.address, a.address, null);
      await other.send([transferEvent(7, 10)]);
      expect((await it31.next()).value?.payload).toEqual(transferEvent(7, 10));
      await it31.return?.();
    });

    it('a closed receiver node: the sender gives up within a bounded time', async () => {
      const { a, b } = await pair(22);
      const s = a.openStream(b.nodeId, 40n, reliable({ maxRetries: 1 }));
      await b.close();
      await s.send([transferEvent(0, 1000), transferEvent(1, 1000)]);
      await until(() => s.failed, 10_000, 'the sender to give up');
      const st = s.stats();
      expect(st).toMatchObject({ failed: true, closed: true, retransmits: 1 });
      expect(st.probesSent).toBeGreaterThanOrEqual(3);
    });

    it('a reset received while nothing is pending on our side still fails reads and closes the record', async () => {
      const { hub, a, b } = await pair(23);
      const s = a.openStream(b.nodeId, 50n, reliable());
      const back = b.openStream(a.nodeId, 50n, reliable());
      const reader = a.events({ stream: 50n })[Symbol.asyncIterator]();
      await back.send([transferEvent(0, 10)]);
      expect((await reader.next()).value?.payload).toEqual(transferEvent(0, 10));
      // B's sends on stream 50 now go unanswered: B gives up and resets A's side.
      hub.setLink(a.address, b.address, { loss: 1 }, { oneWay: true });
      await back.send([transferEvent(1, 10)]);
      expect((await reader.next()).value?.payload).toEqual(transferEvent(1, 10));
      const pending = reader.next().then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await until(() => back.failed, 10_000, 'B to give up');
      hub.setLink(a.address, b.address, null);
      // B's reset crossed on the B → A direction, which stayed open.
      expect(await pending).toBeInstanceOf(StreamResetError);
      expect(s.stats().closed).toBe(true);
      await expect(s.send([transferEvent(2, 10)])).rejects.toBeInstanceOf(NotConnectedError);
    });
  });
});

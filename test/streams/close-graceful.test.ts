// closeGraceful(timeoutMs) (streams.md §11): resolves once every reliable send is acknowledged and
// closes the stream; still closes but rejects on timeout, give-up or a reset while sends are
// pending; unreliable, already-drained and already-closed streams resolve at once.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotConnectedError, StreamResetError } from '../../ts/errors.js';
import { collect, reliable, sendTransfer, transferEvent, hubPairs } from './transfer-helpers.js';
import { PLACEMENTS, until } from '../node/helpers.js';


describe.each(PLACEMENTS)('%s engine', (engine) => {
  // A short session timeout: it also bounds how long a reliable stream waits before giving up.
  const pair = hubPairs(engine, { heartbeatIntervalMs: 200, sessionTimeoutMs: 1000 });

  describe('closeGraceful', () => {
    it('resolves once every reliable send is acknowledged, then the stream is closed', async () => {
      const { hub, a, b } = await pair(41);
      hub.setLink(a.address, b.address, { loss: 0.2 });
      const s = a.openStream(b.nodeId, 60n, reliable({ maxRetries: 10 }));
      const rx = collect(b, a.nodeId, 60n, 200, 4000);
      await sendTransfer(s, 200, 4000);
      expect(s.stats().pending).toBeGreaterThan(0);
      await s.closeGraceful(20_000);
      // Resolution means acknowledged: everything is at the receiver already.
      expect(rx.events).toBe(200);
      rx.stop();
      expect(s.stats()).toMatchObject({ pending: 0, closed: true, failed: false });
      await expect(s.send([transferEvent(0, 10)])).rejects.toBeInstanceOf(NotConnectedError);
      // Closing again is a no-op that resolves.
      await s.closeGraceful(10);
    });

    it('unreliable and already-drained streams resolve at once', async () => {
      const { a, b } = await pair(42);
      const u = a.openStream(b.nodeId, 61n);
      await u.send([transferEvent(0, 100)]);
      await u.closeGraceful(1);
      expect(u.stats().closed).toBe(true);
      const r = a.openStream(b.nodeId, 62n, reliable());
      await r.closeGraceful(1);
      expect(r.stats().closed).toBe(true);
      const c = a.openStream(b.nodeId, 63n, reliable());
      c.close();
      await c.closeGraceful(1);
      await expect(c.closeGraceful(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('rejects after the timeout when the receiver never acknowledges, and still closes', async () => {
      const { hub, a, b } = await pair(43);
      const s = a.openStream(b.nodeId, 64n, reliable({ maxRetries: 255 }));
      hub.partition(a.address, b.address);
      await s.send([transferEvent(0, 1000)]);
      const err = await s.closeGraceful(300).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotConnectedError);
      expect((err as NotConnectedError).code).toBe('CLOSE_TIMEOUT');
      expect(s.stats()).toMatchObject({ closed: true, failed: false });
      expect(() => s.trySend([transferEvent(1, 10)])).toThrow(NotConnectedError);
    });

    it('rejects with StreamResetError when retransmission gives up', async () => {
      const { hub, a, b } = await pair(44);
      const s = a.openStream(b.nodeId, 65n, reliable({ maxRetries: 0 }));
      hub.partition(a.address, b.address);
      await s.send([transferEvent(0, 1000)]);
      await expect(s.closeGraceful(30_000)).rejects.toBeInstanceOf(StreamResetError);
      expect(s.failed).toBe(true);
    });

    it('rejects with StreamResetError when the peer resets the stream while sends are pending', async () => {
      const { hub, a, b } = await pair(45);
      // Both directions of stream 66: A's sends wait for acks that B cannot deliver (B → A is cut),
      // and B's own sends on the same id go unanswered, so B gives up and resets A's record.
      const s = a.openStream(b.nodeId, 66n, reliable({ maxRetries: 255 }));
      const back = b.openStream(a.nodeId, 66n, reliable({ maxRetries: 0 }));
      hub.setLink(b.address, a.address, { loss: 1 }, { oneWay: true });
      await s.send([transferEvent(0, 1000)]);
      const closing = s.closeGraceful(30_000).catch((e: unknown) => e);
      await back.send([transferEvent(1, 10)]);
      await until(() => back.failed, 10_000, 'B to give up');
      hub.setLink(b.address, a.address, null);
      expect(await closing).toBeInstanceOf(StreamResetError);
      expect(s.stats()).toMatchObject({ closed: true, failed: false });
    });
  });
});

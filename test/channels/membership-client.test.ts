// The membership client (channels.md §6 and the project's loss rule): the same frame (same nonce)
// is re-sent every max(200 ms, 2 × RTT) until its Ack or the ack timeout; Acks from another peer or
// with an unknown nonce are ignored; rejections and timeouts are distinct typed errors.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MembershipClient } from '../../ts/channels/membership-client.js';
import { newCounters } from '../../ts/channels/stats.js';
import { ClosedError, MembershipRejectedError, MembershipTimeoutError, NotConnectedError } from '../../ts/errors.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function client(rtt?: number) {
  const sent: { peer: bigint; frame: Uint8Array }[] = [];
  const counters = newCounters();
  const c = new MembershipClient({ send: (peer, frame) => sent.push({ peer, frame }), rttMs: () => rtt, counters }, { ackTimeoutMs: 5000, minResendMs: 200 });
  return { c, sent, counters };
}

describe('MembershipClient', () => {
  it('re-sends the identical frame every 200 ms until the Ack, which must come from the same peer', async () => {
    const { c, sent, counters } = client(20);
    const frame = new Uint8Array([1, 2, 3]);
    const p = c.request(7n, 11n, frame, 'subscribe to x');
    await vi.advanceTimersByTimeAsync(650);
    expect(sent.length).toBe(4); // t = 0, 200, 400, 600
    expect(sent.every((s) => s.peer === 7n && s.frame === frame)).toBe(true);
    c.onAck(8n, { nonce: 11n, accepted: true, reason: 0 }); // another peer: ignored
    c.onAck(7n, { nonce: 12n, accepted: true, reason: 0 }); // unknown nonce: ignored
    expect(counters.membership.unexpectedAcks).toBe(2);
    expect(c.pending).toBe(1);
    c.onAck(7n, { nonce: 11n, accepted: true, reason: 0 });
    await expect(p).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent.length).toBe(4);
    expect(counters.client).toMatchObject({ requests: 1, resends: 3, accepted: 1 });
  });

  it('uses 2 × RTT when that is longer than 200 ms', async () => {
    const { c, sent } = client(300);
    void c.request(7n, 1n, new Uint8Array([1]), 'x').catch(() => {});
    await vi.advanceTimersByTimeAsync(1250);
    expect(sent.length).toBe(3); // t = 0, 600, 1200
  });

  it('a rejection carries its reason; silence becomes MembershipTimeoutError after 5 s', async () => {
    const { c, counters } = client();
    const rejected = c.request(7n, 1n, new Uint8Array([1]), 'subscribe to x');
    c.onAck(7n, { nonce: 1n, accepted: false, reason: 2 });
    await expect(rejected).rejects.toBeInstanceOf(MembershipRejectedError);
    await expect(rejected).rejects.toMatchObject({ name: 'MembershipRejectedError', reason: 'UnknownChannel', reasonCode: 2, code: 'MEMBERSHIP_REJECTED' });
    const silent = c.request(7n, 2n, new Uint8Array([1]), 'subscribe to y');
    const settled = silent.catch((e) => e);
    await vi.advanceTimersByTimeAsync(5000);
    const err = await settled;
    expect(err).toBeInstanceOf(MembershipTimeoutError);
    expect(err.code).toBe('MEMBERSHIP_TIMEOUT');
    expect(counters.client.timeouts).toBeGreaterThanOrEqual(1);
  });

  it('fails at once when the first send throws; close() fails what is pending', async () => {
    const c = new MembershipClient(
      {
        send: () => {
          throw new NotConnectedError('no session');
        },
        rttMs: () => undefined,
        counters: newCounters(),
      },
      { ackTimeoutMs: 5000, minResendMs: 200 },
    );
    await expect(c.request(1n, 1n, new Uint8Array(1), 'x')).rejects.toBeInstanceOf(NotConnectedError);
    const { c: c2 } = client();
    const p = c2.request(1n, 1n, new Uint8Array(1), 'x');
    c2.close();
    await expect(p).rejects.toBeInstanceOf(ClosedError);
    await expect(c2.request(1n, 2n, new Uint8Array(1), 'x')).rejects.toBeInstanceOf(ClosedError);
  });
});

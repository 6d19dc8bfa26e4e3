// Relayed datagrams in the engine's fair scheduler (wire.md §7 step 4, §18 (e)): a PRIORITY route
// flag takes the priority lane, the rest queue per destination behind each other in round robin,
// and the total waiting is capped (a full queue refuses, the engine counts it as rateLimited).
import { describe, expect, it } from 'vitest';
import { MAX_FORWARD_QUEUED, Scheduler, type ForwardedPacket } from '../../ts/engine/scheduler.js';

const fwd = (tag: number, address = 'next:1'): ForwardedPacket => ({ forward: Uint8Array.of(tag), address });

describe('forwarded datagrams in the scheduler', () => {
  it('serves the priority lane first, then destinations in turn; each datagram leaves once', () => {
    const s = new Scheduler();
    const out: number[] = [];
    s.onForward = (p) => out.push(p.forward[0]!);
    s.enqueueForward(1n, fwd(1), false);
    s.enqueueForward(1n, fwd(2), false);
    s.enqueueForward(2n, fwd(3, 'other:1'), false);
    s.enqueueForward(1n, fwd(9), true);
    expect(s.forwardQueued).toBe(4);
    s.drain(() => {
      throw new Error('no stream packets were queued');
    });
    expect(out[0]).toBe(9);
    expect(out.slice(1).sort()).toEqual([1, 2, 3]);
    expect(out.indexOf(1)).toBeLessThan(out.indexOf(2));
    expect(s.forwardQueued).toBe(0);
    expect(s.depth).toBe(0);
  });

  it('refuses datagrams beyond the total cap', () => {
    const s = new Scheduler({ maxQueueDepth: MAX_FORWARD_QUEUED });
    let accepted = 0;
    for (let i = 0; i < MAX_FORWARD_QUEUED + 10; i++) if (s.enqueueForward(BigInt(i % 8), fwd(i & 0xff), false)) accepted++;
    expect(accepted).toBe(MAX_FORWARD_QUEUED);
    expect(s.enqueueForward(99n, fwd(0), true)).toBe(false);
  });
});

// The node's receive budget (ts/engine/receive-budget.ts): delivered event bytes are released as
// credit at once while the app's unread bytes fit the budget, owed beyond it, and released as the
// app reads — its own stream's events or any other's.
import { describe, expect, it } from 'vitest';
import { ReceiveBudget } from '../../ts/engine/receive-budget.js';
import type { StreamRecord } from '../../ts/engine/stream-record.js';

const record = (): StreamRecord => ({ rxUnread: 0, rxOwed: 0, rxReleased: 0 }) as StreamRecord;

describe('ReceiveBudget', () => {
  it('releases within the budget, owes beyond it, and releases owed bytes as the app reads', () => {
    const released: StreamRecord[] = [];
    const budget = new ReceiveBudget(1000, (r) => released.push(r));
    const a = record();
    const b = record();
    budget.delivered(a, 800);
    expect(a).toMatchObject({ rxUnread: 800, rxReleased: 800, rxOwed: 0 });
    budget.delivered(b, 500);
    expect(b).toMatchObject({ rxUnread: 500, rxReleased: 200, rxOwed: 300 });
    // b's own read releases what it took from its owed bytes.
    budget.taken(b, 100);
    expect(b).toMatchObject({ rxUnread: 400, rxReleased: 300, rxOwed: 200 });
    // a's read makes room, and b's owed bytes take it.
    budget.taken(a, 300);
    expect(b).toMatchObject({ rxReleased: 500, rxOwed: 0 });
    expect(released).toEqual([b, b]);
    // A read beyond what is unread counts only what was.
    budget.taken(a, 10_000);
    expect(a).toMatchObject({ rxUnread: 0, rxReleased: 800 });
  });

  it('a forgotten record gives its room back', () => {
    const budget = new ReceiveBudget(1000, () => {});
    const a = record();
    const b = record();
    budget.delivered(a, 1000);
    budget.forget(a);
    expect(a).toMatchObject({ rxUnread: 0, rxOwed: 0 });
    budget.delivered(b, 1000);
    expect(b).toMatchObject({ rxReleased: 1000, rxOwed: 0 });
  });
});

// BudgetTable: per-key token buckets with time passed in (announcement budgets, issue 9 item 5).
import { describe, expect, it } from 'vitest';
import { BudgetTable } from '../../ts/fold/budget.js';

describe('BudgetTable', () => {
  it('allows a burst, then refills at the rate, never above the burst', () => {
    const t = new BudgetTable({ burst: 3, perSecond: 2 }, 10);
    const taken = [0, 0, 0, 0].map(() => t.take(1n, 1000));
    expect(taken).toEqual([true, true, true, false]);
    expect(t.take(1n, 1499)).toBe(false); // 0.998 tokens
    expect(t.take(1n, 1500)).toBe(true); // one token after 500 ms at 2/s
    expect(t.take(1n, 1500)).toBe(false);
    // A long rest refills to the burst only.
    expect([0, 0, 0, 0].map(() => t.take(1n, 1_000_000))).toEqual([true, true, true, false]);
  });

  it('keeps keys apart', () => {
    const t = new BudgetTable({ burst: 1, perSecond: 1 }, 10);
    expect(t.take(1n, 0)).toBe(true);
    expect(t.take(1n, 0)).toBe(false);
    expect(t.take(2n, 0)).toBe(true);
  });

  it('holds at most maxKeys buckets, dropping the oldest', () => {
    const t = new BudgetTable({ burst: 1, perSecond: 0.001 }, 3);
    for (let k = 0n; k < 10n; k++) t.take(k, 0);
    expect(t.size).toBe(3);
    // Key 9 is still tracked (and empty); key 0 was dropped and restarts full.
    expect(t.take(9n, 0)).toBe(false);
    expect(t.take(0n, 0)).toBe(true);
    expect(t.size).toBe(3);
  });

  it('prune drops buckets that have refilled; delete forgets a key', () => {
    const t = new BudgetTable({ burst: 2, perSecond: 1 }, 10);
    t.take(1n, 0);
    t.take(2n, 1500);
    t.prune(2000); // key 1 idle 2 s = full again; key 2 only 0.5 s
    expect(t.size).toBe(1);
    t.delete(2n);
    expect(t.size).toBe(0);
  });
});

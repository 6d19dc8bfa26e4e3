// The restart gate of meshos-cli.md §1.2: 500 ms doubling to 60 s, the 5th crash inside a sliding
// 60 s window → CrashLooping for 5 min (window back to 500 ms), resets after a stable run.
import { describe, expect, it } from 'vitest';
import { RestartGate } from '../../ts/meshos/backoff.js';

describe('RestartGate', () => {
  it('starts idle and admissible', () => {
    const g = new RestartGate();
    expect(g.state).toEqual({ kind: 'idle' });
    expect(g.admissible(0)).toBe(true);
    expect(g.releaseAt()).toBeUndefined();
  });

  it('backs off 500 ms, then doubles per crash: 0.5, 1, 2, 4 s', () => {
    const g = new RestartGate();
    const t0 = 1000;
    const windows: number[] = [];
    for (let i = 0; i < 4; i++) {
      const now = t0 + i * 100;
      g.observeCrash(now);
      expect(g.state.kind).toBe('backingOff');
      windows.push(g.releaseAt()! - now);
    }
    expect(windows).toEqual([500, 1000, 2000, 4000]);
    expect(g.nextWindowMs).toBe(8000);
  });

  it('caps the window at 60 s when crashes are spread out', () => {
    const g = new RestartGate();
    const windows: number[] = [];
    for (let i = 0; i < 10; i++) {
      // 61 s apart: each crash is alone in its 60 s window, so the crash-loop gate never trips.
      const now = i * 61_000;
      g.observeCrash(now);
      expect(g.state.kind).toBe('backingOff');
      windows.push(g.releaseAt()! - now);
    }
    expect(windows).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('the 5th crash inside 60 s crash-loops for 5 min and resets the window to 500 ms', () => {
    const g = new RestartGate();
    for (let i = 0; i < 4; i++) g.observeCrash(i * 10_000);
    expect(g.state.kind).toBe('backingOff');
    g.observeCrash(40_000);
    expect(g.state).toEqual({ kind: 'crashLooping', until: 40_000 + 300_000 });
    expect(g.nextWindowMs).toBe(500);
    expect(g.admissible(339_999)).toBe(false);
    expect(g.admissible(340_000)).toBe(true);
    // After the cooldown the old crashes are out of the window: the next crash backs off 500 ms.
    expect(g.release(340_000)).toBe(true);
    g.observeCrash(400_000);
    expect(g.state).toEqual({ kind: 'backingOff', until: 400_500 });
  });

  it('the window slides: crashes older than 60 s do not count toward the 5', () => {
    const g = new RestartGate();
    for (let i = 0; i < 4; i++) g.observeCrash(i * 1000);
    g.observeCrash(3000 + 60_001); // the first four are now out of the window
    expect(g.state.kind).toBe('backingOff');
    // A crash exactly 60 s after the oldest one still counts it.
    const h = new RestartGate();
    for (let i = 0; i < 4; i++) h.observeCrash(i * 1000);
    h.observeCrash(60_000);
    expect(h.state.kind).toBe('crashLooping');
  });

  it('a start at least 60 s after the previous start resets the window and the history', () => {
    const g = new RestartGate();
    g.observeStart(0);
    g.observeCrash(1000);
    g.observeCrash(2000);
    expect(g.nextWindowMs).toBe(2000);
    g.observeStart(2500);
    g.observeStart(2500 + 59_999); // not yet a stable run
    expect(g.nextWindowMs).toBe(2000);
    expect(g.crashHistory).toHaveLength(2);
    g.observeStart(2500 + 59_999 + 60_000);
    expect(g.nextWindowMs).toBe(500);
    expect(g.crashHistory).toHaveLength(0);
    expect(g.state.kind).toBe('idle');
  });

  it('a clean exit at least 60 s after the last start resets too; a shorter run does not', () => {
    const g = new RestartGate();
    g.observeCrash(0);
    g.observeStart(600);
    g.observeCleanExit(30_000);
    expect(g.nextWindowMs).toBe(1000);
    expect(g.state.kind).toBe('idle');
    g.observeStart(31_000);
    g.observeCleanExit(91_000);
    expect(g.nextWindowMs).toBe(500);
    expect(g.crashHistory).toHaveLength(0);
  });

  it('the gate is admissible at until (not before) and release() turns it idle once', () => {
    const g = new RestartGate();
    g.observeCrash(100);
    expect(g.admissible(599)).toBe(false);
    expect(g.release(599)).toBe(false);
    expect(g.admissible(600)).toBe(true);
    expect(g.release(600)).toBe(true);
    expect(g.release(600)).toBe(false);
    expect(g.state.kind).toBe('idle');
  });

  it('an operator force-release resets everything', () => {
    const g = new RestartGate();
    for (let i = 0; i < 5; i++) g.observeCrash(i);
    expect(g.state.kind).toBe('crashLooping');
    g.forceRelease();
    expect(g.state.kind).toBe('idle');
    expect(g.crashHistory).toHaveLength(0);
    g.observeCrash(10);
    expect(g.state).toEqual({ kind: 'backingOff', until: 510 });
  });

  it('keeps a bounded crash history under a crash storm', () => {
    const g = new RestartGate();
    for (let i = 0; i < 10_000; i++) g.observeCrash(i);
    expect(g.crashHistory.length).toBeLessThanOrEqual(5);
    expect(g.state.kind).toBe('crashLooping');
  });
});

// The engine driver (ts/engine/driver.ts) keeps one host timer and at most one pending immediate
// for the engine's next deadline, whatever order timers, immediates and inputs arrive in: a timer
// left behind by a turn run from an immediate used to fire into later turns and arm another one,
// a growing set of them (a busy engine thread with nothing to do).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineDriver } from '../../ts/engine/driver.js';
import type { Engine } from '../../ts/engine/engine.js';

class FakeEngine {
  closed = false;
  deadline = Infinity;
  timerTurns = 0;
  turns = 0;
  start(): void {}
  flush(): void {
    this.turns++;
  }
  handleTimers(): void {
    this.timerTurns++;
  }
  handleDatagrams(): void {}
  nextDeadline(): number {
    return this.deadline;
  }
}

let engine: FakeEngine;
let driver: EngineDriver;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance'] });
  engine = new FakeEngine();
  driver = new EngineDriver(engine as unknown as Engine, () => {}, (e) => {
    throw e;
  });
});

afterEach(() => {
  driver.stop();
  vi.useRealTimers();
});

describe('the engine driver', () => {
  it('a turn run from an immediate cancels the pending host timer', async () => {
    engine.deadline = performance.now() + 5;
    driver.onLink(); // arms the host timer for +5 ms
    engine.deadline = performance.now(); // due now: an immediate
    driver.onLink();
    engine.deadline = performance.now() + 5;
    await vi.advanceTimersByTimeAsync(0); // the immediate's turn re-arms +5 ms
    expect(engine.timerTurns).toBe(1);
    engine.deadline = Infinity;
    await vi.advanceTimersByTimeAsync(20);
    // One timer turn for the re-armed deadline, none from the timer the immediate replaced.
    expect(engine.timerTurns).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(engine.timerTurns).toBe(2);
  });

  it('an immediate armed before a timer turn does nothing after it', async () => {
    engine.deadline = performance.now() + 1;
    driver.onLink(); // host timer at +1 ms
    await vi.advanceTimersByTimeAsync(0.5);
    engine.deadline = performance.now() - 1; // overdue: an immediate as well
    driver.onLink();
    engine.deadline = Infinity;
    await vi.advanceTimersByTimeAsync(5);
    expect(engine.timerTurns).toBe(1);
  });

  it('a deadline never spins the thread: one timer turn per deadline', async () => {
    let next = performance.now() + 0.6;
    engine.deadline = next;
    driver.onLink();
    // Every timer turn moves the deadline 0.6 ms on (a stream's status or grant timer).
    const handle = engine.handleTimers.bind(engine);
    engine.handleTimers = () => {
      handle();
      next += 0.6;
      engine.deadline = engine.timerTurns < 10 ? next : Infinity;
    };
    await vi.advanceTimersByTimeAsync(50);
    expect(engine.timerTurns).toBe(10);
    expect(engine.turns).toBe(11);
  });
});

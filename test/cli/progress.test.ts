// The progress renderer on a fake TTY with a hand-driven clock, and the framework's rule for
// when progress is drawn (not quiet, human format, stderr a TTY) and cleared (before results,
// on errors).
import { describe, expect, it } from 'vitest';
import { BAR_WIDTH, ProgressRenderer, REFRESH_MS, formatBytes, type ProgressClock } from '../../ts/cli/progress.js';
import { runCli } from '../../ts/cli/app.js';
import type { CliIo, Command } from '../../ts/cli/command.js';

function fakeClock() {
  let now = 0;
  const timers: { every: number; next: number; f: () => void; live: boolean }[] = [];
  const clock: ProgressClock = {
    now: () => now,
    every(ms, f) {
      const t = { every: ms, next: now + ms, f, live: true };
      timers.push(t);
      return () => void (t.live = false);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.live && t.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      now = due.next;
      due.next += due.every;
      due.f();
    }
    now = end;
  };
  return { clock, advance, live: () => timers.filter((t) => t.live).length };
}

const CLEAR = '\r\x1b[2K';

describe('progress renderer', () => {
  it('draws a 30-column byte bar with bytes / total and rate every 120 ms, and clears it', () => {
    const writes: string[] = [];
    const { clock, advance, live } = fakeClock();
    const p = new ProgressRenderer({ isTTY: true, write: (t) => writes.push(t) }, true, clock);
    const bar = p.bar('fetching blob from peer 7', 4 * 1024 * 1024);
    expect(writes).toEqual([`${CLEAR}fetching blob from peer 7 [${'-'.repeat(BAR_WIDTH)}] 0 B / 4.00 MiB 0 B/s`]);
    bar.advance(1024 * 1024);
    advance(REFRESH_MS - 1);
    expect(writes).toHaveLength(1); // not before the refresh
    advance(1);
    advance(1000 - REFRESH_MS); // 1 s in: 1 MiB done
    bar.advance(1024 * 1024);
    advance(REFRESH_MS);
    const last = writes.at(-1)!;
    expect(last).toMatch(new RegExp(`^\\r\\x1b\\[2Kfetching blob from peer 7 \\[#{15}-{15}\\] 2\\.00 MiB / 4\\.00 MiB [0-9.]+ MiB/s$`));
    expect(writes.length).toBe(1 + Math.floor((1000 + REFRESH_MS) / REFRESH_MS));
    bar.finish();
    expect(writes.at(-1)).toBe(CLEAR);
    expect(live()).toBe(0);
    const n = writes.length;
    advance(1000);
    bar.finish();
    expect(writes.length).toBe(n); // stopped, idempotent
  });

  it('spins through frames; a new line replaces the old one; clear() erases', () => {
    const writes: string[] = [];
    const { clock, advance, live } = fakeClock();
    const p = new ProgressRenderer({ isTTY: true, write: (t) => writes.push(t) }, true, clock);
    p.spinner('reconstructing directory from peer 9');
    advance(REFRESH_MS * 2);
    expect(writes.map((w) => w.slice(CLEAR.length, CLEAR.length + 1))).toEqual(['⠋', '⠙', '⠹']);
    expect(writes[0]).toBe(`${CLEAR}⠋ reconstructing directory from peer 9`);
    p.bar('next', 10);
    expect(live()).toBe(1);
    p.clear();
    expect(writes.at(-1)).toBe(CLEAR);
    expect(live()).toBe(0);
  });

  it('draws nothing when disabled', () => {
    const writes: string[] = [];
    const { clock, advance, live } = fakeClock();
    const p = new ProgressRenderer({ isTTY: false, write: (t) => writes.push(t) }, false, clock);
    const h = p.bar('x', 10);
    h.advance(5);
    advance(1000);
    h.finish();
    p.clear();
    expect(writes).toEqual([]);
    expect(live()).toBe(0);
  });

  it('formats byte counts', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(5 * 2 ** 30)]).toEqual(['0 B', '1023 B', '1.50 KiB', '5.00 GiB']);
  });
});

describe('progress in the framework', () => {
  const { clock } = fakeClock();
  const verb: Command = {
    name: 'fetch',
    summary: 'shows a spinner',
    positionals: [{ name: 'fail', required: false }],
    async run(ctx) {
      ctx.progress.spinner('working');
      if (ctx.args.positionals[0] === 'fail') throw new Error('lost the peer');
      ctx.result({ ok: true });
    },
  };
  const app = { program: 'tool', version: '1', commands: [verb], clock };
  async function run(argv: string[], tty: Partial<CliIo>) {
    const log: string[] = [];
    const io: CliIo = { out: (t) => void log.push(`out:${t}`), err: (t) => void log.push(`err:${t}`), ...tty };
    const code = await runCli(app, argv, io);
    return { code, log };
  }

  it('draws on a TTY with a human format and clears before the result and on errors', async () => {
    const ok = await run(['fetch'], { stdoutIsTTY: true, stderrIsTTY: true });
    expect(ok.log).toEqual([`err:${CLEAR}⠋ working`, `err:${CLEAR}`, 'out:{\n  "ok": true\n}\n']);
    const bad = await run(['fetch', 'fail'], { stderrIsTTY: true, stdoutIsTTY: false, env: {} });
    expect(bad.log).toEqual(['err:tool: lost the peer\n']); // piped json: no progress drawn, just the error
    const badTty = await run(['fetch', 'fail', '--output', 'text'], { stderrIsTTY: true });
    expect(badTty.code).toBe(1);
    expect(badTty.log).toEqual([`err:${CLEAR}⠋ working`, `err:${CLEAR}`, 'err:tool: lost the peer\n']);
  });

  it('stays silent when quiet, when stderr is not a TTY, or with a machine format', async () => {
    for (const [argv, tty] of [
      [['fetch', '-q', '--output', 'text'], { stderrIsTTY: true }],
      [['fetch', '--output', 'text'], { stderrIsTTY: false }],
      [['fetch', '--output', 'ndjson'], { stderrIsTTY: true, stdoutIsTTY: true }],
    ] as [string[], Partial<CliIo>][]) {
      const r = await run(argv, tty);
      expect(r.log.filter((l) => l.startsWith('err:'))).toEqual([]);
    }
  });
});

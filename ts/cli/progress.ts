// Progress on stderr (meshos-cli.md §3.6): a determinate byte bar (message, 30-column bar,
// bytes / total and rate) or a spinner, redrawn every 120 ms and only when enabled — not quiet,
// a human output format, stderr a TTY. The bar is cleared before results are printed and on
// errors; disabled progress draws nothing at all.

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressClock {
  now(): number;
  every(ms: number, f: () => void): () => void;
}

const REALTIME: ProgressClock = {
  now: () => Date.now(),
  every(ms, f) {
    const t = setInterval(f, ms);
    (t as { unref?: () => void }).unref?.();
    return () => clearInterval(t);
  },
};

export const REFRESH_MS = 120;
export const BAR_WIDTH = 30;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Carriage return + erase line. */
const CLEAR = '\r\x1b[2K';

export interface ProgressHandle {
  /** Adds `n` to the done count (a byte bar; ignored by spinners). */
  advance(n: number): void;
  /** Erases the line and stops redrawing. Idempotent. */
  finish(): void;
}

const NOOP: ProgressHandle = { advance() {}, finish() {} };

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(2)} ${units[u]}`;
}

/** Draws at most one progress line at a time on `stream`. */
export class ProgressRenderer {
  private active: { draw(): void; stop(): void } | undefined;

  constructor(
    private readonly stream: ProgressStream,
    readonly enabled: boolean,
    private readonly clock: ProgressClock = REALTIME,
  ) {}

  /** A byte bar towards `total` bytes. */
  bar(message: string, total: number): ProgressHandle {
    if (!this.enabled) return NOOP;
    const started = this.clock.now();
    let done = 0;
    return this.start(() => {
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * BAR_WIDTH);
      const secs = (this.clock.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      return `${message} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${formatBytes(done)} / ${formatBytes(total)} ${formatBytes(Math.round(rate))}/s`;
    }, (n) => {
      done += n;
    });
  }

  /** An indeterminate spinner. */
  spinner(message: string): ProgressHandle {
    if (!this.enabled) return NOOP;
    let frame = 0;
    return this.start(() => `${SPINNER[frame++ % SPINNER.length]} ${message}`, () => {});
  }

  /** Erases whatever is drawn (before printing results or errors). */
  clear(): void {
    this.active?.stop();
  }

  private start(line: () => string, advance: (n: number) => void): ProgressHandle {
    this.active?.stop();
    let stopped = false;
    const draw = (): void => {
      if (!stopped) this.stream.write(`${CLEAR}${line()}`);
    };
    const cancel = this.clock.every(REFRESH_MS, draw);
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      cancel();
      this.stream.write(CLEAR);
      if (this.active === entry) this.active = undefined;
    };
    const entry = { draw, stop };
    this.active = entry;
    draw();
    return {
      advance(n: number) {
        advance(n);
      },
      finish: stop,
    };
  }
}

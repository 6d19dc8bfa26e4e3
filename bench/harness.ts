// Shared bench helpers: interleaved timing rounds, medians and percentiles, MB/s and ratio tables.
// The machines these run on are small and shared, so every comparison measures ours and its peers
// in the same run, alternating between them round by round, and reports the median round.
import { cpus, loadavg } from 'node:os';

/** Milliseconds, high resolution. */
export const now = (): number => performance.now();

/** MB = 10^6 bytes throughout. */
export const MB = 1e6;

export interface SyncCase {
  name: string;
  /** One operation. Its return value is kept alive so the work cannot be optimised away. */
  fn: () => unknown;
  /** Payload bytes processed per operation (enables MB/s). */
  bytes?: number;
  /** When set, the case is not run and this reason is printed instead of figures. */
  skip?: string;
}

/** An operation that may be asynchronous: only promises are awaited, so sync cases mix in freely. */
export interface AsyncCase {
  name: string;
  fn: () => unknown;
  bytes?: number;
  skip?: string;
}

export interface Result {
  name: string;
  /** Median over rounds (per second of the chosen clock). */
  opsPerSec: number;
  nsPerOp: number;
  /** Undefined when the case has no byte size. */
  mbPerSec?: number;
  /** Per-round ops/s, in round order. */
  rounds: number[];
  /**
   * Median share of one core this process got while the case ran (process CPU time / wall time).
   * Well below 1 for a single-threaded case means other processes were taking the CPU.
   */
  cpuShare: number;
  skipped?: string;
}

export interface RoundOptions {
  /** Number of measured rounds; the median is reported (default 7). */
  rounds?: number;
  /** Target wall time of one case in one round (default 80 ms). */
  roundMs?: number;
  /** Warm-up time per case before any measurement (default 300 ms). */
  warmupMs?: number;
  /**
   * What a round's time is: 'wall' (elapsed time) or 'cpu' (CPU time this process used, all
   * threads). 'cpu' is the default for synchronous single-threaded cases: on a shared machine it
   * leaves out the time other processes held the core, and equals wall time on an idle one. Cases
   * that wait on other threads or the network must use 'wall' (the default of `compareAsync`).
   */
  clock?: 'wall' | 'cpu';
}

let sink: unknown;
/** Keeps a value observable so the JIT cannot drop the work that produced it. */
export function consume(v: unknown): void {
  sink = v;
}
/** The last consumed value (exported so the sink itself is observable). */
export function lastConsumed(): unknown {
  return sink;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

function toResult(name: string, rounds: number[], shares: number[], bytes: number | undefined): Result {
  const ops = median(rounds);
  return {
    name,
    opsPerSec: ops,
    nsPerOp: 1e9 / ops,
    mbPerSec: bytes === undefined ? undefined : (ops * bytes) / MB,
    rounds,
    cpuShare: median(shares),
  };
}

function skipped(name: string, reason: string): Result {
  return { name, opsPerSec: NaN, nsPerOp: NaN, rounds: [], cpuShare: NaN, skipped: reason };
}

/** Process CPU time (user + system, all threads) in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` in batches until `ms` have passed; returns the number of operations per batch that
 * takes about `targetMs` (at least 1), learned from the warm-up itself.
 */
function warmSync(fn: () => unknown, ms: number, targetMs: number): number {
  let batch = 1;
  const t0 = now();
  let perOp = Infinity;
  for (;;) {
    const s = now();
    for (let i = 0; i < batch; i++) consume(fn());
    const dt = now() - s;
    perOp = Math.max(dt, 1e-4) / batch;
    if (now() - t0 >= ms) break;
    if (dt < 5) batch *= 2;
  }
  return Math.max(1, Math.floor(targetMs / perOp));
}

async function warmAsync(fn: () => unknown, ms: number, targetMs: number): Promise<number> {
  let batch = 1;
  const t0 = now();
  let perOp = Infinity;
  for (;;) {
    const s = now();
    for (let i = 0; i < batch; i++) {
      const v = fn();
      consume(v instanceof Promise ? await v : v);
    }
    const dt = now() - s;
    perOp = Math.max(dt, 1e-4) / batch;
    if (now() - t0 >= ms) break;
    if (dt < 5) batch *= 2;
  }
  return Math.max(1, Math.floor(targetMs / perOp));
}

/**
 * Measures every case, interleaved: after a warm-up of each, each round runs every case once (the
 * order rotates each round so no case always runs first or last), and the median round is
 * reported. Ratios between cases of one call are therefore measured under the same conditions.
 */
export function compareSync(cases: readonly SyncCase[], opts: RoundOptions = {}): Result[] {
  const cpuClock = (opts.clock ?? 'cpu') === 'cpu';
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 80;
  const warmupMs = opts.warmupMs ?? 300;
  const live = cases.map((c, i) => ({ c, i })).filter(({ c }) => !c.skip);
  const batches = new Map<number, number>();
  for (const { c, i } of live) batches.set(i, warmSync(c.fn, warmupMs, roundMs));
  const samples = new Map<number, number[]>(live.map(({ i }) => [i, []]));
  const shares = new Map<number, number[]>(live.map(({ i }) => [i, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < live.length; k++) {
      const { c, i } = live[(k + r) % live.length]!;
      const n = batches.get(i)!;
      const fn = c.fn;
      const c0 = cpuMs();
      const s = now();
      for (let j = 0; j < n; j++) consume(fn());
      const dt = now() - s;
      const dc = cpuMs() - c0;
      shares.get(i)!.push(dc / Math.max(dt, 1e-6));
      samples.get(i)!.push((n * 1000) / Math.max(cpuClock ? dc : dt, 1e-3));
    }
  }
  return cases.map((c, i) => (c.skip ? skipped(c.name, c.skip) : toResult(c.name, samples.get(i)!, shares.get(i)!, c.bytes)));
}

/**
 * The async counterpart of `compareSync`: an operation that returns a promise is awaited before the
 * next starts; synchronous operations run without an await, so both kinds compare fairly.
 */
export async function compareAsync(cases: readonly AsyncCase[], opts: RoundOptions = {}): Promise<Result[]> {
  const cpuClock = opts.clock === 'cpu';
  const rounds = opts.rounds ?? 7;
  const roundMs = opts.roundMs ?? 80;
  const warmupMs = opts.warmupMs ?? 300;
  const live = cases.map((c, i) => ({ c, i })).filter(({ c }) => !c.skip);
  const batches = new Map<number, number>();
  for (const { c, i } of live) batches.set(i, await warmAsync(c.fn, warmupMs, roundMs));
  const samples = new Map<number, number[]>(live.map(({ i }) => [i, []]));
  const shares = new Map<number, number[]>(live.map(({ i }) => [i, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < live.length; k++) {
      const { c, i } = live[(k + r) % live.length]!;
      const n = batches.get(i)!;
      const fn = c.fn;
      const c0 = cpuMs();
      const s = now();
      for (let j = 0; j < n; j++) {
        const v = fn();
        consume(v instanceof Promise ? await v : v);
      }
      const dt = now() - s;
      const dc = cpuMs() - c0;
      shares.get(i)!.push(dc / Math.max(dt, 1e-6));
      samples.get(i)!.push((n * 1000) / Math.max(cpuClock ? dc : dt, 1e-3));
    }
  }
  return cases.map((c, i) => (c.skip ? skipped(c.name, c.skip) : toResult(c.name, samples.get(i)!, shares.get(i)!, c.bytes)));
}

/**
 * Interleaved rounds of whole trials (e.g. one network transfer each): `trials[k]()` returns one
 * measured figure (higher is better unless the caller says otherwise); every round runs every
 * trial once in rotating order. Returns the per-trial lists of figures.
 */
export async function roundsOf<T>(trials: readonly (() => Promise<T>)[], rounds: number): Promise<T[][]> {
  const out: T[][] = trials.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < trials.length; k++) {
      const i = (k + r) % trials.length;
      out[i]!.push(await trials[i]!());
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtNum(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  return x.toPrecision(digits);
}

export function fmtMBps(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e4) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export function fmtUs(us: number): string {
  return fmtNs(us * 1e3);
}

/** `ours / peer` as "1.73×" (for rates: >1 means ours is faster). */
export function ratio(ours: number, peer: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(peer) || peer === 0) return '—';
  return fmtRatio(ours / peer);
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/**
 * The speed ratio of two cases measured in the same `compare*` call: the median over rounds of
 * ours/peer taken round by round, so each ratio pairs two measurements made moments apart (load
 * from other processes then cancels out better than in a ratio of two medians). Rates: >1 means
 * ours is faster. `scale` multiplies the result (e.g. packets per op of ours over the peer's).
 */
export function pairedRatio(ours: Result, peer: Result, scale = 1): number {
  const n = Math.min(ours.rounds.length, peer.rounds.length);
  if (n === 0) return NaN;
  const rs: number[] = [];
  for (let i = 0; i < n; i++) rs.push((ours.rounds[i]! / peer.rounds[i]!) * scale);
  return median(rs);
}

/**
 * A target printed beside a ratio, with whether this run met it: `≥ x` (at least x) or `≈ x`
 * (within 15% of x, or above it).
 */
export function target(r: number, kind: '≥' | '≈', x: number): string {
  const met = kind === '≥' ? r >= x : r >= x * 0.85;
  return `target ${kind} ${x}×: ${Number.isFinite(r) ? (met ? 'met' : 'missed') : '—'}`;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n >> 10} KiB`;
  return `${n} B`;
}

/** Prints an aligned text table (first column left-aligned, others right-aligned). */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

/** A note under a table (targets, caveats). */
export function note(text: string): void {
  console.log(`  ${text}`);
}

/**
 * Says under a table how busy the machine was: `results` are single-threaded cases; their median
 * CPU share is the part of a core this process actually got while they ran.
 */
export function noteContention(results: readonly Result[], clock: 'wall' | 'cpu'): void {
  const shares = results.filter((r) => !r.skipped && Number.isFinite(r.cpuShare)).map((r) => r.cpuShare);
  if (shares.length === 0) return;
  const m = median(shares);
  if (m >= 0.8) return;
  if (clock === 'cpu') {
    note(`busy machine: this process got ~${Math.round(m * 100)}% of a core; figures are per CPU-second of this`);
    note('process, which leaves the waiting out (they still run somewhat low: caches and cores are shared).');
  } else {
    note(`busy machine: this process got ~${Math.round(m * 100)}% of a core while measuring, so these wall-clock`);
    note('figures are low; ratios pair measurements taken moments apart and hold up better.');
  }
}

/** Prints the run's environment once, so figures can be read against the machine. */
export function printEnvironment(title: string): void {
  const c = cpus();
  console.log(title);
  console.log(`node ${process.version} ${process.platform}/${process.arch}, ${c.length} CPU(s)${c[0] ? ` (${c[0].model.trim()})` : ''}`);
  console.log('All figures are medians of interleaved rounds measured in this run; MB = 10^6 bytes.');
  console.log(`Load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes share these cores).`);
}

/** Deterministic filler bytes (xorshift32), so inputs are not all zeros. */
export function filledBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

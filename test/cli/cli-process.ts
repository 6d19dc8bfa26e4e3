// Running the built `net-mesh` (dist/node/cli.mjs) as separate processes: one-shot runs (through a
// shell when a pipeline is wanted) and long-running verbs whose printed lines the tests wait for —
// never sleeps as synchronisation. Every process started here is killed after the test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/node/cli.mjs', import.meta.url));
export const PSK = '5a'.repeat(32);

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);

const started = new Set<ChildProcess>();
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** The shell-quoted command line of `net-mesh <args>`. */
export function cliLine(args: readonly string[]): string {
  return [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess, input?: string | Buffer): Promise<CliResult> {
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      started.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `net-mesh <args>` to its end. */
export function runCli(args: readonly string[], opts: { cwd: string; input?: string | Buffer; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, opts.input ?? '');
}

/** Runs a bash script (pipefail on) to its end: for pipelines such as `... --out - | sha256sum`. */
export function runShell(script: string, opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  const child = spawn('bash', ['-c', `set -o pipefail\n${script}`], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child);
}

/** A long-running `net-mesh` verb: its stdout lines as they come, its stderr, its exit. */
export class CliProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly child: ChildProcess,
    readonly what: string,
  ) {
    started.add(child);
    child.stdout!.setEncoding('utf8').on('data', (t: string) => {
      this.partial += t;
      let nl;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        this.lines.push(this.partial.slice(0, nl));
        this.partial = this.partial.slice(nl + 1);
      }
      this.wake();
    });
    child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      this.stderr += t;
      this.wake();
    });
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        started.delete(child);
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  static start(args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new CliProcess(child, `net-mesh ${args.slice(0, 2).join(' ')}`);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `cond()` holds (checked on every output and at exit); rejects after `ms` or when the process exits first. */
  until<T>(cond: () => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = cond();
        if (v !== undefined) return done(() => resolve(v));
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done(() => reject(new Error(`${this.what} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; stderr: ${this.stderr}`)));
        }
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.what}: no ${what} within ${ms} ms; stderr: ${this.stderr}`))), ms);
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The n-th stdout line (0-based), once printed. */
  line(n = 0, ms = 60_000): Promise<string> {
    return this.until(() => this.lines[n], ms, `stdout line ${n}`);
  }

  /** Sends `signal` and resolves with the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** The attach parameters `net-mesh node` printed, as CLI flags (u64 node id kept exact). */
export interface AttachInfo {
  node_addr: string;
  node_pubkey: string;
  node_id: string;
  entity: string;
}

export function parseAttachLine(line: string): AttachInfo {
  const j = JSON.parse(line) as Record<string, unknown>;
  const id = /"node_id":(\d+)/.exec(line);
  if (!id) throw new Error(`no node_id in ${line}`);
  return { node_addr: String(j.node_addr), node_pubkey: String(j.node_pubkey), node_id: id[1]!, entity: String(j.entity) };
}

export function attachFlags(a: AttachInfo, identity: string): string[] {
  return ['--node-addr', a.node_addr, '--node-pubkey', a.node_pubkey, '--node-id', a.node_id, '--psk-hex', PSK, '--identity', identity];
}

/** `net-mesh node` on loopback with a store, accepting `cli.toml` (both created in `cwd`). */
export async function startNode(cwd: string, extra: string[] = []): Promise<{ node: CliProcess; attach: AttachInfo }> {
  const node = CliProcess.start(['node', '--listen', '127.0.0.1:0', '--psk-hex', PSK, '--identity', 'node.toml', '--store', 'store', '--accept-identity', 'cli.toml', ...extra], { cwd });
  return { node, attach: parseAttachLine(await node.line(0)) };
}

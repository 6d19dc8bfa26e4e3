// Start the relay from Node (or Bun): it needs Deno's WebTransport server, so this spawns
//   deno run --allow-net --unstable-net dist/deno/relay.mjs --stdin-lifeline [args]
// and resolves with the JSON line it prints. The relay exits when close() is called or when this
// process dies (its stdin closes). This is what a `net-mesh relay` verb on Node calls.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransportError } from '../errors.js';
import type { RelayStats } from './stats.js';

export interface SpawnRelayOptions {
  /** Relay flags (args.ts), e.g. ["--port", "4433"]. */
  args?: readonly string[];
  /** The deno executable. Default: $NET_MESH_DENO, the `deno` npm package's binary, else "deno" on PATH. */
  denoPath?: string;
  /** The relay bundle. Default: dist/node/relay.mjs of this package (dist/deno/relay.mjs from the sources). */
  entry?: string;
  /** How long to wait for the relay to listen, in ms. Default 30,000. */
  startTimeoutMs?: number;
  /** Receives the relay's standard error text (default: discarded). */
  onStderr?: (text: string) => void;
}

export interface SpawnedRelay {
  readonly url: string;
  readonly certificateHash: string;
  readonly pid: number;
  /** Settles with the relay's exit code (null: killed by a signal or never started) when it exits for any reason. */
  readonly exited: Promise<number | null>;
  /** Stop the relay; resolves with its final stats (undefined if it died without printing them). */
  close(): Promise<RelayStats | undefined>;
}

export function defaultDenoPath(): string {
  const env = (process.env.NET_MESH_DENO ?? '').trim();
  if (env !== '') return env;
  try {
    const pkg = createRequire(import.meta.url).resolve('deno/package.json');
    const bin = join(dirname(pkg), process.platform === 'win32' ? 'deno.exe' : 'deno');
    if (existsSync(bin)) return bin;
  } catch {
    // the deno package is not installed
  }
  return 'deno';
}

export function defaultRelayEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From the package (dist/node/relay.mjs beside this bundle: the only one an installed package
  // has), from a repository build (dist/deno/relay.mjs), or from the TypeScript source in ts/relay/.
  const candidates = [join(here, 'relay.mjs'), join(here, '..', 'deno', 'relay.mjs'), join(here, '..', '..', 'dist', 'deno', 'relay.mjs')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

export function spawnRelay(opts: SpawnRelayOptions = {}): Promise<SpawnedRelay> {
  const entry = opts.entry ?? defaultRelayEntry();
  if (!existsSync(entry)) return Promise.reject(new TransportError(`relay bundle not found at ${entry} (run node scripts/build.mjs)`));
  const child = spawn(
    opts.denoPath ?? defaultDenoPath(),
    ['run', '--allow-net', '--unstable-net', '--no-prompt', '--quiet', entry, '--stdin-lifeline', ...(opts.args ?? [])],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    partial += text;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      lines.push(partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < 16384) stderr += text;
    opts.onStderr?.(text);
  });
  const exited = new Promise<number | null>((resolve) => {
    // 'close', not 'exit': the last stdout lines (the stats) are read by then.
    child.once('close', (code) => resolve(code));
    child.once('error', (err) => {
      stderr += String(err);
      resolve(null);
    });
  });
  exited.then(() => {
    for (const w of waiters.splice(0)) w();
  });

  return new Promise<SpawnedRelay>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`the relay did not start within ${opts.startTimeoutMs ?? 30_000} ms`), opts.startTimeoutMs ?? 30_000);
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new TransportError(`${why}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    const check = (): void => {
      if (settled) return;
      const first = lines[0];
      if (first === undefined) {
        if (child.exitCode !== null || child.signalCode !== null) fail(`the relay exited (${child.exitCode ?? child.signalCode})`);
        else waiters.push(check);
        return;
      }
      let info: { url?: unknown; certificateHash?: unknown };
      try {
        info = JSON.parse(first);
      } catch {
        fail(`unexpected relay output ${JSON.stringify(first.slice(0, 200))}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({
        url: String(info.url),
        certificateHash: String(info.certificateHash),
        pid: child.pid!,
        exited,
        close: () => stop(child, exited, lines),
      });
    };
    exited.then(check);
    check();
  });
}

async function stop(child: ChildProcess, exited: Promise<number | null>, lines: string[]): Promise<RelayStats | undefined> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
  }
  for (const line of lines.slice(1)) {
    try {
      const parsed = JSON.parse(line) as { stats?: RelayStats };
      if (parsed.stats) return parsed.stats;
    } catch {
      // not a stats line
    }
  }
  return undefined;
}

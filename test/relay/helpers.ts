// Shared by the relay and browser tests: a UDP echo peer in Node and a Deno script runner.

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDenoPath } from '../../ts/relay/spawn.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface UdpEcho {
  address: string;
  /** Datagrams echoed so far. */
  echoed(): number;
  close(): Promise<void>;
}

/** A mesh peer stand-in: returns every datagram to its sender, unchanged. */
export async function startUdpEcho(): Promise<UdpEcho> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  let count = 0;
  socket.on('message', (msg, from) => {
    count++;
    socket.send(msg, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    echoed: () => count,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** Run a Deno script from the repository (sources imported as ./x.js), collecting its output. */
export function runDenoScript(
  script: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      defaultDenoPath(),
      ['run', '--allow-net', '--unstable-net', '--sloppy-imports', '--no-prompt', '--quiet', join(root, script), ...args],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last line of `text` that parses as JSON. */
export function lastJsonLine<T>(text: string): T {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as T;
    } catch {
      // not JSON
    }
  }
  throw new Error(`no JSON line in output: ${text.slice(-500)}`);
}

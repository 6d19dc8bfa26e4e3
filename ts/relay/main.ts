// The relay as a program (bundled to dist/deno/relay.mjs):
//   deno run --allow-net --unstable-net dist/deno/relay.mjs [options]
// Prints {"url","certificateHash"} as one JSON line once listening, runs until SIGINT/SIGTERM (or
// standard input closing, with --stdin-lifeline), then prints {"stats"} and exits 0. Bad options
// exit 2 with the message on standard error.

import { NetMeshError } from '../errors.js';
import { parseRelayArgs } from './args.js';
import { startRelay } from './server.js';

interface DenoMain {
  args: string[];
  stdout: { writeSync(b: Uint8Array): number };
  stderr: { writeSync(b: Uint8Array): number };
  stdin: { readable: ReadableStream<Uint8Array> };
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
}

const deno = (globalThis as unknown as { Deno: DenoMain }).Deno;
const enc = new TextEncoder();
const writeLine = (stream: { writeSync(b: Uint8Array): number }, text: string): void => {
  const bytes = enc.encode(`${text}\n`);
  for (let off = 0; off < bytes.length; ) off += stream.writeSync(bytes.subarray(off));
};

async function run(): Promise<number> {
  let args;
  try {
    args = parseRelayArgs(deno.args);
  } catch (err) {
    writeLine(deno.stderr, err instanceof Error ? err.message : String(err));
    return 2;
  }
  const relay = await startRelay(args.options);
  writeLine(deno.stdout, JSON.stringify({ url: relay.url, certificateHash: relay.certificateHash }));
  await new Promise<void>((resolve) => {
    deno.addSignalListener('SIGINT', resolve);
    deno.addSignalListener('SIGTERM', resolve);
    if (args.stdinLifeline) void drain(deno.stdin.readable).then(resolve);
  });
  await relay.close();
  writeLine(deno.stdout, JSON.stringify({ stats: relay.stats() }));
  return 0;
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  try {
    const reader = stream.getReader();
    while (!(await reader.read()).done);
  } catch {
    // stdin failed: treat it as closed
  }
}

run().then(
  (code) => deno.exit(code),
  (err) => {
    writeLine(deno.stderr, `relay: ${err instanceof NetMeshError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    deno.exit(1);
  },
);

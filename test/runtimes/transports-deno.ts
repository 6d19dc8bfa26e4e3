// Deno smoke run of the transports. Run from the repository root:
//   npx deno run -A --unstable-net --sloppy-imports test/runtimes/transports-deno.ts
// The project imports "./x.js" while the sources are "x.ts". Deno 2.9 maps those by itself here
// because the root has package.json + tsconfig.json ("moduleResolution": "Bundler");
// --sloppy-imports makes that explicit so the run does not depend on it. --unstable-net exposes
// Deno.listenDatagram so the native path runs too (without it only node:dgram is exercised).
// Exits non-zero on failure.

import { defaultTransport, detectRuntime } from '../../ts/transports/default.js';
import { DenoTransport, denoHasListenDatagram } from '../../ts/transports/deno.js';
import { check, smokeEdges, smokeHub, smokePair } from './transport-smoke-lib.js';

async function main(): Promise<void> {
  check(detectRuntime() === 'deno', `detectRuntime() = ${detectRuntime()}`);
  const native = denoHasListenDatagram();
  const d = defaultTransport();
  check(d instanceof DenoTransport && d.api === (native ? 'native' : 'node'), `default transport api ${(d as DenoTransport).api}`);
  // Deno cannot enlarge SO_RCVBUF (see ts/transports/deno.ts): bursts of 8 full-size datagrams.
  await smokePair('deno node:dgram', () => new DenoTransport({ api: 'node' }), 1000, 8);
  await smokeEdges('deno node:dgram', () => new DenoTransport({ api: 'node' }));
  if (native) {
    await smokePair('deno native (Deno.listenDatagram)', () => new DenoTransport({ api: 'native' }), 1000, 8);
    await smokeEdges('deno native', () => new DenoTransport({ api: 'native' }));
  } else {
    check(new DenoTransport({ api: 'native' }).api === 'node', 'api "native" falls back to node:dgram');
    console.log('note: Deno.listenDatagram unavailable (no --unstable-net); native path not exercised');
  }
  await smokeHub();
}

main().then(
  () => {
    console.log('transports-deno: all checks passed');
  },
  (err) => {
    console.error('transports-deno: FAILED:', err);
    (globalThis as unknown as { Deno: { exit(code: number): never } }).Deno.exit(1);
  },
);

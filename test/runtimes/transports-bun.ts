// Bun smoke run of the transports. Run from the repository root:
//   npx bun test/runtimes/transports-bun.ts
// (Bun resolves the project's "./x.js" imports to the "x.ts" sources by itself.) Exercises the
// default transport (node:dgram with 4 MiB buffers) and the native Bun.udpSocket path. Exits
// non-zero on failure.

import { defaultTransport, detectRuntime } from '../../ts/transports/default.js';
import { BunTransport, bunHasUdpSocket } from '../../ts/transports/bun.js';
import { check, smokeEdges, smokeHub, smokePair } from './transport-smoke-lib.js';

async function main(): Promise<void> {
  check(detectRuntime() === 'bun', `detectRuntime() = ${detectRuntime()}`);
  const d = defaultTransport();
  check(d instanceof BunTransport && d.api === 'node', 'default transport is BunTransport over node:dgram');
  await smokePair('bun default (node:dgram)', () => defaultTransport(), 1000, 64);
  await smokeEdges('bun node:dgram', () => new BunTransport({ api: 'node' }));
  check(bunHasUdpSocket(), 'Bun.udpSocket exists');
  check(new BunTransport({ api: 'native' }).api === 'native', 'api "native" picks Bun.udpSocket');
  // The native socket keeps the kernel's default receive buffer: smaller bursts.
  await smokePair('bun native (Bun.udpSocket + sendMany)', () => new BunTransport({ api: 'native' }), 1000, 8);
  await smokeEdges('bun native', () => new BunTransport({ api: 'native' }));
  await smokeHub();
}

main().then(
  () => {
    console.log('transports-bun: all checks passed');
  },
  (err) => {
    console.error('transports-bun: FAILED:', err);
    process.exit(1);
  },
);

// Picks the UDP adapter for the running runtime. Deno and Bun are checked first because both also
// expose a Node-compatible `process.versions.node`.

import { TransportError } from '../errors.js';
import { BunTransport, type BunTransportOptions } from './bun.js';
import { DenoTransport, type DenoTransportOptions } from './deno.js';
import { NodeDgramTransport, type NodeDgramOptions } from './node-dgram.js';
import type { Transport } from './transport.js';

export type RuntimeName = 'deno' | 'bun' | 'node' | 'unknown';

export function detectRuntime(): RuntimeName {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: { node?: string; bun?: string } };
  };
  if (typeof g.Deno?.version?.deno === 'string') return 'deno';
  if (typeof g.Bun?.version === 'string' || typeof g.process?.versions?.bun === 'string') return 'bun';
  if (typeof g.process?.versions?.node === 'string') return 'node';
  return 'unknown';
}

export type DefaultTransportOptions = NodeDgramOptions & DenoTransportOptions & BunTransportOptions;

/**
 * A fresh, unbound UDP transport for this runtime (Node dgram, Deno or Bun). Throws TransportError
 * where there is no UDP (browsers): pass a transport explicitly there.
 */
export function defaultTransport(opts: DefaultTransportOptions = {}): Transport {
  switch (detectRuntime()) {
    case 'deno':
      return new DenoTransport(opts);
    case 'bun':
      return new BunTransport(opts);
    case 'node':
      return new NodeDgramTransport(opts);
    default:
      throw new TransportError('no UDP socket API in this runtime; pass a transport to MeshNode.create');
  }
}

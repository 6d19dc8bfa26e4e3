// Public surface of the transports folder (sdk.md "Transports"), re-exported by ts/index.ts.
// Adapter internals (the native Deno/Bun sockets, address parsing, runtime detection) stay out.
export type { Datagram, Transport, TransportStats } from './transport.js';
export { NodeDgramTransport, type NodeDgramOptions } from './node-dgram.js';
export { DenoTransport, type DenoTransportOptions } from './deno.js';
export { BunTransport, type BunTransportOptions } from './bun.js';
export {
  MemoryHub,
  MemoryTransport,
  type MemoryHubOptions,
  type MemoryHubStats,
  type LinkConditions,
  type Tap,
  type TapVerdict,
} from './memory-hub.js';
export { WebTransportTransport, type WebTransportTransportOptions } from './webtransport.js';

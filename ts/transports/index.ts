// Public surface of the transports folder (re-exported by ts/index.ts).
export {
  type Datagram,
  type Transport,
  type TransportStats,
  MAX_DATAGRAM_BYTES,
  DEFAULT_SOCKET_BUFFER_BYTES,
} from './transport.js';
export {
  type ParsedAddress,
  type IpAddress,
  type AddressFamily,
  parseAddress,
  parseIpAddress,
  formatAddress,
  normalizeAddress,
  isIPv4,
  isIPv6,
} from './address.js';
export { NodeDgramTransport, type NodeDgramOptions } from './node-dgram.js';
export { DenoTransport, DenoNativeTransport, denoHasListenDatagram, type DenoTransportOptions } from './deno.js';
export { BunTransport, BunNativeTransport, bunHasUdpSocket, type BunTransportOptions } from './bun.js';
export {
  MemoryHub,
  MemoryTransport,
  type MemoryHubOptions,
  type MemoryHubStats,
  type LinkConditions,
  type Tap,
  type TapVerdict,
} from './memory-hub.js';
export { defaultTransport, detectRuntime, type RuntimeName, type DefaultTransportOptions } from './default.js';
export { WebTransportTransport, type WebTransportTransportOptions } from './webtransport.js';

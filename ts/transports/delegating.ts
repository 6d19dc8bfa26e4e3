// The Bun and Deno transports each pick one of two implementations when constructed (the runtime's
// own UDP API or its node:dgram); this base forwards the Transport interface to the one picked.

import { InvalidArgumentError } from '../errors.js';
import type { Datagram, Transport, TransportStats } from './transport.js';

/** Which UDP API a runtime transport should use; see BunTransportOptions / DenoTransportOptions. */
export type RuntimeApiChoice = 'auto' | 'native' | 'node';

/** `api` with its default ("auto"), refusing anything else with InvalidArgumentError. */
export function runtimeApiChoice(api: RuntimeApiChoice | undefined): RuntimeApiChoice {
  const want = api ?? 'auto';
  if (want !== 'auto' && want !== 'native' && want !== 'node') {
    throw new InvalidArgumentError(`api must be "auto", "native" or "node", got ${JSON.stringify(want)}`);
  }
  return want;
}

/** A Transport that forwards every call to `inner`. */
export class DelegatingTransport implements Transport {
  readonly probe?: (address: string, payload: Uint8Array, unreachable: (detail: string) => void) => boolean;

  constructor(private readonly inner: Transport) {
    if (inner.probe) this.probe = (address, payload, unreachable) => inner.probe!(address, payload, unreachable);
  }

  get address(): string {
    return this.inner.address;
  }
  bind(address: string): Promise<string> {
    return this.inner.bind(address);
  }
  send(batch: readonly Datagram[]): void {
    this.inner.send(batch);
  }
  onReceive(handler: (batch: Datagram[]) => void): void {
    this.inner.onReceive(handler);
  }
  sendBacklog(): number {
    return this.inner.sendBacklog?.() ?? 0;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  stats(): TransportStats {
    return this.inner.stats();
  }
}

// The Deno and Bun adapters and the runtime picker, as seen from Node: without Deno.listenDatagram
// or Bun.udpSocket they fall back to node:dgram (the native paths run in test/runtimes/).
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../ts/errors.js';
import { BunNativeTransport, BunTransport, bunHasUdpSocket } from '../../ts/transports/bun.js';
import { defaultTransport, detectRuntime } from '../../ts/transports/default.js';
import { DenoNativeTransport, DenoTransport, denoHasListenDatagram } from '../../ts/transports/deno.js';
import { NodeDgramTransport } from '../../ts/transports/node-dgram.js';
import type { Datagram, Transport } from '../../ts/transports/transport.js';

const g = globalThis as Record<string, unknown>;
afterEach(() => {
  delete g.Deno;
  delete g.Bun;
});

async function roundTrip(make: () => Transport): Promise<void> {
  const a = make();
  const b = make();
  try {
    await a.bind('127.0.0.1:0');
    await b.bind('127.0.0.1:0');
    const got = new Promise<Datagram[]>((resolve) => b.onReceive(resolve));
    a.send([
      { data: new Uint8Array([1, 2, 3]), address: b.address },
      { data: new Uint8Array([4]), address: b.address },
    ]);
    const batch = await got;
    expect(batch.map((d) => [...d.data])).toEqual([[1, 2, 3], [4]]);
    expect(batch.every((d) => d.address === a.address)).toBe(true);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

describe('runtime selection', () => {
  it('detects Node and gives a node:dgram transport', () => {
    expect(detectRuntime()).toBe('node');
    expect(defaultTransport()).toBeInstanceOf(NodeDgramTransport);
  });

  it('detects Deno and Bun by their globals', () => {
    g.Deno = { version: { deno: '2.0.0' } };
    expect(detectRuntime()).toBe('deno');
    expect(defaultTransport()).toBeInstanceOf(DenoTransport);
    delete g.Deno;
    g.Bun = { version: '1.2.0' };
    expect(detectRuntime()).toBe('bun');
    expect(defaultTransport()).toBeInstanceOf(BunTransport);
  });

  it('Deno and Bun adapters fall back to node:dgram when the native API is missing', async () => {
    expect(denoHasListenDatagram()).toBe(false);
    expect(bunHasUdpSocket()).toBe(false);
    for (const api of ['auto', 'native', 'node'] as const) {
      expect(new DenoTransport({ api }).api).toBe('node');
      expect(new BunTransport({ api }).api).toBe('node');
    }
    await roundTrip(() => new DenoTransport());
    await roundTrip(() => new BunTransport());
    expect(() => new DenoTransport({ api: 'fast' as never })).toThrow(/api must be/);
  });

  it('the native classes refuse to bind without their API', async () => {
    await expect(new DenoNativeTransport().bind('127.0.0.1:0')).rejects.toThrow(TransportError);
    await expect(new DenoNativeTransport().bind('127.0.0.1:0')).rejects.toThrow(/--unstable-net/);
    await expect(new BunNativeTransport().bind('127.0.0.1:0')).rejects.toThrow(/Bun.udpSocket/);
  });

  it('serialised node:dgram sends (the Deno fallback mode) keep order', async () => {
    const a = new NodeDgramTransport({ serialSend: true });
    const b = new NodeDgramTransport();
    try {
      await a.bind('127.0.0.1:0');
      await b.bind('127.0.0.1:0');
      const seen: number[] = [];
      const done = new Promise<void>((resolve) =>
        b.onReceive((batch) => {
          for (const d of batch) seen.push(d.data[0]!);
          if (seen.length === 200) resolve();
        }),
      );
      a.send(Array.from({ length: 200 }, (_, i) => ({ data: new Uint8Array([i]), address: b.address })));
      await done;
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

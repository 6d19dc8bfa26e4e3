// connect()'s failures on loopback UDP, in both engine placements: each surfaces with its own code
// and promptly (bounds are generous: the measured times are milliseconds, the bounds seconds).
import { afterEach, describe, expect, it } from 'vitest';
import { HandshakeError, InvalidArgumentError } from '../../ts/errors.js';
import { Identity } from '../../ts/identity/identity.js';
import { NodeDgramTransport } from '../../ts/transports/node-dgram.js';
import { NodeSet, PLACEMENTS, deadPort, peerOf, rejection } from './helpers.js';
import { until } from '../node/helpers.js';

const set = new NodeSet();
afterEach(() => set.close());

/** A well-formed Noise key of some node that does not exist. */
const strangerKey = (): Uint8Array => Identity.generate().noiseKeypair().publicKey;

describe.each(PLACEMENTS)('%s engine: connect errors', (engine) => {
  it('PEER_UNREACHABLE when nothing listens on the port (ICMP port unreachable), in well under a second', async () => {
    const a = await set.node(engine);
    const address = await deadPort();
    const { err, ms } = await rejection(a.connect(address, { publicKey: strangerKey(), nodeId: 77n }));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err.code).toBe('PEER_UNREACHABLE');
    expect(err.message).toContain(address);
    expect(ms).toBeLessThan(3000);
    expect(a.peers()).toEqual([]);
  });

  it('PEER_UNREACHABLE through an app-supplied UDP transport too (bridged to a worker engine, or inline)', async () => {
    const a = await set.node(engine, { transport: new NodeDgramTransport() });
    const address = await deadPort();
    const { err, ms } = await rejection(a.connect(address, { publicKey: strangerKey(), nodeId: 78n }));
    expect(err.code).toBe('PEER_UNREACHABLE');
    expect(ms).toBeLessThan(3000);
  });

  it('a responder counts and reports a handshake from a node it has not accept()ed; the initiator times out within timeoutMs', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    const { err, ms } = await rejection(a.connect(b.address, peerOf(b), { timeoutMs: 600 }));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    expect(err.message).toMatch(/timeoutMs \(600 ms\)/);
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(3000);
    await until(() => b.stats().handshakesRefused.unaccepted >= 1, 3000, 'the refusal to be counted');
    expect(b.stats().handshakesRefused.unauthenticated).toBe(0);
    expect(b.stats().dropped.handshake).toBeGreaterThanOrEqual(1);
    await until(() => b.warned.some((w) => w.code === 'HANDSHAKE_NOT_ACCEPTED'), 3000, 'the warning');
    const w = b.warned.find((x) => x.code === 'HANDSHAKE_NOT_ACCEPTED')!;
    expect(w.message).toContain(String(a.nodeId));
    expect(w.message).toContain('accept');
  });

  it("the initiator's timeout says a socket listens there when no ICMP unreachable came back", async () => {
    const a = await set.node(engine, { handshakeTimeoutMs: 300, handshakeAttempts: 1 });
    const b = await set.node(engine);
    const { err, ms } = await rejection(a.connect(b.address, peerOf(b)));
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    expect(err.message).toMatch(/no ICMP unreachable/);
    expect(err.message).toMatch(/accept\(\)ed/);
    expect(ms).toBeLessThan(3000);
  });

  it('a responder counts and reports a handshake under a different PSK', async () => {
    const a = await set.node(engine, { psk: 'ee'.repeat(32) });
    const b = await set.node(engine);
    b.accept(a.nodeId);
    const { err } = await rejection(a.connect(b.address, peerOf(b), { timeoutMs: 600 }));
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    await until(() => b.stats().handshakesRefused.unauthenticated >= 1, 3000, 'the refusal to be counted');
    expect(b.stats().handshakesRefused.unaccepted).toBe(0);
    await until(() => b.warned.some((w) => w.code === 'HANDSHAKE_UNAUTHENTICATED'), 3000, 'the warning');
    expect(b.warned.find((w) => w.code === 'HANDSHAKE_UNAUTHENTICATED')!.message).toMatch(/PSK/);
  });

  it('CONNECT_ABORTED when the signal fires, promptly, and the engine stops its attempts', async () => {
    const a = await set.node(engine, { handshakeTimeoutMs: 150 });
    const hole = await set.silent();
    const ac = new AbortController();
    const reason = new Error('user gave up');
    setTimeout(() => ac.abort(reason), 100);
    const { err, ms } = await rejection(a.connect(hole.address, { publicKey: strangerKey(), nodeId: 5n }, { signal: ac.signal }));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err.code).toBe('CONNECT_ABORTED');
    expect(err.cause).toBe(reason);
    expect(ms).toBeLessThan(2000);
    // msg1 (116 bytes) stops arriving: with 150 ms attempts a live connect would send another within ~500 ms.
    await new Promise((r) => setTimeout(r, 200));
    const seen = hole.received.filter((n) => n === 116).length;
    await new Promise((r) => setTimeout(r, 800));
    expect(hole.received.filter((n) => n === 116).length).toBe(seen);
  });

  it('an already aborted signal rejects at once without sending', async () => {
    const a = await set.node(engine);
    const hole = await set.silent();
    const ac = new AbortController();
    ac.abort();
    const { err } = await rejection(a.connect(hole.address, { publicKey: strangerKey(), nodeId: 5n }, { signal: ac.signal }));
    expect(err.code).toBe('CONNECT_ABORTED');
    await new Promise((r) => setTimeout(r, 100));
    expect(hole.received).toEqual([]);
  });

  it('timeoutMs bounds a connect to a silent address (HANDSHAKE_TIMEOUT)', async () => {
    const a = await set.node(engine);
    const hole = await set.silent();
    const { err, ms } = await rejection(a.connect(hole.address, { publicKey: strangerKey(), nodeId: 5n }, { timeoutMs: 300 }));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3000);
  });

  it('a host name is resolved through the runtime; one that does not resolve is ADDRESS_UNRESOLVED', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    b.accept(a.nodeId);
    const port = b.address.split(':')[1];
    const info = await a.connect(`localhost:${port}`, peerOf(b), { timeoutMs: 10_000 });
    expect(info.nodeId).toBe(b.nodeId);
    expect(info.address).toBe(b.address);
    const { err } = await rejection(a.connect('no-such-host.invalid:7447', { publicKey: strangerKey(), nodeId: 5n }));
    expect(err).toBeInstanceOf(HandshakeError);
    expect(err.code).toBe('ADDRESS_UNRESOLVED');
    expect(err.message).toContain('no-such-host.invalid');
  });

  it('connecting to itself is refused as an argument error, not reported as a wrong PSK', async () => {
    const a = await set.node(engine);
    for (const call of [
      () => a.connect(a.address, peerOf(a)),
      () => a.connect(a.contact),
      () => a.connect('127.0.0.1:9', { publicKey: a.noisePublicKey, nodeId: 3n }),
    ]) {
      const { err } = await rejection(call());
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toMatch(/itself/);
    }
  });
});

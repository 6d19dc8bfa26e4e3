// Arguments refused up front with INVALID_ARGUMENT naming the field (issue 9 findings 8 and 12):
// node options, accept/openStream/events ids, and connect's peer; and stats().bytesOut is live.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../ts/errors.js';
import { MeshNode } from '../../ts/node/mesh-node.js';
import { NodeSet, PLACEMENTS, PSK, peerOf, rejection } from './helpers.js';
import { until } from '../node/helpers.js';

const set = new NodeSet();
afterEach(() => set.close());

function refused(f: () => unknown, field: string): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, field).toBeInstanceOf(InvalidArgumentError);
  expect((err as InvalidArgumentError).code).toBe('INVALID_ARGUMENT');
  expect((err as Error).message, field).toContain(field);
}

describe('MeshNode.create options', () => {
  const bad: [string, unknown][] = [
    ['heartbeatIntervalMs', 3e9],
    ['heartbeatIntervalMs', 0],
    ['heartbeatIntervalMs', 'abc'],
    ['sessionTimeoutMs', Number.NaN],
    ['sessionTimeoutMs', 1e12],
    ['handshakeTimeoutMs', 'abc'],
    ['handshakeTimeoutMs', -5],
    ['handshakeAttempts', 0],
    ['handshakeAttempts', 1.5],
    ['handshakeAttempts', '3'],
    ['minAnnounceIntervalMs', -1],
    ['minAnnounceIntervalMs', 'often'],
    ['autoRefreshAnnouncements', 'yes'],
    ['receiveBudgetBytes', 1.5],
    ['maxWindowBytes', 100],
    ['keyDerivation', 'blake'],
    ['engine', 'thread'],
    ['accept', 'all'],
    ['bind', 7447],
    ['transport', {}],
    ['noiseSecretKey', new Uint8Array(31)],
  ];
  it.each(bad)('refuses %s = %s, naming it, before any socket exists', async (field, value) => {
    const { err } = await rejection(MeshNode.create({ psk: PSK, engine: 'inline', [field]: value }));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain(field);
  });
});

describe.each(PLACEMENTS)('%s engine: ids and arguments', (engine) => {
  it('accept() refuses ids outside u64 and numbers', async () => {
    const a = await set.node(engine);
    refused(() => a.accept(-1n), 'nodeId');
    refused(() => a.accept(2n ** 64n), 'nodeId');
    refused(() => a.accept(5 as unknown as bigint), 'nodeId');
    refused(() => a.accept('some' as 'any'), 'nodeId');
    a.accept(2n ** 64n - 1n);
    a.accept(0n);
  });

  it('a refused accept() leaves inbound handshakes working', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    refused(() => b.accept(-1n), 'nodeId');
    b.accept(a.nodeId);
    await a.connect(b.address, peerOf(b), { timeoutMs: 10_000 });
    expect(b.peers().map((p) => p.nodeId)).toEqual([a.nodeId]);
  });

  it('openStream refuses a negative or oversized stream id instead of wrapping it', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    b.accept(a.nodeId);
    await a.connect(b.address, peerOf(b));
    refused(() => a.openStream(b.nodeId, -1n), 'streamId');
    refused(() => a.openStream(b.nodeId, 2n ** 64n), 'streamId');
    refused(() => a.openStream(b.nodeId, 1 as unknown as bigint), 'streamId');
    refused(() => a.openStream(-2n, 1n), 'peer');
    expect(a.openStream(b.nodeId, 2n ** 64n - 2n)).toBeDefined();
  });

  it('events() refuses a number where a bigint id belongs (it would never match)', async () => {
    const a = await set.node(engine);
    refused(() => a.events({ stream: 1 as unknown as bigint }), 'stream');
    refused(() => a.events({ from: 2 as unknown as bigint }), 'from');
    refused(() => a.events({ signal: 'x' as unknown as AbortSignal }), 'signal');
  });

  it('connect refuses a bad node id, a small-order key, a bad address and bad options at once', async () => {
    const a = await set.node(engine);
    const key = new Uint8Array(32).fill(9);
    const lowOrder = [new Uint8Array(32), Uint8Array.from([1, ...new Array(31).fill(0)])];
    const cases: [Promise<unknown>, string][] = [
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: -1n }), 'peer.nodeId'],
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: 2n ** 64n }), 'peer.nodeId'],
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: 7 as unknown as bigint }), 'peer.nodeId'],
      [a.connect('127.0.0.1:9', { publicKey: key.subarray(1), nodeId: 7n }), 'peer.publicKey'],
      ...lowOrder.map((k): [Promise<unknown>, string] => [a.connect('127.0.0.1:9', { publicKey: k, nodeId: 7n }), 'peer.publicKey']),
      [a.connect('127.0.0.1', { publicKey: key, nodeId: 7n }), 'address'],
      [a.connect(undefined as unknown as string, { publicKey: key, nodeId: 7n }, { via: -1n }), 'via'],
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: 7n }, { via: 7n }), 'via'],
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: 7n }, { timeoutMs: -1 }), 'timeoutMs'],
      [a.connect('127.0.0.1:9', { publicKey: key, nodeId: 7n }, { signal: {} as AbortSignal }), 'signal'],
      [a.connect('nm1:zz@1.2.3.4:5#6'), 'contact.key'],
    ];
    for (const [p, field] of cases) {
      const { err, ms } = await rejection(p);
      expect(err, field).toBeInstanceOf(InvalidArgumentError);
      expect(err.message, field).toContain(field);
      expect(ms).toBeLessThan(1000);
    }
    expect(a.stats().packetsOut).toBe(0);
  });

  it('stats().bytesOut and packetsOut count what the node sent', async () => {
    const a = await set.node(engine);
    const b = await set.node(engine);
    b.accept(a.nodeId);
    await a.connect(b.address, peerOf(b));
    await a.openStream(b.nodeId, 1n).send([new Uint8Array(1000)]);
    await until(() => a.stats().bytesOut > 1000 && b.stats().bytesIn > 1000, 3000, 'bytes counted');
    expect(a.stats().packetsOut).toBeGreaterThanOrEqual(2);
    expect(b.stats().bytesOut).toBeGreaterThan(0);
  });
});

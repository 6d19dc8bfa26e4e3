// Off-thread BLAKE3 (ts/core/hash-worker.ts): the async forms equal the synchronous core across
// sizes and around the offload threshold, copies leave the caller's bytes alone, moved buffers
// come back intact, the incremental hasher matches, and a worker terminated mid-hash fails its
// pending hashes with a typed error before the next call starts a new worker.
import { afterAll, describe, expect, it } from 'vitest';
import { blake3 } from '../../ts/core/blake3.js';
import { Blake3Async, HASH_OFFLOAD_THRESHOLD, blake3Async, blake3Moved, offloads, terminateHashWorkers } from '../../ts/core/hash-worker.js';
import { patternBytes as bytes, sameBytes as same } from '../dataforts/helpers.js';
import { HashWorkerFailedError, NetMeshError } from '../../ts/errors.js';

const T = HASH_OFFLOAD_THRESHOLD;



afterAll(() => terminateHashWorkers());

describe('hash worker', () => {
  it('offloads inputs at the threshold and above only (Node has workers)', () => {
    expect(offloads(T - 1)).toBe(false);
    expect(offloads(T)).toBe(true);
  });

  const SIZES = [0, 1, 1024, T - 1, T, T + 1, 4 * 1024 * 1024 + 3, 9 * 1024 * 1024];
  it.each(SIZES)('blake3Async equals blake3 for %i bytes and leaves the input intact', async (n) => {
    const data = bytes(n, n + 1);
    const before = data.slice();
    expect(await blake3Async(data)).toEqual(blake3(before));
    expect(same(data, before)).toBe(true);
  });

  it.each(SIZES)('blake3Moved equals blake3 for %i bytes and hands the same bytes back', async (n) => {
    const data = bytes(n, n + 7);
    const expected = blake3(data);
    const copy = data.slice();
    const r = await blake3Moved(data);
    expect(r.hash).toEqual(expected);
    expect(same(r.bytes, copy)).toBe(true);
  });

  it('a part of a larger buffer is copied, not moved (its neighbours stay usable)', async () => {
    const big = bytes(3 * T, 3);
    const part = big.subarray(T, 3 * T);
    const r = await blake3Moved(part);
    expect(r.hash).toEqual(blake3(big.subarray(T)));
    expect(big.length).toBe(3 * T); // not detached
    expect(r.bytes).toBe(part);
  });

  it('hashes SharedArrayBuffer-backed input in place', async () => {
    const shared = new Uint8Array(new SharedArrayBuffer(2 * T));
    shared.set(bytes(2 * T, 9));
    expect(await blake3Async(shared)).toEqual(blake3(shared));
  });

  it('many concurrent hashes all answer correctly', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => bytes(T + i * 4099, i + 20));
    const got = await Promise.all(inputs.map((d) => blake3Async(d)));
    got.forEach((h, i) => expect(h).toEqual(blake3(inputs[i]!)));
  });

  it('Blake3Async absorbs updates and hashAndUpdate in order; digest continues', async () => {
    const data = bytes(11 * 1024 * 1024 + 5, 4);
    const h = new Blake3Async();
    try {
      const a = data.subarray(0, 4 * 1024 * 1024);
      const r = await h.hashAndUpdate(a);
      expect(r.hash).toEqual(blake3(a));
      h.update(data.subarray(a.length, a.length + 17)).update(data.subarray(a.length + 17, 9 * 1024 * 1024));
      expect(await h.digest()).toEqual(blake3(data.subarray(0, 9 * 1024 * 1024)));
      const own = data.slice(9 * 1024 * 1024);
      const moved = await h.hashAndUpdate(own, true);
      expect(same(moved.bytes, data.subarray(9 * 1024 * 1024))).toBe(true);
      expect(await h.digest()).toEqual(blake3(data));
    } finally {
      h.dispose();
    }
  });

  it('a worker terminated mid-hash fails its pending hashes with a typed error; the next call starts a new worker', async () => {
    const big = bytes(64 * 1024 * 1024, 5);
    const session = new Blake3Async();
    session.update(big.subarray(0, 8 * 1024 * 1024));
    const pending = [blake3Async(big), blake3Async(big.subarray(0, 32 * 1024 * 1024)), session.digest()];
    const settled = Promise.allSettled(pending);
    terminateHashWorkers();
    for (const r of await settled) {
      expect(r.status).toBe('rejected');
      const e = (r as PromiseRejectedResult).reason;
      expect(e).toBeInstanceOf(HashWorkerFailedError);
      expect(e).toBeInstanceOf(NetMeshError);
      expect((e as NetMeshError).code).toBe('HASH_WORKER_FAILED');
    }
    // The session lived on the dead worker: it stays failed, typed.
    await expect(session.digest()).rejects.toBeInstanceOf(HashWorkerFailedError);
    session.dispose();
    // Recovery: a new worker answers, and a new session works.
    const small = big.subarray(0, 2 * T);
    expect(await blake3Async(small)).toEqual(blake3(small));
    const again = new Blake3Async();
    again.update(small);
    expect(await again.digest()).toEqual(blake3(small));
    again.dispose();
  });
});

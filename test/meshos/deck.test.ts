// Deck watch surfaces (meshos-cli.md §2) over a MeshOs fed synthetic inputs: woken by the change
// signal, with the 100 ms ceiling as the only other wake-up.
import { afterEach, describe, expect, it } from 'vitest';
import { MeshOs } from '../../ts/meshos/meshos.js';
import { DeckError } from '../../ts/errors.js';
import type { MeshOsSnapshot, StatusSummary } from '../../ts/meshos/types.js';
import { FakeNodeDeps } from './fake-deps.js';
import { ManualClock, settle } from './manual-clock.js';

const SELF = 1n;
let open: MeshOs[] = [];
afterEach(() => {
  for (const m of open) m.close();
  open = [];
});

function manual(): { clock: ManualClock; deps: FakeNodeDeps; os: MeshOs } {
  const clock = new ManualClock(0);
  const deps = new FakeNodeDeps(SELF);
  const os = new MeshOs(deps, { clock });
  open.push(os);
  deps.setPeer(2n, 'healthy', 4);
  return { clock, deps, os };
}

const failed = (peer: bigint) => (s: MeshOsSnapshot) => s.peers.get(peer)?.health === 'unreachable';

/** Pulls from an async iterator in the background, recording values. */
function drain<T>(it: AsyncIterator<T>): { values: T[]; done: Promise<void> } {
  const values: T[] = [];
  const done = (async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      values.push(r.value);
    }
  })();
  return { values, done };
}

describe('Deck (manual clock)', () => {
  it('watch resolves at once when the predicate holds, else on the change that makes it hold', async () => {
    const { deps, os } = manual();
    const now = await os.deck.watch((s) => s.peers.has(2n));
    expect(now.peers.get(2n)!.health).toBe('healthy');
    let resolved: MeshOsSnapshot | undefined;
    void os.deck.watch(failed(2n)).then((s) => (resolved = s));
    await settle();
    expect(resolved).toBeUndefined();
    deps.setPeer(2n, 'failed');
    await settle();
    expect(resolved!.peers.get(2n)!.health).toBe('unreachable');
  });

  it('watch wakes on the ceiling when no change comes: at most one wake-up per 100 ms', async () => {
    const { clock, os } = manual();
    let calls = 0;
    const ac = new AbortController();
    const w = os.deck.watch(() => (calls++, false), { signal: ac.signal });
    await clock.advance(10_000);
    // 1 initial test + one per ceiling elapse (the loop's idle ticks publish no change).
    expect(calls).toBe(1 + 100);
    ac.abort(new Error('enough'));
    await expect(w).rejects.toThrow('enough');
  });

  it('watchTimeout rejects with DeckError watch_timeout; its envelope round-trips', async () => {
    const { clock, os } = manual();
    const w = os.deck.watchTimeout(failed(2n), 1000);
    const caught = w.catch((e: unknown) => e);
    await clock.advance(999);
    await clock.advance(1);
    const err = (await caught) as DeckError;
    expect(err).toBeInstanceOf(DeckError);
    expect(err.kind).toBe('watch_timeout');
    expect(err.code).toBe('DECK_WATCH_TIMEOUT');
    expect(err.envelope).toBe(`<<deck-sdk-kind:watch_timeout>>${err.message}`);
    expect(DeckError.fromEnvelope(err.envelope)).toMatchObject({ kind: 'watch_timeout', message: err.message });
    expect(DeckError.fromEnvelope('<<deck-sdk-kind:chain_commit_failed>>nope')!.kind).toBe('chain_commit_failed');
    expect(DeckError.fromEnvelope('plain text')).toBeUndefined();
  });

  it('watchTimeout resolves when the predicate holds in time and leaves no timer behind', async () => {
    const { clock, deps, os } = manual();
    const w = os.deck.watchTimeout(failed(2n), 5000);
    await clock.advance(100);
    deps.setPeer(2n, 'failed');
    expect((await w).peers.get(2n)!.health).toBe('unreachable');
    const pending = clock.pending;
    await clock.advance(10_000);
    // Only the loop's own tick timer remains scheduled.
    expect(clock.pending).toBeLessThanOrEqual(pending);
    await expect(os.deck.watchTimeout(() => true, -1)).rejects.toThrow(/timeoutMs/);
  });

  it('snapshots: the first yields at once, then one per change or ceiling; no dedup', async () => {
    const { clock, deps, os } = manual();
    const it = os.deck.snapshots();
    const { values } = drain(it);
    await settle();
    expect(values).toHaveLength(1);
    deps.setPeer(2n, 'failed');
    await settle();
    expect(values).toHaveLength(2);
    expect(values[1]!.peers.get(2n)!.health).toBe('unreachable');
    await clock.advance(1000);
    expect(values).toHaveLength(2 + 10);
    await it[Symbol.asyncDispose]();
    await clock.advance(1000);
    expect(values).toHaveLength(12);
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('statusSummaries yields only when the summary changes', async () => {
    const { clock, deps, os } = manual();
    const ac = new AbortController();
    const { values, done } = drain(os.deck.statusSummaries({ signal: ac.signal })[Symbol.asyncIterator]());
    await settle();
    await clock.advance(5000);
    expect(values).toHaveLength(1);
    expect(values[0]).toEqual<StatusSummary>({
      peers: { healthy: 1, degraded: 0, unreachable: 0, unknown: 0 },
      daemons: { running: 0, starting: 0, stopping: 0, stopped: 0, backingOff: 0, crashLooping: 0 },
      replicaChains: 0,
      avoidListEntries: 0,
      recentlyEmittedCount: 0,
      recentFailureCount: 0,
      adminAuditRingDepth: 0,
      localMaintenanceActive: false,
    });
    deps.setPeer(3n, 'suspected');
    os.registerDaemon('d', { start() {}, stop() {} });
    await settle();
    await clock.advance(5000);
    expect(values.at(-1)).toMatchObject({ peers: { healthy: 1, degraded: 1 }, daemons: { running: 1 } });
    const n = values.length;
    await clock.advance(5000);
    expect(values).toHaveLength(n);
    ac.abort();
    await done;
  });

  it('a closed loop: watch rejects loop_closed, pending watches too, iterables end', async () => {
    const { deps, os } = manual();
    const pending = os.deck.watch(failed(2n)).catch((e: unknown) => e);
    const it = os.deck.snapshots()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const next = it.next();
    deps.close();
    expect(await pending).toMatchObject({ kind: 'loop_closed' });
    expect(await next).toEqual({ value: undefined, done: true });
    await expect(os.deck.watch(() => true)).rejects.toMatchObject({ kind: 'loop_closed' });
  });

  it('an aborted signal ends iterables and rejects watch with its reason', async () => {
    const { os } = manual();
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(os.deck.watch(() => false, { signal: ac.signal })).rejects.toThrow('stop');
    expect(await os.deck.snapshots({ signal: ac.signal }).next()).toEqual({ value: undefined, done: true });
    await expect(os.deck.watch(42 as never)).rejects.toThrow(/pred must be a function/);
  });
});

describe('Deck (real time)', () => {
  it('watch resolves within milliseconds of a structural change (median over 100)', async () => {
    const deps = new FakeNodeDeps(SELF);
    const os = new MeshOs(deps);
    open.push(os);
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const peer = BigInt(100 + i);
      deps.setPeer(peer, 'healthy');
      const w = os.deck.watch(failed(peer));
      // Let the watch subscribe and settle into waiting before the change happens.
      await new Promise((r) => setTimeout(r, 1));
      const t0 = performance.now();
      deps.setPeer(peer, 'failed');
      await w;
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[50]!;
    // The claim is < 10 ms. The wake-up is a resolved promise, not a timer, so the median is far
    // below it (0.06–0.08 ms measured on this 2-core machine; a median of 100 ignores stragglers).
    process.stderr.write(`deck.watch latency after a structural change: median ${median.toFixed(3)} ms, p90 ${latencies[90]!.toFixed(3)} ms\n`);
    expect(median).toBeLessThan(10);
  });

  it('an idle consumer wakes no more often than the 100 ms ceiling', async () => {
    const deps = new FakeNodeDeps(SELF);
    deps.setPeer(2n, 'healthy');
    const os = new MeshOs(deps);
    open.push(os);
    let calls = 0;
    const ac = new AbortController();
    const w = os.deck.watch(() => (calls++, false), { signal: ac.signal }).catch(() => undefined);
    const yields: number[] = [];
    const it = os.deck.snapshots({ signal: ac.signal });
    const reading = (async () => {
      for await (const _ of it) yields.push(performance.now());
    })();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const elapsed = performance.now() - t0;
    ac.abort();
    await w;
    await reading;
    const ceilingBound = Math.floor(elapsed / 100) + 1;
    expect(calls).toBeGreaterThanOrEqual(2); // it does wake on the ceiling
    expect(calls - 1).toBeLessThanOrEqual(ceilingBound);
    expect(yields.length - 1).toBeLessThanOrEqual(ceilingBound);
    for (let i = 2; i < yields.length; i++) expect(yields[i]! - yields[i - 1]!).toBeGreaterThanOrEqual(95);
  });
});

// Issue 9 finding 5: receive memory is bounded. Credit follows consumption: a receiver whose app
// reads nothing — no events() at all, or an iterator that is never advanced — holds at most its
// receive budget plus each stream's window; the sender waits instead of pushing more.
import { describe, expect, it } from 'vitest';
import type { MeshNode } from '../../ts/node/mesh-node.js';
import { ENGINE } from '../../ts/engine/engine-host.js';
import type { InlineEngineHost } from '../../ts/engine/inline-host.js';
import { PLACEMENTS, patterned, until } from '../node/helpers.js';
import { hubMeshes, star } from './mesh.js';

const BUDGET = 1 << 20;
const WINDOW = 65_536;
const EVENT = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(PLACEMENTS)('%s engine', (engine) => {
  const meshes = hubMeshes(engine);

  /** Pushes for `ms` with trySend on `streams` streams; returns the event bytes accepted per stream. */
  async function push(a: MeshNode, b: MeshNode, streams: number, ms: number, reliable: boolean): Promise<number[]> {
    const ss = Array.from({ length: streams }, (_, i) => a.openStream(b.nodeId, BigInt(10 + i), reliable ? { reliability: 'reliable' } : {}));
    const sent = ss.map(() => 0);
    const t0 = Date.now();
    let k = 0;
    while (Date.now() - t0 < ms) {
      let any = false;
      for (let i = 0; i < ss.length; i++) {
        if (ss[i]!.trySend([patterned(k++, EVENT)])) {
          sent[i]! += EVENT;
          any = true;
        }
      }
      if (!any) await sleep(5);
    }
    return sent;
  }

  const unread = (n: MeshNode): number | undefined => (engine === 'inline' ? (n[ENGINE] as InlineEngineHost).engine!.streams.memory().unreadBytes : undefined);

  for (const reliable of [false, true]) {
    const kind = reliable ? 'reliable' : 'unreliable';

    it(`${kind}: nobody reads — the sender is held to budget + window`, async () => {
      const { nodes } = await meshes(4501, 2, { receiveBudgetBytes: BUDGET });
      await star(nodes, 1);
      const [a, b] = nodes as [MeshNode, MeshNode];
      const [sent] = await push(a, b, 1, 1500, reliable);
      // 84-byte packet overheads are released on arrival: a converging few per cent on top.
      expect(sent!).toBeLessThanOrEqual((BUDGET + WINDOW) * 1.05);
      expect(sent!).toBeGreaterThan(BUDGET / 2);
      const u = unread(b);
      if (u !== undefined) expect(u).toBeLessThanOrEqual((BUDGET + WINDOW) * 1.05);
      // Reading everything frees the sender again.
      let got = 0;
      const it = b.events()[Symbol.asyncIterator]();
      while (got < sent!) got += (await it.next()).value!.payload.length;
      const s2 = a.openStream(b.nodeId, 99n);
      await s2.send([patterned(1, 10)]);
      expect((await it.next()).value!.payload).toEqual(patterned(1, 10));
      await it.return?.();
    });

    it(`${kind}: an iterator that is never advanced, over 8 streams — bounded by budget + 8 windows`, async () => {
      const { hub, nodes } = await meshes(4502, 2, { receiveBudgetBytes: BUDGET });
      await star(nodes, 1);
      const [a, b] = nodes as [MeshNode, MeshNode];
      const stuck = b.events()[Symbol.asyncIterator]();
      const first = stuck.next();
      const sent = await push(a, b, 8, 1500, reliable);
      const total = sent.reduce((x, y) => x + y, 0);
      expect(total).toBeLessThanOrEqual((BUDGET + 8 * WINDOW) * 1.05);
      for (const s of sent) expect(s).toBeLessThanOrEqual((BUDGET + WINDOW) * 1.05);
      const u = unread(b);
      if (u !== undefined) {
        await until(() => hub.stats().inFlight === 0, 5_000, 'the hub to drain');
        expect(u).toBeLessThanOrEqual((BUDGET + 8 * WINDOW) * 1.05);
      }
      expect((await first).value).toBeDefined();
      await stuck.return?.();
    });
  }
});

// Channels bench: publish fan-out to 1, 8 and 32 subscribers on the memory hub (events/s, MB/s),
// beside the same bytes sent as plain per-peer stream sends in the same run (target ≥ 0.9×), for
// unreliable and reliable publishes; then a 4-link token chain: verifications per second with
// signatures (a subscriber's first check) and presigned (the re-checks after it), and subscribe
// round trips on the hub, first (full authorization) and repeated (idempotent).
//
//   npm run bench:channels           options: --quick (fewer bytes and rounds), --fanouts=1,8,32,
//                                    --modes=unreliable,reliable
import { MeshNode } from '../ts/node/mesh-node.js';
import { MemoryHub } from '../ts/transports/memory-hub.js';
import { Identity } from '../ts/identity/identity.js';
import { TokenChain } from '../ts/channels/chain.js';
import { PermissionToken, TokenScope } from '../ts/channels/token.js';
import { RevocationRegistry } from '../ts/channels/revocation.js';
import { channelHash } from '../ts/channels/name.js';
import type { Reliability } from '../ts/channels/publisher.js';
import { MB, compareAsync, compareSync, fmtMBps, fmtNum, fmtRatio, median, note, noteContention, printEnvironment, printTable, roundsOf, target } from './harness.js';

const QUICK = process.argv.includes('--quick');
const PSK = '6368616e6e656c732062656e6368206b657920666f72206c6f63616c2072756e';
const arg = (k: string): string | undefined => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3);
const FANOUTS = (arg('fanouts') ?? '1,8,32').split(',').map(Number);
const MODES = (arg('modes') ?? 'unreliable,reliable').split(',') as Reliability[];
const EVENT = 1024;
/** Payload bytes one trial delivers in total (split over the subscribers). */
const TRIAL_BYTES = (QUICK ? 2 : 6) * MB;
const ROUNDS = QUICK ? 2 : 3;
const CHANNEL = 'bench/fanout';
const PLAIN_STREAM = 0x5eedn;

function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (performance.now() - t0 > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 1);
    };
    tick();
  });
}

interface Fixture {
  pub: MeshNode;
  subs: MeshNode[];
  /** Events received per subscriber, on the channel (ours) and on the plain stream (peer). */
  chan: number[];
  plain: number[];
  stop(): Promise<void>;
}

async function fixture(n: number): Promise<Fixture> {
  const hub = new MemoryHub({ seed: 5 });
  let host = 1;
  const mk = (): Promise<MeshNode> => MeshNode.create({ psk: PSK, transport: hub.transport(), bind: `10.9.${host >> 8}.${host++ & 0xff}:7000` });
  const pub = await mk();
  const subs: MeshNode[] = [];
  for (let i = 0; i < n; i++) subs.push(await mk());
  const chan = subs.map(() => 0);
  const plain = subs.map(() => 0);
  const ctls: AbortController[] = [];
  for (const [k, s] of subs.entries()) {
    const a = new AbortController();
    const b = new AbortController();
    ctls.push(a, b);
    s.accept(pub.nodeId);
    await pub.connect(s.address, { publicKey: s.noisePublicKey, nodeId: s.nodeId });
    await s.subscribeChannel(pub.nodeId, CHANNEL);
    void (async () => {
      for await (const _ of s.channelEvents(CHANNEL, { signal: a.signal })) chan[k]!++;
    })();
    void (async () => {
      for await (const _ of s.events({ stream: PLAIN_STREAM, signal: b.signal })) plain[k]!++;
    })();
  }
  return {
    pub,
    subs,
    chan,
    plain,
    stop: async () => {
      for (const c of ctls) c.abort();
      await Promise.all([pub, ...subs].map((x) => x.close()));
    },
  };
}

/** One trial: `events` to every subscriber, timed until the last one has them all. Returns events/s delivered. */
async function trial(f: Fixture, events: Uint8Array[], how: 'publish' | 'plain', reliability: Reliability): Promise<number> {
  const counts = how === 'publish' ? f.chan : f.plain;
  const base = counts.slice();
  const t0 = performance.now();
  if (how === 'publish') {
    const r = await f.pub.publishMany(CHANNEL, events, { reliability });
    if (r.delivered !== f.subs.length) throw new Error(`publish reached ${r.delivered}/${f.subs.length}`);
  } else {
    // The same bytes as plain per-peer stream sends, all peers at once (publish's max_inflight ≥ 32).
    await Promise.all(f.subs.map((s) => f.pub.openStream(s.nodeId, PLAIN_STREAM, { reliability }).send(events)));
  }
  await until(() => counts.every((c, i) => c - base[i]! >= events.length), 60_000, `${how} delivery`);
  const dt = (performance.now() - t0) / 1000;
  return (events.length * f.subs.length) / dt;
}

async function fanout(): Promise<void> {
  const rows: string[][] = [];
  for (const reliability of MODES) {
    for (const n of FANOUTS) {
      const f = await fixture(n);
      try {
        const perSub = Math.max(64, Math.round(TRIAL_BYTES / EVENT / n));
        const events = Array.from({ length: perSub }, (_, i) => new Uint8Array(EVENT).fill(i & 0xff));
        // Warm-up: one whole trial of each (streams opened, JIT warm, congestion windows grown), so
        // neither side measures a cold start the other does not.
        await trial(f, events, 'publish', reliability);
        await trial(f, events, 'plain', reliability);
        const [ours, peer] = await roundsOf([() => trial(f, events, 'publish', reliability), () => trial(f, events, 'plain', reliability)], ROUNDS);
        const ratios = ours!.map((o, i) => o / peer![i]!);
        const r = median(ratios);
        const o = median(ours!);
        const p = median(peer!);
        rows.push([`${reliability}, ${n} subscriber${n > 1 ? 's' : ''}`, fmtNum(o), fmtMBps((o * EVENT) / MB), fmtNum(p), fmtMBps((p * EVENT) / MB), fmtRatio(r), target(r, '≥', 0.9)]);
      } finally {
        await f.stop();
      }
    }
  }
  printTable(
    `Publish fan-out on the memory hub: ${EVENT} B events, ${(TRIAL_BYTES / MB).toFixed(0)} MB delivered per trial in total, median of ${ROUNDS} interleaved rounds`,
    ['case', 'publish ev/s', 'MB/s', 'plain sends ev/s', 'MB/s', 'publish/plain', ''],
    rows,
  );
  note('ev/s and MB/s count events delivered to subscribers (one publish to n subscribers delivers n copies).');
  note('"plain sends" = the same events sent with stream.send to every subscriber at once on an ordinary stream.');
}

function chainOf4(ids: Identity[], name: string): TokenChain {
  const nowSecs = BigInt(Math.floor(Date.now() / 1000));
  let t = PermissionToken.issue(ids[0]!, { subject: ids[1]!.publicKey, scope: TokenScope.SUBSCRIBE | TokenScope.DELEGATE, channel: name, ttlSecs: 3600, delegationDepth: 3, nowSecs });
  const tokens = [t];
  for (let i = 1; i < 4; i++) {
    t = t.delegate(ids[i]!, ids[i + 1]!.publicKey, TokenScope.SUBSCRIBE | (i < 3 ? TokenScope.DELEGATE : 0), { nowSecs });
    tokens.push(t);
  }
  return TokenChain.of(tokens);
}

async function chains(): Promise<void> {
  const ids = Array.from({ length: 5 }, () => Identity.generate());
  const chain = chainOf4(ids, 'bench.all');
  const roots = [ids[0]!.publicKey];
  const presenter = ids[4]!.publicKey;
  const rev = new RevocationRegistry();
  const h = channelHash('bench.all');
  const res = compareSync(
    [
      { name: 'verifyAuthorizes (4 strict ed25519 verifies)', fn: () => chain.verifyAuthorizes(TokenScope.SUBSCRIBE, h, presenter, roots, rev, 0) },
      { name: 'verifyAuthorizesPresigned', fn: () => chain.verifyAuthorizesPresigned(TokenScope.SUBSCRIBE, h, presenter, roots, rev, 0) },
    ],
    { rounds: QUICK ? 3 : 5 },
  );
  printTable(
    'A 4-link chain (root → 3 delegations), verifications per CPU-second',
    ['check', 'verifications/s', 'per check'],
    res.map((r) => [r.name, fmtNum(r.opsPerSec), `${(1e6 / r.opsPerSec).toFixed(1)} µs`]),
  );
  note(`presigned / full: ${fmtRatio(res[1]!.opsPerSec / res[0]!.opsPerSec)} (a subscriber's chain is fully checked once, then presigned at each publish).`);
  noteContention(res, 'cpu');

  // Subscribe round trips over the hub with that chain: a new channel each time (full check) vs the same again.
  const hub = new MemoryHub({ seed: 9 });
  const pub = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.8.0.1:7000', channels: { maxChannelsPerPeer: 1 << 20 } });
  const sub = await MeshNode.create({ psk: PSK, transport: hub.transport(), bind: '10.8.0.2:7000', identity: Identity.fromSeed(new Uint8Array(32).fill(44)) });
  try {
    const subChain = chainOf4([ids[0]!, ids[1]!, ids[2]!, ids[3]!, sub.identity], 'bench.all');
    pub.registerChannel('bench.', { prefix: true, channelId: 'bench.all', tokenRoots: roots });
    sub.accept(pub.nodeId);
    await pub.connect(sub.address, { publicKey: sub.noisePublicKey, nodeId: sub.nodeId });
    await sub.announceCapabilities({ tags: ['bench'] });
    await until(() => pub.peerEntity(sub.nodeId) !== undefined, 5000, 'entity pin');
    let i = 0;
    const rt = await compareAsync(
      [
        { name: 'subscribe, new channel (full chain check)', fn: () => sub.subscribeChannel(pub.nodeId, `bench.c${i++}`, { chain: subChain }) },
        { name: 'subscribe, repeated (already accepted)', fn: () => sub.subscribeChannel(pub.nodeId, 'bench.c0', { chain: subChain }) },
      ],
      { rounds: QUICK ? 3 : 5, roundMs: 150, warmupMs: 150 },
    );
    printTable('Subscribe round trips on the memory hub with that chain', ['case', 'subscribes/s', 'per subscribe'], rt.map((r) => [r.name, fmtNum(r.opsPerSec), `${(1e3 / r.opsPerSec).toFixed(2)} ms`]));
    note('A repeat carrying the chain already retained is acked without crypto; both include the hub round trip.');
  } finally {
    await Promise.all([pub.close(), sub.close()]);
  }
}

printEnvironment('net-mesh channels bench');
await fanout();
await chains();

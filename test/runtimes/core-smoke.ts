// Runtime smoke (Deno, Bun): the WASM core loads with initCore(), its kernels match the official
// vectors, and packets seal and open (singly and in batches). The core worker is exercised by
// mesh-smoke.ts, where it hosts a node's engine.
import { readFileSync } from 'node:fs';
import { initCore, blake3, Blake3, ChaCha20Poly1305, encodeHeader, decodeHeader } from '../../ts/core/index.js';
import { makeHeader } from '../../ts/core/header.js';
import { PacketSession } from '../../ts/core/session.js';

const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno' : typeof (globalThis as { Bun?: unknown }).Bun === 'object' ? 'bun' : 'node';
const vectorsDir = new URL('../vectors/', import.meta.url);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`${runtime} core smoke: ${what}`);
}

await initCore();

// BLAKE3: every official case, all three modes.
const b3 = JSON.parse(readFileSync(new URL('blake3-official.json', vectorsDir), 'utf8')) as {
  key: string;
  context_string: string;
  cases: { input_len: number; hash: string; keyed_hash: string; derive_key: string }[];
};
const key = new TextEncoder().encode(b3.key);
for (const c of b3.cases) {
  const input = Uint8Array.from({ length: c.input_len }, (_, i) => i % 251);
  const outLen = c.hash.length / 2;
  check(hex(blake3(input, outLen)) === c.hash, `blake3 len ${c.input_len}`);
  check(hex(new Blake3({ key }).update(input).digest(outLen)) === c.keyed_hash, `keyed len ${c.input_len}`);
  check(hex(new Blake3({ context: b3.context_string }).update(input).digest(outLen)) === c.derive_key, `derive len ${c.input_len}`);
}

// ChaCha20-Poly1305: every Wycheproof case with a 12-byte nonce.
const wp = JSON.parse(readFileSync(new URL('wycheproof-chacha20-poly1305.json', vectorsDir), 'utf8')) as {
  testGroups: { tests: { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string }[] }[];
};
let aeadCases = 0;
for (const g of wp.testGroups) {
  for (const t of g.tests) {
    if (t.iv.length !== 24) continue;
    const aead = new ChaCha20Poly1305(unhex(t.key));
    const sealed = new Uint8Array([...unhex(t.ct), ...unhex(t.tag)]);
    let opened: Uint8Array | undefined;
    try {
      opened = aead.open(unhex(t.iv), sealed, unhex(t.aad));
    } catch {
      opened = undefined;
    }
    if (t.result === 'invalid') check(opened === undefined, `wycheproof ${t.tcId} must fail`);
    else {
      check(opened !== undefined && hex(opened) === t.msg, `wycheproof ${t.tcId} open`);
      check(hex(aead.seal(unhex(t.iv), unhex(t.msg), unhex(t.aad))) === t.ct + t.tag, `wycheproof ${t.tcId} seal`);
    }
    aead.dispose();
    aeadCases++;
  }
}

// Header round trip (wire.md §19).
const h = makeHeader({ flags: 1, priority: 7, hopTtl: 32, subprotocolId: 0x0100, channelHash: 0xabcd, sessionId: 0x1234567890abcdefn, streamId: 0xfedcba0987654321n, sequence: 42n, originHash: 0xdeadbeefn, subnetId: 0x12345678, payloadLen: 1024, eventCount: 10 });
const back = decodeHeader(encodeHeader(h));
check(back.sessionId === h.sessionId && back.streamId === h.streamId && back.sequence === 42n && back.channelHash === 0xabcd, 'header round trip');

// Packet seal/open on this thread.
const k1 = new Uint8Array(32).fill(1);
const k2 = new Uint8Array(32).fill(2);
const tx = new PacketSession({ txKey: k1, rxKey: k2, sessionId: 77n });
const rx = new PacketSession({ txKey: k2, rxKey: k1, sessionId: 77n });
const dg = tx.seal({ streamId: 5n, sequence: 9n }, [new Uint8Array([1, 2, 3])]);
const opened = rx.open(dg);
check(opened.events.length === 1 && opened.events[0]![2] === 3 && opened.header.sequence === 9n, 'packet open');

// A batch of 100 in one core call each way.
const batch = tx.sealBatch(Array.from({ length: 100 }, (_, i) => ({ header: { streamId: 3n, sequence: BigInt(i) }, events: [new Uint8Array(200).fill(i)] }))).datagrams();
const openedBatch = rx.openBatch(batch);
check(openedBatch.count === 100 && Array.from({ length: 100 }, (_, i) => openedBatch.ok(i) && openedBatch.event(i, 0)[0] === i).every(Boolean), 'batch seal/open');

console.log(`${runtime} core: ${b3.cases.length} BLAKE3 cases × 3 modes, ${aeadCases} Wycheproof cases, header, packet, batch of 100 — ok`);

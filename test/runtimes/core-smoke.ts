// Runtime smoke (Deno, Bun): the WASM core loads with initCore(), its kernels match the official
// vectors, packets seal and open, and a core worker seals and opens a batch.
import { readFileSync } from 'node:fs';
import { initCore, blake3, Blake3, ChaCha20Poly1305, encodeHeader, decodeHeader } from '../../ts/core/index.js';
import { makeHeader } from '../../ts/core/header.js';
import { PacketSession } from '../../ts/core/session.js';
import { startCoreWorker } from '../../ts/core/worker-host.js';
import { PackWriter, writeSealRecord, readSealResponse, packDatagrams, readOpenResponse, Status } from '../../ts/core/batch-format.js';

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

// The worker batch API: seal 100 packets and open them in the worker.
const worker = await startCoreWorker();
await worker.api.addSession(1, 99n, k1, k2);
await worker.api.addSession(2, 100n, k2, k1);
const w = new PackWriter();
for (let i = 0; i < 100; i++) writeSealRecord(w, 1, { flags: 0, subprotocol: 0, channelHash: 0, streamId: 3n, sequence: BigInt(i), originHash: 0n }, [new Uint8Array(200).fill(i)]);
const sealed = readSealResponse(await worker.api.sealBatch(w.finish()));
check(sealed.length === 100 && sealed.every((s) => s.status === Status.OK), 'worker seal batch');
// Session 1 seals with k1; a session with rx k1 under the same id opens them.
await worker.api.removeSession(2);
await worker.api.removeSession(1);
await worker.api.addSession(3, 99n, k2, k1);
const openedBatch = readOpenResponse(await worker.api.openBatch(packDatagrams(sealed.map((s) => s.datagram))));
check(openedBatch.length === 100 && openedBatch.every((r, i) => r.status === Status.OK && r.events[0]![0] === i), 'worker open batch');
await worker.terminate();

console.log(`${runtime} core: ${b3.cases.length} BLAKE3 cases × 3 modes, ${aeadCases} Wycheproof cases, header, packet, worker batch of 100 — ok`);

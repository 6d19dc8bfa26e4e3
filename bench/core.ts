// Core bench: BLAKE3, ChaCha20-Poly1305, header codec, packet seal/open, X25519, Ed25519 and the
// BLAKE2s/SHA-512 family, each printed beside its peers measured in the same run (interleaved
// rounds, medians), as ratios.
//
//   npm run bench:core                 every section
//   node dist/bench/core.mjs aead      only the named sections (blake3, aead, header, packet,
//                                      x25519, ed25519, hashes)
import { createRequire } from 'node:module';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { hash as jitHash, warmupSimd } from 'blake3-jit';
import { createBLAKE3 } from 'hash-wasm';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blake3 } from '../ts/core/blake3.js';
import { ChaCha20Poly1305 } from '../ts/core/aead.js';
import { HEADER_SIZE, NONCE_SIZE, decodeHeader, encodeHeader, makeHeader, type PacketHeader } from '../ts/core/header.js';
import { ed25519Section, hashSection, x25519Section } from './core-crypto.js';
import { packetSection } from './core-packet.js';
import {
  MB,
  compareSync,
  filledBytes,
  fmtBytes,
  fmtMBps,
  fmtNs,
  fmtRatio,
  note,
  noteContention,
  pairedRatio,
  printEnvironment,
  printTable,
  target,
  type Result,
  type SyncCase,
} from './harness.js';

// blake3-wasm 2.1.5 is CommonJS; its Node entry loads the WASM build synchronously.
const blake3Wasm = createRequire(import.meta.url)('blake3-wasm') as { hash(data: Uint8Array): Uint8Array };

const KiB = 1024;
const MiB = 1024 * 1024;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function byName(results: Result[], name: string): Result {
  const r = results.find((x) => x.name === name);
  if (!r) throw new Error(`bench: no result named ${name}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// BLAKE3

async function blake3Section(): Promise<void> {
  warmupSimd();
  const hw = await createBLAKE3();
  const hashWasm = (d: Uint8Array): Uint8Array => {
    hw.init();
    hw.update(d);
    return hw.digest('binary');
  };

  // Every implementation must agree before its speed means anything.
  const probe = filledBytes(100_000, 7);
  const want = hex(blake3(probe));
  for (const [name, f] of [
    ['blake3-jit', jitHash],
    ['hash-wasm', hashWasm],
    ['blake3-wasm', blake3Wasm.hash],
    ['@noble/hashes', nobleBlake3],
  ] as const) {
    const got = hex(f(probe));
    if (got !== want) console.log(`  WARNING: ${name} digest differs from ours (${got} vs ${want})`);
  }

  const rows: string[][] = [];
  const all: Result[] = [];
  let nobleMBps = NaN;
  for (const size of [KiB, 64 * KiB, MiB, 64 * MiB]) {
    const data = filledBytes(size, size);
    const big = size >= 64 * MiB;
    // @noble/hashes runs at well under 1 GB/s: one 64 MiB digest would dominate the whole run.
    const nobleSecondsPerOp = size / MB / nobleMBps;
    const nobleSkip = big && !(nobleSecondsPerOp < 0.6) ? `skipped (too slow: ~${nobleSecondsPerOp.toFixed(1)} s per digest)` : undefined;
    const cases: SyncCase[] = [
      { name: 'ours', fn: () => blake3(data), bytes: size },
      { name: 'blake3-jit', fn: () => jitHash(data), bytes: size },
      { name: 'hash-wasm', fn: () => hashWasm(data), bytes: size },
      { name: 'blake3-wasm', fn: () => blake3Wasm.hash(data), bytes: size },
      { name: '@noble/hashes', fn: () => nobleBlake3(data), bytes: size, skip: nobleSkip },
    ];
    const res = compareSync(cases, big ? { rounds: 3, roundMs: 200, warmupMs: 150 } : { rounds: 11, roundMs: 60, warmupMs: 250 });
    all.push(...res);
    const ours = byName(res, 'ours');
    if (size === MiB) nobleMBps = byName(res, '@noble/hashes').mbPerSec ?? NaN;
    for (const r of res) {
      const q = pairedRatio(ours, r);
      let goal = '';
      if (size === MiB && r.name === 'hash-wasm') goal = target(q, '≥', 2.5);
      if (size === MiB && r.name === 'blake3-jit') goal = target(q, '≈', 1.7);
      rows.push([
        fmtBytes(size),
        r.name,
        r.skipped ? r.skipped : fmtMBps(r.mbPerSec),
        r.name === 'ours' || r.skipped ? '' : fmtRatio(q),
        goal,
      ]);
    }
  }
  printTable('BLAKE3 (32-byte digest), one-shot hash', ['size', 'implementation', 'MB/s', 'ours/peer', ''], rows);
  note('ours/peer: median over rounds of the per-round speed ratio (>1: ours faster).');
  noteContention(all, 'cpu');
}

// ---------------------------------------------------------------------------------------------
// ChaCha20-Poly1305

function aeadSection(): void {
  const key = filledBytes(32, 1);
  const nonce = filledBytes(NONCE_SIZE, 2);
  const ours = new ChaCha20Poly1305(key);
  const rowsSeal: string[][] = [];
  const rowsOpen: string[][] = [];
  const all: Result[] = [];

  // node:crypto: one cipher object per packet, as a packet path must (each packet has its own nonce).
  const nodeSeal = (pt: Uint8Array): [Buffer, Buffer] => {
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    const ct = c.update(pt);
    c.final();
    return [ct, c.getAuthTag()];
  };
  const nodeOpen = (ct: Uint8Array, tag: Uint8Array): Buffer => {
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAuthTag(tag);
    const pt = d.update(ct);
    d.final();
    return pt;
  };
  const nobleSeal = (pt: Uint8Array): Uint8Array => chacha20poly1305(key, nonce).encrypt(pt);
  const nobleOpen = (sealed: Uint8Array): Uint8Array => chacha20poly1305(key, nonce).decrypt(sealed);

  for (const size of [64, 1200, 8192, MiB]) {
    const pt = filledBytes(size, size + 3);
    const sealed = ours.seal(nonce, pt);
    const [nct, ntag] = nodeSeal(pt);
    if (hex(sealed) !== hex(Buffer.concat([nct, ntag])) || hex(nobleSeal(pt)) !== hex(sealed)) {
      console.log(`  WARNING: AEAD outputs differ at ${size} B`);
    }
    const ct = sealed.subarray(0, size);
    const tag = sealed.subarray(size);
    const opts = size >= MiB ? { rounds: 9, roundMs: 80, warmupMs: 150 } : { rounds: 11, roundMs: 50, warmupMs: 250 };

    const seal = compareSync(
      [
        { name: 'ours', fn: () => ours.seal(nonce, pt), bytes: size },
        { name: '@noble/ciphers', fn: () => nobleSeal(pt), bytes: size },
        { name: 'node:crypto', fn: () => nodeSeal(pt), bytes: size },
      ],
      opts,
    );
    const open = compareSync(
      [
        { name: 'ours', fn: () => ours.open(nonce, sealed), bytes: size },
        { name: '@noble/ciphers', fn: () => nobleOpen(sealed), bytes: size },
        { name: 'node:crypto', fn: () => nodeOpen(ct, tag), bytes: size },
      ],
      opts,
    );
    all.push(...seal, ...open);
    for (const [res, rows, dir] of [
      [seal, rowsSeal, 'seal'],
      [open, rowsOpen, 'open'],
    ] as const) {
      const o = byName(res, 'ours');
      for (const r of res) {
        const q = pairedRatio(o, r);
        let goal = '';
        if (dir === 'seal' && size === 8192 && r.name === '@noble/ciphers') goal = target(q, '≥', 8);
        if (dir === 'seal' && size === 8192 && r.name === 'node:crypto') goal = target(q, '≥', 1);
        rows.push([fmtBytes(size), r.name, fmtMBps(r.mbPerSec), fmtNs(r.nsPerOp), r.name === 'ours' ? '' : fmtRatio(q), goal]);
      }
    }
  }
  ours.dispose();
  const header = ['size', 'implementation', 'MB/s', 'per call', 'ours/peer', ''];
  printTable('ChaCha20-Poly1305 seal (ciphertext ‖ tag)', header, rowsSeal);
  printTable('ChaCha20-Poly1305 open (verify + decrypt)', header, rowsOpen);
  note('node:crypto: createCipheriv/createDecipheriv per call (a packet path needs one per nonce);');
  note('its ciphertext and tag are left as separate buffers (no concatenation is charged to it).');
  noteContention(all, 'cpu');
}

// ---------------------------------------------------------------------------------------------
// Header codec

/** The peer: the same 68-byte layout written and read with a bare DataView, no validation. */
function dvEncode(h: PacketHeader, out: Uint8Array, o: number): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(o, h.magic, true);
  out[o + 2] = h.version;
  out[o + 3] = h.flags;
  out[o + 4] = h.priority;
  out[o + 5] = h.hopTtl;
  out[o + 6] = h.hopCount;
  out[o + 7] = h.fragFlags;
  v.setUint16(o + 8, h.subprotocolId, true);
  v.setUint16(o + 10, h.channelHash, true);
  out.set(h.nonce, o + 12);
  v.setBigUint64(o + 24, h.sessionId, true);
  v.setBigUint64(o + 32, h.streamId, true);
  v.setBigUint64(o + 40, h.sequence, true);
  v.setBigUint64(o + 48, h.originHash, true);
  v.setUint32(o + 56, h.subnetId, true);
  v.setUint16(o + 60, h.fragmentId, true);
  v.setUint16(o + 62, h.fragmentOffset, true);
  v.setUint16(o + 64, h.payloadLen, true);
  v.setUint16(o + 66, h.eventCount, true);
}

function dvDecode(b: Uint8Array, o: number): PacketHeader {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    magic: v.getUint16(o, true),
    version: b[o + 2]!,
    flags: b[o + 3]!,
    priority: b[o + 4]!,
    hopTtl: b[o + 5]!,
    hopCount: b[o + 6]!,
    fragFlags: b[o + 7]!,
    subprotocolId: v.getUint16(o + 8, true),
    channelHash: v.getUint16(o + 10, true),
    nonce: b.slice(o + 12, o + 24),
    sessionId: v.getBigUint64(o + 24, true),
    streamId: v.getBigUint64(o + 32, true),
    sequence: v.getBigUint64(o + 40, true),
    originHash: v.getBigUint64(o + 48, true),
    subnetId: v.getUint32(o + 56, true),
    fragmentId: v.getUint16(o + 60, true),
    fragmentOffset: v.getUint16(o + 62, true),
    payloadLen: v.getUint16(o + 64, true),
    eventCount: v.getUint16(o + 66, true),
  };
}

function headerSection(): void {
  const BATCH = 256;
  const headers = Array.from({ length: BATCH }, (_, i) =>
    makeHeader({
      flags: 1,
      hopTtl: 8,
      subprotocolId: 0x0400,
      channelHash: 0xbeef,
      nonce: filledBytes(NONCE_SIZE, i + 1),
      sessionId: 0x1122_3344_5566_7788n,
      streamId: 1n,
      sequence: BigInt(i),
      originHash: 0xdead_beef_cafe_f00dn,
      payloadLen: 1024,
      eventCount: 1,
    }),
  );
  const h0 = headers[0]!;
  const one = new Uint8Array(HEADER_SIZE);
  const many = new Uint8Array(HEADER_SIZE * BATCH);
  for (let i = 0; i < BATCH; i++) encodeHeader(headers[i]!, many, i * HEADER_SIZE);
  const manyViews = Array.from({ length: BATCH }, (_, i) => many.subarray(i * HEADER_SIZE, (i + 1) * HEADER_SIZE));
  const enc0 = encodeHeader(h0);
  {
    const peer = new Uint8Array(HEADER_SIZE);
    dvEncode(h0, peer, 0);
    if (hex(peer) !== hex(enc0)) console.log('  WARNING: DataView encode differs from encodeHeader');
  }

  const res = compareSync(
    [
      { name: 'encode ours (new array)', fn: () => encodeHeader(h0) },
      { name: 'encode ours (into buffer)', fn: () => encodeHeader(h0, one, 0) },
      { name: 'encode DataView (new array)', fn: () => dvEncode(h0, new Uint8Array(HEADER_SIZE), 0) },
      { name: 'encode DataView (into buffer)', fn: () => dvEncode(h0, one, 0) },
      { name: 'decode ours', fn: () => decodeHeader(enc0) },
      { name: 'decode DataView', fn: () => dvDecode(enc0, 0) },
      {
        name: `encode ours ×${BATCH}`,
        fn: () => {
          for (let i = 0; i < BATCH; i++) encodeHeader(headers[i]!, many, i * HEADER_SIZE);
        },
      },
      {
        name: `encode DataView ×${BATCH}`,
        fn: () => {
          for (let i = 0; i < BATCH; i++) dvEncode(headers[i]!, many, i * HEADER_SIZE);
        },
      },
      {
        name: `decode ours ×${BATCH}`,
        fn: () => {
          let s = 0;
          for (let i = 0; i < BATCH; i++) s += decodeHeader(manyViews[i]!).payloadLen;
          return s;
        },
      },
      {
        name: `decode DataView ×${BATCH}`,
        fn: () => {
          let s = 0;
          for (let i = 0; i < BATCH; i++) s += dvDecode(many, i * HEADER_SIZE).payloadLen;
          return s;
        },
      },
    ],
    { rounds: 11, roundMs: 40, warmupMs: 200 },
  );
  const perHeader = (r: Result): number => (r.name.includes('×') ? r.nsPerOp / BATCH : r.nsPerOp);
  const pairs: [string, string, string][] = [
    ['encode, one call (new array)', 'encode ours (new array)', 'encode DataView (new array)'],
    ['encode, one call (into buffer)', 'encode ours (into buffer)', 'encode DataView (into buffer)'],
    ['decode, one call', 'decode ours', 'decode DataView'],
    [`encode, batch of ${BATCH}`, `encode ours ×${BATCH}`, `encode DataView ×${BATCH}`],
    [`decode, batch of ${BATCH}`, `decode ours ×${BATCH}`, `decode DataView ×${BATCH}`],
  ];
  const rows = pairs.map(([label, o, p]) => {
    const ro = byName(res, o);
    const rp = byName(res, p);
    // Speed ratio (>1: ours faster), paired round by round.
    return [label, fmtNs(perHeader(ro)), fmtNs(perHeader(rp)), fmtRatio(pairedRatio(ro, rp))];
  });
  printTable('Packet header (68 B) encode/decode, ns per header', ['operation', 'ours', 'DataView peer', 'speed ours/peer'], rows);
  note('ours validates every field width (encode) and the wire checks (decode); the peer does neither.');
  noteContention(res, 'cpu');
}

// ---------------------------------------------------------------------------------------------

const SECTIONS: Record<string, () => void | Promise<void>> = {
  blake3: blake3Section,
  aead: aeadSection,
  header: headerSection,
  packet: packetSection,
  x25519: x25519Section,
  ed25519: ed25519Section,
  hashes: hashSection,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  for (const a of asked) if (!(a in SECTIONS)) throw new Error(`unknown section ${a}; choose from ${Object.keys(SECTIONS).join(', ')}`);
  const run = asked.length ? asked : Object.keys(SECTIONS);
  printEnvironment('net-mesh core bench');
  const t0 = performance.now();
  for (const name of run) await SECTIONS[name]!();
  console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);

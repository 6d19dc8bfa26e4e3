// Public-key and hash sections of the core bench: X25519 (and the responder's cost of a forged
// Noise msg1), Ed25519, BLAKE2s/HMAC/HKDF and SHA-512, each beside @noble (what the shell used
// before) and node:crypto where it has the primitive, measured in the same run, as ratios.
import { createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { blake2s as nobleBlake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { blake2s, hkdfBlake2s, hmacBlake2s } from '../ts/core/blake2s.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../ts/core/ed25519.js';
import { sha512 } from '../ts/core/sha512.js';
import { x25519, x25519PublicKey } from '../ts/core/x25519.js';
import { handshakePrologue, responderRead } from '../ts/session/handshake.js';
import { nobleVerifyStrict } from '../test/core/noble-strict-verify.js';
import { compareSync, filledBytes, fmtBytes, fmtNs, fmtRatio, note, noteContention, pairedRatio, printTable, type Result, type SyncCase } from './harness.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const OPTS = { rounds: 9, roundMs: 60, warmupMs: 250 };

// DER prefixes that wrap a raw 32-byte key for node:crypto KeyObjects (RFC 8410).
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keyObject = (prefix: Buffer, raw: Uint8Array, kind: 'private' | 'public'): KeyObject =>
  kind === 'private'
    ? createPrivateKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'pkcs8' })
    : createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });

/** Rows of one comparison: each peer's time per call and ours/peer (paired per round). */
function rowsFor(label: string, res: Result[]): string[][] {
  const ours = res.find((r) => r.name === 'ours')!;
  return res.map((r) => [label, r.name, r.skipped ?? fmtNs(r.nsPerOp), r === ours || r.skipped ? '' : fmtRatio(pairedRatio(ours, r))]);
}

function check(what: string, ok: boolean): void {
  if (!ok) console.log(`  WARNING: ${what}: implementations disagree`);
}

// ---------------------------------------------------------------------------------------------
// X25519 and the forged Noise msg1

/** The old shell's responder work on a forged NKpsk0 msg1, replayed with @noble primitives. */
function nobleForgedMsg1(prologue: Uint8Array, staticSecret: Uint8Array, staticPublic: Uint8Array, psk: Uint8Array, msg1: Uint8Array): boolean {
  const H = (d: Uint8Array): Uint8Array => nobleBlake2s(d);
  const mac = (k: Uint8Array, d: Uint8Array): Uint8Array => hmac(nobleBlake2s, k, d);
  const hkdf = (ck: Uint8Array, ikm: Uint8Array, n: number): Uint8Array[] => {
    const t = mac(ck, ikm);
    const o = [mac(t, Uint8Array.of(1))];
    for (let i = 1; i < n; i++) o.push(mac(t, cat(o[i - 1]!, Uint8Array.of(i + 1))));
    return o;
  };
  let h = H(new TextEncoder().encode('Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s'));
  let ck = h;
  h = H(cat(h, prologue));
  h = H(cat(h, staticPublic));
  const [ck1, tempH, tempK] = hkdf(ck, psk, 3) as [Uint8Array, Uint8Array, Uint8Array];
  void tempK;
  ck = ck1;
  h = H(cat(h, tempH));
  const re = msg1.subarray(0, 32);
  h = H(cat(h, re));
  ck = hkdf(ck, re, 2)[0]!;
  const [ck2, k] = hkdf(ck, nobleX25519.getSharedSecret(staticSecret, re), 2) as [Uint8Array, Uint8Array];
  void ck2;
  try {
    chacha20poly1305(k, new Uint8Array(12), h).decrypt(msg1.subarray(32));
    return true;
  } catch {
    return false;
  }
}

export function x25519Section(): void {
  const a = filledBytes(32, 11);
  const b = filledBytes(32, 12);
  const bPub = x25519PublicKey(b);
  const aPriv = keyObject(X25519_PKCS8, a, 'private');
  const bPubKey = keyObject(X25519_SPKI, bPub, 'public');
  const shared = x25519(a, bPub);
  check('X25519 shared secret', hex(shared) === hex(nobleX25519.getSharedSecret(a, bPub)) && hex(shared) === hex(diffieHellman({ privateKey: aPriv, publicKey: bPubKey })));
  check('X25519 public key', hex(x25519PublicKey(a)) === hex(nobleX25519.getPublicKey(a)));

  const dh = compareSync(
    [
      { name: 'ours', fn: () => x25519(a, bPub) },
      { name: '@noble/curves', fn: () => nobleX25519.getSharedSecret(a, bPub) },
      { name: 'node:crypto', fn: () => diffieHellman({ privateKey: aPriv, publicKey: bPubKey }) },
    ],
    OPTS,
  );
  const pub = compareSync(
    [
      { name: 'ours', fn: () => x25519PublicKey(a) },
      { name: '@noble/curves', fn: () => nobleX25519.getPublicKey(a) },
    ],
    OPTS,
  );

  // A forged msg1: a valid-looking ephemeral key, then a payload that fails authentication.
  const psk = filledBytes(32, 13);
  const staticKeypair = { secretKey: b, publicKey: bPub };
  const initiatorNodeId = 0x1111_2222_3333_4444n;
  const responderNodeId = 0x5555_6666_7777_8888n;
  const msg1 = cat(x25519PublicKey(filledBytes(32, 14)), filledBytes(16 + 8, 15));
  const prologue = handshakePrologue(Number(initiatorNodeId & 0xffff_ffffn), Number(responderNodeId & 0xffff_ffffn));
  const oursForged = (): unknown => {
    try {
      return responderRead({ psk, staticKeypair, responderNodeId, message: msg1, initiatorNodeId });
    } catch (e) {
      return e;
    }
  };
  check('forged msg1 rejected', oursForged() instanceof Error && !nobleForgedMsg1(prologue, b, bPub, psk, msg1));
  const forged = compareSync(
    [
      { name: 'ours', fn: oursForged },
      { name: '@noble replica of the old path', fn: () => nobleForgedMsg1(prologue, b, bPub, psk, msg1) },
    ],
    OPTS,
  );
  printTable(
    'X25519 and the responder cost of a forged Noise msg1',
    ['operation', 'implementation', 'per call', 'speed ours/peer'],
    [...rowsFor('shared secret', dh), ...rowsFor('public key', pub), ...rowsFor('forged msg1', forged)],
  );
  note('node:crypto: diffieHellman() on KeyObjects made once; ours and noble take raw 32-byte keys.');
  note('forged msg1: ours is responderRead() (all validation, Noise state, core X25519/BLAKE2s/AEAD);');
  note('the replica is the bare @noble primitive sequence the old shell ran (hash, 3 HKDFs, DH, AEAD).');
  noteContention([...dh, ...pub, ...forged], 'cpu');
}

// ---------------------------------------------------------------------------------------------
// Ed25519

export function ed25519Section(): void {
  const seed = filledBytes(32, 21);
  const msg = filledBytes(100, 22);
  const pk = ed25519PublicKey(seed);
  const sig = ed25519Sign(seed, msg);
  const priv = keyObject(ED25519_PKCS8, seed, 'private');
  const pubKey = keyObject(ED25519_SPKI, pk, 'public');
  check('Ed25519 signature', hex(sig) === hex(ed25519.sign(msg, seed)) && hex(sig) === hex(nodeSign(null, msg, priv)));
  check('Ed25519 verify', ed25519Verify(pk, msg, sig) && nobleVerifyStrict(pk, msg, sig) && nodeVerify(null, msg, pubKey, sig));

  const verify = compareSync(
    [
      { name: 'ours', fn: () => ed25519Verify(pk, msg, sig) },
      { name: 'old shell strict (noble points)', fn: () => nobleVerifyStrict(pk, msg, sig) },
      { name: '@noble/curves verify', fn: () => ed25519.verify(sig, msg, pk, { zip215: false }) },
      { name: 'node:crypto', fn: () => nodeVerify(null, msg, pubKey, sig) },
    ],
    OPTS,
  );
  const signing = compareSync(
    [
      { name: 'ours', fn: () => ed25519Sign(seed, msg) },
      { name: '@noble/curves', fn: () => ed25519.sign(msg, seed) },
      { name: 'node:crypto', fn: () => nodeSign(null, msg, priv) },
    ],
    OPTS,
  );
  const keygen = compareSync(
    [
      { name: 'ours', fn: () => ed25519PublicKey(seed) },
      { name: '@noble/curves', fn: () => ed25519.getPublicKey(seed) },
    ],
    OPTS,
  );
  printTable(
    'Ed25519 (100-byte message)',
    ['operation', 'implementation', 'per call', 'speed ours/peer'],
    [...rowsFor('verify (strict)', verify), ...rowsFor('sign', signing), ...rowsFor('public key', keygen)],
  );
  const perVerifyUs = verify.find((r) => r.name === 'ours')!.nsPerOp / 1000;
  note(`strict verify: ${perVerifyUs.toFixed(0)} µs per call (target ≤ 200 µs: ${perVerifyUs <= 200 ? 'met' : 'missed'}).`);
  note('@noble/curves verify and node:crypto are not strict (cofactored / lenient encodings); shown for scale.');
  noteContention([...verify, ...signing, ...keygen], 'cpu');
}

// ---------------------------------------------------------------------------------------------
// BLAKE2s, HMAC, HKDF, SHA-512

function nobleHkdf3(ck: Uint8Array, ikm: Uint8Array): Uint8Array[] {
  const t = hmac(nobleBlake2s, ck, ikm);
  const o1 = hmac(nobleBlake2s, t, Uint8Array.of(1));
  const o2 = hmac(nobleBlake2s, t, cat(o1, Uint8Array.of(2)));
  return [o1, o2, hmac(nobleBlake2s, t, cat(o2, Uint8Array.of(3)))];
}

export function hashSection(): void {
  const rows: string[][] = [];
  const all: Result[] = [];
  const run = (label: string, cases: SyncCase[]): void => {
    const res = compareSync(cases, OPTS);
    all.push(...res);
    rows.push(...rowsFor(label, res));
  };
  for (const size of [32, 64, 1024, 65536]) {
    const d = filledBytes(size, size);
    check(`BLAKE2s ${size}`, hex(blake2s(d)) === hex(nobleBlake2s(d)) && hex(blake2s(d)) === createHash('blake2s256').update(d).digest('hex'));
    run(`BLAKE2s-256, ${fmtBytes(size)}`, [
      { name: 'ours', fn: () => blake2s(d) },
      { name: '@noble/hashes', fn: () => nobleBlake2s(d) },
      { name: 'node:crypto', fn: () => createHash('blake2s256').update(d).digest() },
    ]);
  }
  const key = filledBytes(32, 31);
  const pk = filledBytes(32, 32);
  run('keyed BLAKE2s, 32 B (node id)', [
    { name: 'ours', fn: () => blake2s(pk, { key }) },
    { name: '@noble/hashes', fn: () => nobleBlake2s(pk, { key }) },
  ]);
  const d64 = filledBytes(64, 33);
  check('HMAC-BLAKE2s', hex(hmacBlake2s(key, d64)) === hex(hmac(nobleBlake2s, key, d64)) && hex(hmacBlake2s(key, d64)) === createHmac('blake2s256', key).update(d64).digest('hex'));
  run('HMAC-BLAKE2s, 64 B', [
    { name: 'ours', fn: () => hmacBlake2s(key, d64) },
    { name: '@noble/hashes', fn: () => hmac(nobleBlake2s, key, d64) },
    { name: 'node:crypto', fn: () => createHmac('blake2s256', key).update(d64).digest() },
  ]);
  check('Noise HKDF', hkdfBlake2s(key, pk, 3).map(hex).join() === nobleHkdf3(key, pk).map(hex).join());
  run('Noise HKDF, 3 outputs', [
    { name: 'ours', fn: () => hkdfBlake2s(key, pk, 3) },
    { name: '@noble/hashes', fn: () => nobleHkdf3(key, pk) },
  ]);
  for (const size of [64, 1024, 65536]) {
    const d = filledBytes(size, size + 1);
    check(`SHA-512 ${size}`, hex(sha512(d)) === hex(nobleSha512(d)) && hex(sha512(d)) === createHash('sha512').update(d).digest('hex'));
    run(`SHA-512, ${fmtBytes(size)}`, [
      { name: 'ours', fn: () => sha512(d) },
      { name: '@noble/hashes', fn: () => nobleSha512(d) },
      { name: 'node:crypto', fn: () => createHash('sha512').update(d).digest() },
    ]);
  }
  printTable('BLAKE2s, HMAC-BLAKE2s, Noise HKDF and SHA-512 (one-shot)', ['operation', 'implementation', 'per call', 'speed ours/peer'], rows);
  note('node:crypto: a createHash/createHmac object per call (OpenSSL); the HKDF peer is three HMACs in @noble.');
  noteContention(all, 'cpu');
}

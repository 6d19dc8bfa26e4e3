import { describe, expect, it } from 'vitest';
import { blake2s } from '@noble/hashes/blake2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { HandshakeError, InvalidArgumentError } from '../../ts/errors.js';
import { Identity } from '../../ts/identity/identity.js';
import {
  HANDSHAKE_ATTEMPTS,
  HANDSHAKE_TIMEOUT_MS,
  KeyDerivationMismatchError,
  ROUTED_HANDSHAKE_TTL,
  generateNoiseKeypair,
  handshakeBackoffMs,
  handshakePrologue,
  initiatorFinish,
  initiatorStart,
  parsePsk,
  responderRead,
  type KeyDerivationMode,
  type RandomSource,
} from '../../ts/session/handshake.js';
import { HandshakeState, PATTERN_NKPSK0 } from '../../ts/session/noise.js';

/** Deterministic random bytes: BLAKE2s(seed ‖ counter) blocks. */
function seededRandom(seed: number): RandomSource {
  let counter = 0;
  return (length: number) => {
    const out = new Uint8Array(length);
    for (let off = 0; off < length; off += 32) {
      const block = blake2s(new Uint8Array([seed & 0xff, (seed >> 8) & 0xff, counter & 0xff, (counter >> 8) & 0xff]));
      counter++;
      out.set(block.subarray(0, Math.min(32, length - off)), off);
    }
    return out;
  };
}

const enc = new TextEncoder();
const psk = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const otherPsk = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const alice = Identity.fromSeed(new Uint8Array(32).fill(1)); // initiator
const bob = Identity.fromSeed(new Uint8Array(32).fill(2)); // responder
const carol = Identity.fromSeed(new Uint8Array(32).fill(3));
const bobStatic = generateNoiseKeypair(seededRandom(100));
const carolStatic = generateNoiseKeypair(seededRandom(101));

const leU64 = (b: Uint8Array): bigint => b.subarray(0, 8).reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const hex = bytesToHex;

function expectHandshakeError(fn: () => unknown, code: string, message?: RegExp): HandshakeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HandshakeError);
    expect((err as HandshakeError).code).toBe(code);
    if (message) expect((err as Error).message).toMatch(message);
    return err as HandshakeError;
  }
  throw new Error(`expected HandshakeError ${code}`);
}

function run(mode: KeyDerivationMode, routed: boolean, seed = 1) {
  const { message, state } = initiatorStart({
    psk,
    responderStatic: bobStatic.publicKey,
    initiatorNodeId: alice.nodeId,
    responderNodeId: bob.nodeId,
    mode,
    routed,
    random: seededRandom(seed),
  });
  const res = responderRead({
    psk,
    staticKeypair: bobStatic,
    responderNodeId: bob.nodeId,
    mode,
    message,
    ...(routed ? { routed: { srcId: alice.routingId } } : { initiatorNodeId: alice.nodeId }),
    random: seededRandom(seed + 1000),
  });
  const keys = initiatorFinish(state, res.reply);
  return { message, state, res, keys };
}

/** Independent §11.5 KDF straight from @noble/hashes. */
function refKdf(h: Uint8Array, info: string): Uint8Array {
  const prk = blake2s(enc.encode('net-kdf-v1'), { key: h });
  return blake2s(enc.encode(info), { key: prk });
}

describe('handshake prologue', () => {
  it('is "net-handshake-v1" ‖ initiator routing id u64 LE ‖ responder routing id u64 LE', () => {
    const p = handshakePrologue(0xdeadbeef, 0x01020304n);
    expect(p.length).toBe(32);
    expect(new TextDecoder().decode(p.subarray(0, 16))).toBe('net-handshake-v1');
    expect(hex(p.subarray(16))).toBe('efbeadde00000000' + '0403020100000000');
    expect(() => handshakePrologue(2 ** 32, 0)).toThrow(InvalidArgumentError);
  });
});

describe('handshake success', () => {
  for (const mode of ['net-v0.27', 'noise'] as const) {
    for (const routed of [false, true]) {
      it(`${mode} ${routed ? 'routed' : 'direct'}: both sides agree on keys and session id`, () => {
        const { message, state, res, keys } = run(mode, routed);
        const r = res.keys;
        expect(keys.mode).toBe(mode);
        expect(r.mode).toBe(mode);
        expect(keys.sessionId).toBe(r.sessionId);
        expect(hex(keys.handshakeHash)).toBe(hex(r.handshakeHash));
        expect(keys.sessionId).toBe(leU64(keys.handshakeHash));
        expect(hex(keys.txKey)).toBe(hex(r.rxKey));
        expect(hex(keys.rxKey)).toBe(hex(r.txKey));
        expect(hex(keys.txKey)).not.toBe(hex(keys.rxKey));
        expect(keys.txKey.length).toBe(32);
        expect(hex(keys.remoteStatic!)).toBe(hex(bobStatic.publicKey));
        expect(r.remoteStatic).toBeUndefined();
        expect(hex(res.initiatorEphemeral)).toBe(hex(message.subarray(0, 32)));
        expect(hex(res.initiatorEphemeral)).toBe(hex(state.ephemeralPublicKey));
        expect(hex(r.remoteEphemeral)).toBe(hex(state.ephemeralPublicKey));
        expect(hex(keys.remoteEphemeral)).toBe(hex(res.reply.subarray(0, 32)));
        expect(res.initiatorNodeId).toBe(alice.nodeId);
        expect(state.finished).toBe(true);
      });
    }
  }

  it('net-v0.27 keys equal an independent re-derivation of wire.md §11.5', () => {
    const { keys, res } = run('net-v0.27', false, 7);
    const h = keys.handshakeHash;
    expect(hex(keys.txKey)).toBe(hex(refKdf(h, 'initiator-tx')));
    expect(hex(keys.rxKey)).toBe(hex(refKdf(h, 'initiator-rx')));
    expect(hex(res.keys.txKey)).toBe(hex(refKdf(h, 'initiator-rx')));
    expect(hex(res.keys.rxKey)).toBe(hex(refKdf(h, 'initiator-tx')));
  });

  it('noise-mode keys come from Split(), not from the handshake-hash KDF', () => {
    const { keys } = run('noise', false, 8);
    const h = keys.handshakeHash;
    expect(hex(keys.txKey)).not.toBe(hex(refKdf(h, 'initiator-tx')));
    expect(hex(keys.rxKey)).not.toBe(hex(refKdf(h, 'initiator-rx')));
  });

  it('is deterministic for a given random source and fresh per attempt otherwise', () => {
    const a = run('noise', false, 5);
    const b = run('noise', false, 5);
    const c = run('noise', false, 6);
    expect(hex(a.message)).toBe(hex(b.message));
    expect(a.keys.sessionId).toBe(b.keys.sessionId);
    expect(hex(a.message)).not.toBe(hex(c.message));
    expect(a.keys.sessionId).not.toBe(c.keys.sessionId);
  });

  it('accepts parsePsk-style hex PSKs the same as bytes', () => {
    const { message, state } = initiatorStart({
      psk: bytesToHex(psk).toUpperCase(),
      responderStatic: bobStatic.publicKey,
      initiatorNodeId: alice.nodeId,
      responderNodeId: bob.nodeId,
    });
    const res = responderRead({ psk: bytesToHex(psk), staticKeypair: bobStatic, responderNodeId: bob.nodeId, initiatorNodeId: alice.nodeId, message });
    expect(initiatorFinish(state, res.reply).sessionId).toBe(res.keys.sessionId);
    expect(res.keys.mode).toBe('noise'); // the default
  });
});

describe('message sizes (wire.md §11.1, §18 (g))', () => {
  it('net-v0.27: direct msg1 48, msg2 48; routed msg1 56, msg2 48', () => {
    const d = run('net-v0.27', false);
    expect(d.message.length).toBe(48);
    expect(d.res.reply.length).toBe(48);
    const r = run('net-v0.27', true);
    expect(r.message.length).toBe(56);
    expect(r.res.reply.length).toBe(48);
  });

  it('noise: one marker byte more in every message', () => {
    const d = run('noise', false);
    expect(d.message.length).toBe(49);
    expect(d.res.reply.length).toBe(49);
    const r = run('noise', true);
    expect(r.message.length).toBe(57);
    expect(r.res.reply.length).toBe(49);
  });
});

describe('payload contents', () => {
  function decryptMsg1(message: Uint8Array, initiatorRoutingId: number): Uint8Array {
    const hs = new HandshakeState({
      pattern: PATTERN_NKPSK0,
      initiator: false,
      prologue: handshakePrologue(initiatorRoutingId, bob.routingId),
      s: bobStatic,
      psk,
    });
    return hs.readMessage(message);
  }

  it('routed msg1 carries the initiator node_id (u64 LE), then the noise marker', () => {
    const v027 = run('net-v0.27', true).message;
    const p1 = decryptMsg1(v027, alice.routingId);
    expect(p1.length).toBe(8);
    expect(leU64(p1)).toBe(alice.nodeId);
    const noise = run('noise', true).message;
    const p2 = decryptMsg1(noise, alice.routingId);
    expect(leU64(p2)).toBe(alice.nodeId);
    expect(Array.from(p2.subarray(8))).toEqual([0x01]);
  });

  it('direct msg1 payload is empty in net-v0.27 and [0x01] in noise mode', () => {
    expect(decryptMsg1(run('net-v0.27', false).message, alice.routingId).length).toBe(0);
    expect(Array.from(decryptMsg1(run('noise', false).message, alice.routingId))).toEqual([0x01]);
  });
});

describe('authentication failures → HANDSHAKE_AUTH', () => {
  function start(opts: Partial<Parameters<typeof initiatorStart>[0]> = {}) {
    return initiatorStart({
      psk,
      responderStatic: bobStatic.publicKey,
      initiatorNodeId: alice.nodeId,
      responderNodeId: bob.nodeId,
      random: seededRandom(3),
      ...opts,
    });
  }
  const respond = (message: Uint8Array, opts: Partial<Parameters<typeof responderRead>[0]> = {}) =>
    responderRead({ psk, staticKeypair: bobStatic, responderNodeId: bob.nodeId, initiatorNodeId: alice.nodeId, message, ...opts });

  it('wrong PSK (direct and routed)', () => {
    expectHandshakeError(() => respond(start({ psk: otherPsk }).message), 'HANDSHAKE_AUTH', /wrong PSK/);
    expectHandshakeError(
      () => respond(start({ psk: otherPsk, routed: true }).message, { initiatorNodeId: undefined, routed: { srcId: alice.routingId } }),
      'HANDSHAKE_AUTH',
    );
  });

  it('wrong responder static key', () => {
    expectHandshakeError(() => respond(start({ responderStatic: carolStatic.publicKey }).message), 'HANDSHAKE_AUTH');
    expectHandshakeError(() => respond(start().message, { staticKeypair: carolStatic }), 'HANDSHAKE_AUTH');
  });

  it('wrong prologue: initiator or responder node id differs', () => {
    expectHandshakeError(() => respond(start().message, { initiatorNodeId: carol.nodeId }), 'HANDSHAKE_AUTH');
    expectHandshakeError(() => respond(start({ responderNodeId: carol.nodeId }).message), 'HANDSHAKE_AUTH');
    expectHandshakeError(
      () => respond(start({ routed: true }).message, { initiatorNodeId: undefined, routed: { srcId: carol.routingId } }),
      'HANDSHAKE_AUTH',
    );
  });

  it('tries each expected initiator in turn and reports the one that authenticates', () => {
    const { message, state } = start();
    const res = respond(message, { initiatorNodeId: [carol.nodeId, alice.nodeId, bob.nodeId] });
    expect(res.initiatorNodeId).toBe(alice.nodeId);
    expect(initiatorFinish(state, res.reply).sessionId).toBe(res.keys.sessionId);
    expectHandshakeError(() => respond(message, { initiatorNodeId: [carol.nodeId, bob.nodeId] }), 'HANDSHAKE_AUTH', /2 expected/);
    expectHandshakeError(() => respond(message, { initiatorNodeId: [] }), 'HANDSHAKE_AUTH');
  });

  it('a forged msg2 fails without spoiling the attempt; the genuine one still completes', () => {
    const { message, state } = start();
    const res = respond(message);
    const forged = Uint8Array.from(res.reply);
    forged[40]! ^= 1;
    expectHandshakeError(() => initiatorFinish(state, forged), 'HANDSHAKE_AUTH');
    expectHandshakeError(() => initiatorFinish(state, res.reply.subarray(0, 40)), 'HANDSHAKE_MALFORMED');
    expect(state.finished).toBe(false);
    const keys = initiatorFinish(state, res.reply);
    expect(hex(keys.txKey)).toBe(hex(res.keys.rxKey));
    expect(() => initiatorFinish(state, res.reply)).toThrow(InvalidArgumentError);
  });

  it('a msg2 from a different responder run fails', () => {
    const a = start();
    const b = start({ random: seededRandom(4) });
    const replyB = respond(b.message).reply;
    expectHandshakeError(() => initiatorFinish(a.state, replyB), 'HANDSHAKE_AUTH');
  });
});

describe('key-derivation mode mismatch → KEY_DERIVATION_MISMATCH', () => {
  const begin = (mode: KeyDerivationMode, routed = false) =>
    initiatorStart({ psk, responderStatic: bobStatic.publicKey, initiatorNodeId: alice.nodeId, responderNodeId: bob.nodeId, mode, routed });
  const respond = (message: Uint8Array, mode: KeyDerivationMode, routed = false) =>
    responderRead({
      psk,
      staticKeypair: bobStatic,
      responderNodeId: bob.nodeId,
      mode,
      message,
      ...(routed ? { routed: { srcId: alice.routingId } } : { initiatorNodeId: alice.nodeId }),
    });

  for (const routed of [false, true]) {
    it(`noise initiator → net-v0.27 responder (${routed ? 'routed' : 'direct'}): both sides see it`, () => {
      const { message, state } = begin('noise', routed);
      const err = expectHandshakeError(() => respond(message, 'net-v0.27', routed), 'KEY_DERIVATION_MISMATCH', /"net-v0\.27".*"noise"/);
      expect(err).toBeInstanceOf(KeyDerivationMismatchError);
      const mm = err as KeyDerivationMismatchError;
      expect(mm.localMode).toBe('net-v0.27');
      expect(mm.peerMode).toBe('noise');
      expect(mm.reply?.length).toBe(48); // a plain v0.27 msg2, like a reference responder's
      const ierr = expectHandshakeError(() => initiatorFinish(state, mm.reply!), 'KEY_DERIVATION_MISMATCH', /"noise".*"net-v0\.27"/);
      expect((ierr as KeyDerivationMismatchError).localMode).toBe('noise');
      expect((ierr as KeyDerivationMismatchError).peerMode).toBe('net-v0.27');
    });

    it(`net-v0.27 initiator → noise responder (${routed ? 'routed' : 'direct'}): responder refuses without replying`, () => {
      const { message } = begin('net-v0.27', routed);
      const err = expectHandshakeError(() => respond(message, 'noise', routed), 'KEY_DERIVATION_MISMATCH', /"noise".*"net-v0\.27"/);
      expect((err as KeyDerivationMismatchError).reply).toBeUndefined();
    });
  }

  it('a net-v0.27 initiator detects a noise-mode msg2', () => {
    const { message, state } = begin('net-v0.27');
    // A noise-mode responder that answers anyway (hand-built with the raw Noise state).
    const hs = new HandshakeState({
      pattern: PATTERN_NKPSK0,
      initiator: false,
      prologue: handshakePrologue(alice.routingId, bob.routingId),
      s: bobStatic,
      psk,
    });
    hs.readMessage(message);
    const reply = hs.writeMessage(new Uint8Array([0x01]));
    const err = expectHandshakeError(() => initiatorFinish(state, reply), 'KEY_DERIVATION_MISMATCH');
    expect((err as KeyDerivationMismatchError).peerMode).toBe('noise');
  });
});

describe('malformed input → HANDSHAKE_MALFORMED', () => {
  const respond = (message: Uint8Array, extra: Partial<Parameters<typeof responderRead>[0]> = {}) =>
    responderRead({ psk, staticKeypair: bobStatic, responderNodeId: bob.nodeId, initiatorNodeId: alice.nodeId, mode: 'noise', message, ...extra });
  function rawMsg1(payload: Uint8Array, initiatorRoutingId = alice.routingId): Uint8Array {
    const hs = new HandshakeState({
      pattern: PATTERN_NKPSK0,
      initiator: true,
      prologue: handshakePrologue(initiatorRoutingId, bob.routingId),
      rs: bobStatic.publicKey,
      psk,
      random: seededRandom(9),
    });
    return hs.writeMessage(payload);
  }
  const routed = { initiatorNodeId: undefined, routed: { srcId: alice.routingId } };
  const idBytes = (id: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, id, true);
    return b;
  };

  it('truncated or empty msg1', () => {
    expectHandshakeError(() => respond(new Uint8Array(0)), 'HANDSHAKE_MALFORMED');
    expectHandshakeError(() => respond(new Uint8Array(31)), 'HANDSHAKE_MALFORMED');
    const good = rawMsg1(new Uint8Array([1]));
    expectHandshakeError(() => respond(good.subarray(0, 40)), 'HANDSHAKE_MALFORMED');
  });

  it('low-order initiator ephemeral', () => {
    const msg = new Uint8Array(49); // u = 0 is a low-order X25519 point
    expectHandshakeError(() => respond(msg), 'HANDSHAKE_MALFORMED', /X25519/);
  });

  it('unknown payload after authentication', () => {
    expectHandshakeError(() => respond(rawMsg1(new Uint8Array([0x02]))), 'HANDSHAKE_MALFORMED', /marker/);
    expectHandshakeError(() => respond(rawMsg1(new Uint8Array([0x01, 0x01]))), 'HANDSHAKE_MALFORMED');
  });

  it('routed msg1 without a full node id, or one not matching src_id', () => {
    expectHandshakeError(() => respond(rawMsg1(new Uint8Array(7)), routed), 'HANDSHAKE_MALFORMED', /8-byte/);
    // Authenticates under alice's routing id but names carol.
    expectHandshakeError(() => respond(rawMsg1(idBytes(carol.nodeId)), routed), 'HANDSHAKE_MALFORMED', /src_id/);
    // Same low 32 bits, different high bits: accepted, and the full id is reported.
    const twin = (alice.nodeId ^ (1n << 40n)) & ((1n << 64n) - 1n);
    const res = respond(rawMsg1(new Uint8Array([...idBytes(twin), 0x01])), routed);
    expect(res.initiatorNodeId).toBe(twin);
  });
});

describe('argument validation', () => {
  it('parsePsk accepts 32 bytes or 64 hex characters and names the problem otherwise', () => {
    expect(hex(parsePsk(psk))).toBe(hex(psk));
    expect(parsePsk(psk)).not.toBe(psk);
    expect(hex(parsePsk('AB'.repeat(32)))).toBe('ab'.repeat(32));
    expect(() => parsePsk(new Uint8Array(31))).toThrow(/psk must be 32 bytes, got 31/);
    expect(() => parsePsk('ab'.repeat(31))).toThrow(/64 hex characters, got 62/);
    expect(() => parsePsk('zz' + 'ab'.repeat(31))).toThrow(/non-hex character "z" at index 0/);
    expect(() => parsePsk(42 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('rejects bad modes, keys and option combinations', () => {
    const base = { psk, responderStatic: bobStatic.publicKey, initiatorNodeId: alice.nodeId, responderNodeId: bob.nodeId };
    expect(() => initiatorStart({ ...base, mode: 'tls' as KeyDerivationMode })).toThrow(/"noise" or "net-v0\.27"/);
    expect(() => initiatorStart({ ...base, responderStatic: new Uint8Array(31) })).toThrow(InvalidArgumentError);
    expect(() => initiatorStart({ ...base, responderStatic: new Uint8Array(32) })).toThrow(/usable X25519/);
    expect(() => initiatorStart({ ...base, initiatorNodeId: 5 as unknown as bigint })).toThrow(InvalidArgumentError);
    const { message } = initiatorStart(base);
    const rbase = { psk, staticKeypair: bobStatic, responderNodeId: bob.nodeId, message };
    expect(() => responderRead(rbase)).toThrow(/exactly one/);
    expect(() => responderRead({ ...rbase, initiatorNodeId: alice.nodeId, routed: { srcId: 1 } })).toThrow(/exactly one/);
    expect(() => responderRead({ ...rbase, routed: { srcId: -1 } })).toThrow(InvalidArgumentError);
  });

  it('exposes the §11.3 timing constants', () => {
    expect(HANDSHAKE_TIMEOUT_MS).toBe(5000);
    expect(HANDSHAKE_ATTEMPTS).toBe(3);
    expect([1, 2].map(handshakeBackoffMs)).toEqual([100, 200]);
    expect(ROUTED_HANDSHAKE_TTL).toBe(16);
  });
});

import { describe, expect, it } from 'vitest';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { blake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  CipherState,
  HandshakeState,
  NoiseDecryptError,
  NoiseMalformedError,
  PATTERN_NKPSK0,
  SymmetricState,
  noiseHkdf,
  noiseKeypairFromSecret,
  protocolNameFor,
} from '../../ts/session/noise.js';

// Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s from the cacophony suite (snow's tests/vectors/cacophony.txt).
const VECTOR = {
  prologue: '4a6f686e2047616c74',
  psk: '54686973206973206d7920417573747269616e20706572737065637469766521',
  initEphemeral: '893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a',
  initRemoteStatic: '31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62',
  respStatic: '4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893',
  respEphemeral: 'bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b',
  handshakeHash: '6bd69bd4066f41f32e47134976f5bf01606f7a4a0e04369fe61158b06f3a144e',
  messages: [
    ['4c756477696720766f6e204d69736573', 'ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c794427635ede06947b2d3acd77a36788aaaf17e9f5a8ac252e560fb421ba161a2cf8'],
    ['4d757272617920526f746862617264', '95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843d682eb9cf4fee6816c8c8cfd34c15774321e234e3a426d7cfd3f13e5e84d04'],
    ['462e20412e20486179656b', 'b6645684db57679aa08f0b3352d58f32ec7f1e1a02083d5bd54277'],
    ['4361726c204d656e676572', '473a9a4109eba0939e934640d318984df8d0900aa922f0195a09ad'],
    ['4a65616e2d426170746973746520536179', 'c8c44a16fff728f83e61272382149feadd3eb0ee1bab6313f84c72fe1581225236'],
    ['457567656e2042f6686d20766f6e2042617765726b', '21354f87158ac5e357529e87e8c84cfcdb49c8a080550c8f908d05ef7ea82ca525e3d1398e'],
  ],
} as const;

function vectorStates(): { init: HandshakeState; resp: HandshakeState } {
  const init = new HandshakeState({
    pattern: PATTERN_NKPSK0,
    initiator: true,
    prologue: hexToBytes(VECTOR.prologue),
    psk: hexToBytes(VECTOR.psk),
    e: noiseKeypairFromSecret(hexToBytes(VECTOR.initEphemeral)),
    rs: hexToBytes(VECTOR.initRemoteStatic),
  });
  const resp = new HandshakeState({
    pattern: PATTERN_NKPSK0,
    initiator: false,
    prologue: hexToBytes(VECTOR.prologue),
    psk: hexToBytes(VECTOR.psk),
    s: noiseKeypairFromSecret(hexToBytes(VECTOR.respStatic)),
    e: noiseKeypairFromSecret(hexToBytes(VECTOR.respEphemeral)),
  });
  return { init, resp };
}

describe('Noise NKpsk0_25519_ChaChaPoly_BLAKE2s', () => {
  it('uses the full protocol name', () => {
    expect(protocolNameFor(PATTERN_NKPSK0)).toBe('Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s');
  });

  it('reproduces the cacophony test vector byte for byte', () => {
    const { init, resp } = vectorStates();
    expect(bytesToHex(noiseKeypairFromSecret(hexToBytes(VECTOR.respStatic)).publicKey)).toBe(VECTOR.initRemoteStatic);
    const [m1, m2, ...transport] = VECTOR.messages;
    const c1 = init.writeMessage(hexToBytes(m1[0]));
    expect(bytesToHex(c1)).toBe(m1[1]);
    expect(bytesToHex(resp.readMessage(c1))).toBe(m1[0]);
    const c2 = resp.writeMessage(hexToBytes(m2[0]));
    expect(bytesToHex(c2)).toBe(m2[1]);
    expect(bytesToHex(init.readMessage(c2))).toBe(m2[0]);
    expect(init.isComplete && resp.isComplete).toBe(true);
    expect(bytesToHex(init.handshakeHash)).toBe(VECTOR.handshakeHash);
    expect(bytesToHex(resp.handshakeHash)).toBe(VECTOR.handshakeHash);

    // Transport messages alternate initiator → responder, responder → initiator.
    const [i2r, r2i] = init.split();
    const [ri2r, rr2i] = resp.split();
    expect(bytesToHex(i2r)).toBe(bytesToHex(ri2r));
    expect(bytesToHex(r2i)).toBe(bytesToHex(rr2i));
    const send = [new CipherState(), new CipherState()];
    const recv = [new CipherState(), new CipherState()];
    send[0]!.initializeKey(i2r);
    recv[0]!.initializeKey(i2r);
    send[1]!.initializeKey(r2i);
    recv[1]!.initializeKey(r2i);
    transport.forEach(([pt, ct], i) => {
      const dir = i % 2;
      const out = send[dir]!.encryptWithAd(new Uint8Array(0), hexToBytes(pt));
      expect(bytesToHex(out)).toBe(ct);
      expect(bytesToHex(recv[dir]!.decryptWithAd(new Uint8Array(0), out))).toBe(pt);
    });
  });

  it('HKDF is HMAC-BLAKE2s as the Noise spec defines it', () => {
    const ck = new Uint8Array(32).fill(7);
    const ikm = new Uint8Array([1, 2, 3]);
    const temp = hmac(blake2s, ck, ikm);
    const o1 = hmac(blake2s, temp, new Uint8Array([1]));
    const o2 = hmac(blake2s, temp, new Uint8Array([...o1, 2]));
    const o3 = hmac(blake2s, temp, new Uint8Array([...o2, 3]));
    const [a, b, c] = noiseHkdf(ck, ikm, 3);
    expect([a, b, c].map((x) => bytesToHex(x!))).toEqual([o1, o2, o3].map(bytesToHex));
  });

  it('hashes a protocol name longer than HASHLEN', () => {
    const s = new SymmetricState('Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s');
    expect(bytesToHex(s.handshakeHash)).toBe(bytesToHex(blake2s(new TextEncoder().encode('Noise_NKpsk0_25519_ChaChaPoly_BLAKE2s'))));
  });

  it('a tampered msg1 fails with NoiseDecryptError; a short one with NoiseMalformedError', () => {
    const { init, resp } = vectorStates();
    const c1 = init.writeMessage(new Uint8Array(0));
    const bad = Uint8Array.from(c1);
    bad[40]! ^= 0x80;
    expect(() => resp.clone().readMessage(bad)).toThrow(NoiseDecryptError);
    expect(() => resp.clone().readMessage(c1.subarray(0, 40))).toThrow(NoiseMalformedError);
    expect(() => resp.clone().readMessage(c1.subarray(0, 20))).toThrow(NoiseMalformedError);
    // The untouched message still reads on the original state.
    expect(resp.readMessage(c1).length).toBe(0);
  });

  it('refuses to read or write out of turn and to split early', () => {
    const { init, resp } = vectorStates();
    expect(() => init.readMessage(new Uint8Array(48))).toThrow(NoiseMalformedError);
    expect(() => resp.writeMessage()).toThrow(NoiseMalformedError);
    expect(() => init.split()).toThrow(NoiseMalformedError);
  });

  it('CipherState uses nonce 4 zero bytes ‖ u64 LE counter and does not advance on failure', () => {
    const k = new Uint8Array(32).fill(3);
    const a = new CipherState();
    const b = new CipherState();
    a.initializeKey(k);
    b.initializeKey(k);
    a.setNonce(5n);
    b.setNonce(5n);
    const ct = a.encryptWithAd(new Uint8Array([9]), new Uint8Array([1, 2, 3]));
    const nonce = new Uint8Array(12);
    nonce[4] = 5;
    expect(bytesToHex(ct)).toBe(bytesToHex(chacha20poly1305(k, nonce, new Uint8Array([9])).encrypt(new Uint8Array([1, 2, 3]))));
    expect(() => b.decryptWithAd(new Uint8Array([8]), ct)).toThrow(NoiseDecryptError);
    expect(b.nonce).toBe(5n);
    expect(Array.from(b.decryptWithAd(new Uint8Array([9]), ct))).toEqual([1, 2, 3]);
    expect(b.nonce).toBe(6n);
  });
});

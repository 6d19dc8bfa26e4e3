// The Noise Protocol Framework (revision 34) for the one suite this project uses:
// DH 25519, cipher ChaChaPoly, hash BLAKE2s. CipherState, SymmetricState and a token-driven
// HandshakeState, sans-IO: callers pass bytes in and get bytes out.
//
// Every primitive runs in the WASM core: X25519, BLAKE2s (HASH, HMAC, HKDF) and the handshake's
// own ChaChaPoly, so a flood of forged first messages costs microseconds each, not milliseconds.

import { ChaCha20Poly1305 } from '../core/aead.js';
import { blake2s, hkdfBlake2s } from '../core/blake2s.js';
import { x25519, x25519PublicKey } from '../core/x25519.js';
import { AuthenticationError, NetMeshError } from '../errors.js';
import { ascii, concatBytes, randomBytes as cryptoRandomBytes } from '../identity/bytes.js';

export const HASHLEN = 32;
export const DHLEN = 32;
export const TAGLEN = 16;
/** Noise caps every handshake and transport message at 65535 bytes. */
export const MAX_NOISE_MESSAGE = 65535;
const MAX_NONCE = (1n << 64n) - 1n; // reserved by the spec; never used for encryption

/** A message failed AEAD authentication (wrong key, prologue, transcript or a forgery). */
export class NoiseDecryptError extends NetMeshError {
  constructor(message = 'noise: decryption failed') {
    super('HANDSHAKE_AUTH', message);
  }
}

/** A message is structurally invalid (too short, too long, bad public key). */
export class NoiseMalformedError extends NetMeshError {
  constructor(message: string) {
    super('HANDSHAKE_MALFORMED', message);
  }
}

export interface NoiseKeypair {
  readonly publicKey: Uint8Array; // 32 bytes
  readonly secretKey: Uint8Array; // 32 bytes (clamped by X25519 when used)
}

/** Source of random bytes; inject a seeded one for deterministic tests. */
export type RandomSource = (length: number) => Uint8Array;

/** A fresh X25519 keypair (Noise static or ephemeral key). */
export function generateNoiseKeypair(random: RandomSource = cryptoRandomBytes): NoiseKeypair {
  return noiseKeypairFromSecret(random(32));
}

/** The X25519 keypair with the given 32-byte secret. */
export function noiseKeypairFromSecret(secretKey: Uint8Array): NoiseKeypair {
  if (secretKey.length !== DHLEN) throw new NoiseMalformedError(`X25519 secret key must be 32 bytes, got ${secretKey.length}`);
  const secret = Uint8Array.from(secretKey);
  return { secretKey: secret, publicKey: x25519PublicKey(secret) };
}

/** X25519 DH. A low-order peer key (all-zero shared secret) is rejected as malformed. */
export function dh25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519(secretKey, publicKey);
  } catch (cause) {
    throw new NoiseMalformedError(`X25519 rejected the peer public key: ${(cause as Error).message}`);
  }
}

export function hashBlake2s(data: Uint8Array): Uint8Array {
  return blake2s(data);
}

/** Noise HKDF with HMAC-BLAKE2s; returns `count` outputs of HASHLEN bytes. */
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, count: 2 | 3): Uint8Array[] {
  return hkdfBlake2s(chainingKey, ikm, count);
}

/** One ChaChaPoly operation under `key`; the core's key state is freed right after. */
function withCipher<T>(key: Uint8Array, fn: (aead: ChaCha20Poly1305) => T): T {
  const aead = new ChaCha20Poly1305(key);
  try {
    return fn(aead);
  } finally {
    aead.dispose();
  }
}

/** ChaChaPoly nonce in Noise: 4 zero bytes ‖ 64-bit little-endian counter. */
function noiseNonce(n: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, n, true);
  return nonce;
}

export class CipherState {
  private k: Uint8Array | null = null;
  private n = 0n;

  initializeKey(key: Uint8Array | null): void {
    this.k = key === null ? null : Uint8Array.from(key);
    this.n = 0n;
  }

  hasKey(): boolean {
    return this.k !== null;
  }

  setNonce(n: bigint): void {
    this.n = n;
  }

  get nonce(): bigint {
    return this.n;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.k === null) return Uint8Array.from(plaintext);
    if (this.n === MAX_NONCE) throw new NoiseMalformedError('noise: nonce exhausted');
    const nonce = noiseNonce(this.n);
    const out = withCipher(this.k, (aead) => aead.seal(nonce, plaintext, ad));
    this.n++;
    return out;
  }

  /** Throws NoiseDecryptError on a bad tag; the nonce advances only on success. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.k === null) return Uint8Array.from(ciphertext);
    if (this.n === MAX_NONCE) throw new NoiseMalformedError('noise: nonce exhausted');
    if (ciphertext.length < TAGLEN) throw new NoiseMalformedError('noise: ciphertext shorter than its tag');
    let out: Uint8Array;
    const nonce = noiseNonce(this.n);
    try {
      out = withCipher(this.k, (aead) => aead.open(nonce, ciphertext, ad));
    } catch (e) {
      if (e instanceof AuthenticationError) throw new NoiseDecryptError();
      throw e;
    }
    this.n++;
    return out;
  }

  /** The raw key (null before MixKey); used when transport keys leave Noise. */
  get key(): Uint8Array | null {
    return this.k === null ? null : Uint8Array.from(this.k);
  }

  clone(): CipherState {
    const c = new CipherState();
    c.k = this.k === null ? null : Uint8Array.from(this.k);
    c.n = this.n;
    return c;
  }
}

export class SymmetricState {
  private ck: Uint8Array;
  private h: Uint8Array;
  readonly cipher: CipherState;

  constructor(protocolName: string | { ck: Uint8Array; h: Uint8Array; cipher: CipherState }) {
    if (typeof protocolName !== 'string') {
      this.ck = Uint8Array.from(protocolName.ck);
      this.h = Uint8Array.from(protocolName.h);
      this.cipher = protocolName.cipher.clone();
      return;
    }
    const name = ascii(protocolName);
    if (name.length <= HASHLEN) {
      this.h = new Uint8Array(HASHLEN);
      this.h.set(name);
    } else {
      this.h = hashBlake2s(name);
    }
    this.ck = Uint8Array.from(this.h);
    this.cipher = new CipherState();
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, tempK] = noiseHkdf(this.ck, ikm, 2) as [Uint8Array, Uint8Array];
    this.ck = ck;
    this.cipher.initializeKey(tempK);
  }

  mixHash(data: Uint8Array): void {
    this.h = hashBlake2s(concatBytes(this.h, data));
  }

  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, tempK] = noiseHkdf(this.ck, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array];
    this.ck = ck;
    this.mixHash(tempH);
    this.cipher.initializeKey(tempK);
  }

  get handshakeHash(): Uint8Array {
    return Uint8Array.from(this.h);
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ct = this.cipher.encryptWithAd(this.h, plaintext);
    this.mixHash(ct);
    return ct;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const pt = this.cipher.decryptWithAd(this.h, ciphertext);
    this.mixHash(ciphertext);
    return pt;
  }

  /** Split(): the two transport keys, initiator→responder first. */
  split(): [Uint8Array, Uint8Array] {
    const [k1, k2] = noiseHkdf(this.ck, new Uint8Array(0), 2) as [Uint8Array, Uint8Array];
    return [k1, k2];
  }

  clone(): SymmetricState {
    return new SymmetricState({ ck: this.ck, h: this.h, cipher: this.cipher });
  }
}

export type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

export interface HandshakePattern {
  /** Pattern name with modifiers as it appears in the protocol name, e.g. "NKpsk0". */
  readonly name: string;
  readonly initiatorPreMessage: readonly ('e' | 's')[];
  readonly responderPreMessage: readonly ('e' | 's')[];
  /** Messages in order; even indexes are written by the initiator. */
  readonly messages: readonly (readonly Token[])[];
}

/** NK with psk0: `<- s ... -> psk, e, es  <- e, ee`. */
export const PATTERN_NKPSK0: HandshakePattern = {
  name: 'NKpsk0',
  initiatorPreMessage: [],
  responderPreMessage: ['s'],
  messages: [
    ['psk', 'e', 'es'],
    ['e', 'ee'],
  ],
};

export function protocolNameFor(pattern: HandshakePattern): string {
  return `Noise_${pattern.name}_25519_ChaChaPoly_BLAKE2s`;
}

export interface HandshakeStateOptions {
  pattern: HandshakePattern;
  initiator: boolean;
  prologue?: Uint8Array;
  /** Local static keypair. */
  s?: NoiseKeypair;
  /** Local ephemeral keypair; normally generated from `random` when first needed (fixed in test vectors). */
  e?: NoiseKeypair;
  /** Remote static public key (pre-message or learned). */
  rs?: Uint8Array;
  /** Remote ephemeral public key (only for patterns with an `e` pre-message). */
  re?: Uint8Array;
  /** 32-byte pre-shared key, required iff the pattern has a `psk` token. */
  psk?: Uint8Array;
  random?: RandomSource;
  /** DH function; override to memoise (e.g. one msg1 tried under several prologues). */
  dh?: (secretKey: Uint8Array, publicKey: Uint8Array) => Uint8Array;
}

/**
 * Noise HandshakeState driven by a pattern's tokens. `writeMessage`/`readMessage` alternate as the
 * pattern dictates; after the last message `isComplete` is true and `split()` yields the keys.
 */
export class HandshakeState {
  readonly symmetric: SymmetricState;
  readonly initiator: boolean;
  private readonly pattern: HandshakePattern;
  private readonly pskMode: boolean;
  private readonly psk: Uint8Array | undefined;
  private readonly random: RandomSource;
  private readonly dh: (secretKey: Uint8Array, publicKey: Uint8Array) => Uint8Array;
  private s: NoiseKeypair | undefined;
  private e: NoiseKeypair | undefined;
  private rs: Uint8Array | undefined;
  private re: Uint8Array | undefined;
  private index = 0;

  constructor(opts: HandshakeStateOptions | HandshakeState) {
    if (opts instanceof HandshakeState) {
      // Copy constructor (used by clone()).
      this.symmetric = opts.symmetric.clone();
      this.initiator = opts.initiator;
      this.pattern = opts.pattern;
      this.pskMode = opts.pskMode;
      this.psk = opts.psk;
      this.random = opts.random;
      this.dh = opts.dh;
      this.s = opts.s;
      this.e = opts.e;
      this.rs = opts.rs;
      this.re = opts.re;
      this.index = opts.index;
      return;
    }
    const { pattern } = opts;
    this.pattern = pattern;
    this.initiator = opts.initiator;
    this.pskMode = pattern.messages.some((m) => m.includes('psk'));
    if (this.pskMode && (opts.psk === undefined || opts.psk.length !== 32)) {
      throw new NoiseMalformedError(`pattern ${pattern.name} needs a 32-byte psk`);
    }
    this.psk = opts.psk === undefined ? undefined : Uint8Array.from(opts.psk);
    this.random = opts.random ?? cryptoRandomBytes;
    this.dh = opts.dh ?? dh25519;
    this.s = opts.s;
    this.e = opts.e;
    this.rs = opts.rs === undefined ? undefined : Uint8Array.from(opts.rs);
    this.re = opts.re === undefined ? undefined : Uint8Array.from(opts.re);

    this.symmetric = new SymmetricState(protocolNameFor(pattern));
    this.symmetric.mixHash(opts.prologue ?? new Uint8Array(0));
    // Pre-messages: the initiator's first, then the responder's.
    this.mixPreMessage(pattern.initiatorPreMessage, this.initiator);
    this.mixPreMessage(pattern.responderPreMessage, !this.initiator);
  }

  private mixPreMessage(tokens: readonly ('e' | 's')[], local: boolean): void {
    for (const t of tokens) {
      const key = t === 's' ? (local ? this.s?.publicKey : this.rs) : local ? this.e?.publicKey : this.re;
      if (key === undefined) throw new NoiseMalformedError(`pre-message key "${t}" is missing (${local ? 'local' : 'remote'})`);
      this.symmetric.mixHash(key);
      if (t === 'e' && this.pskMode) this.symmetric.mixKey(key);
    }
  }

  get isComplete(): boolean {
    return this.index >= this.pattern.messages.length;
  }

  /** True if the next message is ours to write. */
  get isMyTurn(): boolean {
    return !this.isComplete && (this.index % 2 === 0) === this.initiator;
  }

  get handshakeHash(): Uint8Array {
    return this.symmetric.handshakeHash;
  }

  get remoteStatic(): Uint8Array | undefined {
    return this.rs === undefined ? undefined : Uint8Array.from(this.rs);
  }

  get remoteEphemeral(): Uint8Array | undefined {
    return this.re === undefined ? undefined : Uint8Array.from(this.re);
  }

  get localEphemeral(): NoiseKeypair | undefined {
    return this.e;
  }

  clone(): HandshakeState {
    return new HandshakeState(this);
  }

  writeMessage(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!this.isMyTurn) throw new NoiseMalformedError('noise: not our turn to write');
    const parts: Uint8Array[] = [];
    for (const token of this.pattern.messages[this.index]!) {
      switch (token) {
        case 'e': {
          if (this.e === undefined) this.e = generateNoiseKeypair(this.random);
          parts.push(Uint8Array.from(this.e.publicKey));
          this.symmetric.mixHash(this.e.publicKey);
          if (this.pskMode) this.symmetric.mixKey(this.e.publicKey);
          break;
        }
        case 's': {
          if (this.s === undefined) throw new NoiseMalformedError('noise: local static key missing');
          parts.push(this.symmetric.encryptAndHash(this.s.publicKey));
          break;
        }
        case 'psk':
          this.symmetric.mixKeyAndHash(this.psk!);
          break;
        default:
          this.symmetric.mixKey(this.dhToken(token));
      }
    }
    parts.push(this.symmetric.encryptAndHash(payload));
    const message = concatBytes(...parts);
    if (message.length > MAX_NOISE_MESSAGE) throw new NoiseMalformedError(`noise: message of ${message.length} bytes exceeds 65535`);
    this.index++;
    return message;
  }

  /** Returns the decrypted payload. Throws NoiseMalformedError or NoiseDecryptError. */
  readMessage(message: Uint8Array): Uint8Array {
    if (this.isComplete || this.isMyTurn) throw new NoiseMalformedError('noise: not expecting a message');
    if (message.length > MAX_NOISE_MESSAGE) throw new NoiseMalformedError(`noise: message of ${message.length} bytes exceeds 65535`);
    let off = 0;
    const take = (n: number, what: string): Uint8Array => {
      if (message.length - off < n) {
        throw new NoiseMalformedError(`noise: message too short for ${what} (${message.length} bytes)`);
      }
      const out = message.slice(off, off + n);
      off += n;
      return out;
    };
    for (const token of this.pattern.messages[this.index]!) {
      switch (token) {
        case 'e': {
          this.re = take(DHLEN, 'an ephemeral key');
          this.symmetric.mixHash(this.re);
          if (this.pskMode) this.symmetric.mixKey(this.re);
          break;
        }
        case 's': {
          const len = this.symmetric.cipher.hasKey() ? DHLEN + TAGLEN : DHLEN;
          this.rs = this.symmetric.decryptAndHash(take(len, 'a static key'));
          break;
        }
        case 'psk':
          this.symmetric.mixKeyAndHash(this.psk!);
          break;
        default:
          this.symmetric.mixKey(this.dhToken(token));
      }
    }
    const rest = message.subarray(off);
    if (this.symmetric.cipher.hasKey() && rest.length < TAGLEN) {
      throw new NoiseMalformedError(`noise: message too short for the payload tag (${message.length} bytes)`);
    }
    const payload = this.symmetric.decryptAndHash(rest);
    this.index++;
    return payload;
  }

  private dhToken(token: 'ee' | 'es' | 'se' | 'ss'): Uint8Array {
    // "es": initiator's ephemeral with responder's static; "se" the reverse.
    const [localKind, remoteKind] =
      token === 'ee' ? ['e', 'e'] :
      token === 'ss' ? ['s', 's'] :
      token === 'es' ? (this.initiator ? ['e', 's'] : ['s', 'e']) :
      (this.initiator ? ['s', 'e'] : ['e', 's']);
    const local = localKind === 'e' ? this.e : this.s;
    const remote = remoteKind === 'e' ? this.re : this.rs;
    if (local === undefined || remote === undefined) throw new NoiseMalformedError(`noise: keys for "${token}" missing`);
    return this.dh(local.secretKey, remote);
  }

  /** Split() after the final message: [initiator→responder key, responder→initiator key]. */
  split(): [Uint8Array, Uint8Array] {
    if (!this.isComplete) throw new NoiseMalformedError('noise: split before the handshake completed');
    return this.symmetric.split();
  }
}

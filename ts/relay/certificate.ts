// The relay's self-signed certificate, made at start with WebCrypto (no openssl at run time).
//
// Browsers accept a self-signed certificate for WebTransport only through `serverCertificateHashes`,
// and only one that is X.509v3, ECDSA P-256 and valid for at most 14 days (W3C WebTransport,
// "custom certificate requirements"). So: a fresh P-256 key, a v3 certificate whose whole validity
// is shorter than 14 days (backdated an hour for clock skew), and its SHA-256 for the page to pin.

import { InvalidArgumentError } from '../errors.js';
import { ipAddressBytes } from '../transports/address.js';
import * as der from './der.js';
import { toHex } from './hex.js';

export interface RelayCertificate {
  /** The certificate in PEM, as Deno.QuicEndpoint.listen takes it. */
  certPem: string;
  /** The PKCS#8 private key in PEM. */
  keyPem: string;
  /** The certificate's DER bytes. */
  der: Uint8Array;
  /** SHA-256 of `der`, lowercase hex: the page's `certificateHash`. */
  sha256: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateOptions {
  /** Names and IP literals the certificate is for (subjectAltName). Default localhost, 127.0.0.1, ::1. */
  hostnames?: readonly string[];
  /** Start of validity is `now - 1 h`; default Date.now(). */
  now?: number;
  /** Whole validity period in ms, at most 14 days (the browser limit). Default 13 days. */
  validityMs?: number;
}

const DAY_MS = 86_400_000;
export const MAX_CERT_VALIDITY_MS = 14 * DAY_MS;
const BACKDATE_MS = 3_600_000;

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export async function generateRelayCertificate(opts: CertificateOptions = {}): Promise<RelayCertificate> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new InvalidArgumentError('WebCrypto (crypto.subtle) is required to make the relay certificate');
  const validity = opts.validityMs ?? 13 * DAY_MS;
  if (!(validity > BACKDATE_MS) || validity > MAX_CERT_VALIDITY_MS) {
    throw new InvalidArgumentError(`validityMs must be more than 1 hour and at most 14 days, got ${validity}`);
  }
  const hostnames = opts.hostnames ?? ['localhost', '127.0.0.1', '::1'];
  if (hostnames.length === 0) throw new InvalidArgumentError('hostnames must name at least one host');
  const notBefore = new Date(Math.floor(((opts.now ?? Date.now()) - BACKDATE_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + validity);

  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey('spki', keys.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', keys.privateKey));

  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f; // positive, at most 20 octets (RFC 5280 §4.1.2.2)
  const sigAlg = der.sequence(der.oid(OID_ECDSA_SHA256));
  const name = der.sequence(der.set(der.sequence(der.oid(OID_COMMON_NAME), der.utf8String('net-mesh relay'))));
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(serial),
    sigAlg,
    name,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name,
    spki,
    der.explicit(3, der.sequence(...extensions(hostnames))),
  );
  const rawSig = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, tbs));
  const certDer = der.sequence(tbs, sigAlg, der.bitString(ecdsaSignatureDer(rawSig)));
  const hash = new Uint8Array(await subtle.digest('SHA-256', certDer));
  return {
    certPem: pem('CERTIFICATE', certDer),
    keyPem: pem('PRIVATE KEY', pkcs8),
    der: certDer,
    sha256: toHex(hash),
    notBefore,
    notAfter,
  };
}

function extensions(hostnames: readonly string[]): der.Der[] {
  const altNames = hostnames.map((h) => {
    const ip = ipAddressBytes(h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);
    if (ip !== null) return der.implicitPrimitive(7, ip);
    if (!/^[A-Za-z0-9.-]+$/.test(h)) throw new InvalidArgumentError(`hostnames: ${JSON.stringify(h)} is neither a DNS name nor an IP literal`);
    return der.implicitPrimitive(2, new TextEncoder().encode(h));
  });
  const ext = (id: string, critical: boolean, value: der.Der): der.Der =>
    critical ? der.sequence(der.oid(id), der.boolean(true), der.octetString(value)) : der.sequence(der.oid(id), der.octetString(value));
  return [
    ext(OID_BASIC_CONSTRAINTS, true, der.sequence()),
    // digitalSignature only (bit 0): ECDHE key exchange signs with the key.
    ext(OID_KEY_USAGE, true, der.tlv(0x03, Uint8Array.of(7, 0x80))),
    ext(OID_EXT_KEY_USAGE, false, der.sequence(der.oid(OID_SERVER_AUTH))),
    ext(OID_SUBJECT_ALT_NAME, false, der.sequence(...altNames)),
  ];
}

/** WebCrypto's ECDSA signature is r ‖ s; X.509 wants SEQUENCE { INTEGER r, INTEGER s }. */
function ecdsaSignatureDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  return der.sequence(der.unsignedInteger(raw.subarray(0, half)), der.unsignedInteger(raw.subarray(half)));
}

function pem(label: string, bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  const b64 = btoa(bin);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

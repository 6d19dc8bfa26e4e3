// A minimal DER writer: just the ASN.1 types an X.509 certificate needs (certificate.ts).
// Every function returns the complete TLV encoding of one value.

import { concatBytes } from '../identity/bytes.js';

export type Der = Uint8Array<ArrayBuffer>;

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** One TLV with the given tag byte and contents. */
export function tlv(tag: number, contents: Uint8Array): Der {
  const len = lengthBytes(contents.length);
  const out = new Uint8Array(1 + len.length + contents.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(contents, 1 + len.length);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Der {
  return concatBytes(...parts) as Der;
}

export const sequence = (...items: Der[]): Der => tlv(0x30, concat(items));
export const set = (...items: Der[]): Der => tlv(0x31, concat(items));
export const octetString = (bytes: Uint8Array): Der => tlv(0x04, bytes);
export const utf8String = (s: string): Der => tlv(0x0c, new TextEncoder().encode(s));
export const boolean = (v: boolean): Der => tlv(0x01, Uint8Array.of(v ? 0xff : 0x00));
/** Context-specific constructed tag [n] (EXPLICIT wrapping). */
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);
/** Context-specific primitive tag [n] (IMPLICIT, e.g. a GeneralName). */
export const implicitPrimitive = (n: number, contents: Uint8Array): Der => tlv(0x80 | n, contents);

/** BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Der {
  const c = new Uint8Array(bytes.length + 1);
  c.set(bytes, 1);
  return tlv(0x03, c);
}

/** INTEGER from unsigned big-endian bytes (leading zeros stripped, a 0x00 added when the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Der {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  if (body.length === 0) return tlv(0x02, Uint8Array.of(0));
  return tlv(0x02, body[0]! & 0x80 ? concat([Uint8Array.of(0), body]) : body);
}

export const smallInteger = (n: number): Der => unsignedInteger(Uint8Array.of(n));

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Der {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime (YYMMDDHHMMSSZ) for years 1950–2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(d: Date): Der {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  const enc = new TextEncoder();
  if (y >= 1950 && y < 2050) return tlv(0x17, enc.encode(`${p(y % 100)}${rest}`));
  return tlv(0x18, enc.encode(`${p(y, 4)}${rest}`));
}

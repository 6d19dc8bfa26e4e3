// "host:port" parsing and formatting. IPv6 hosts are bracketed ("[::1]:9000") and canonicalised the
// way inet_ntop prints them, so an address a caller typed and the address a socket reports for the
// same peer are the same string (the control layer keys peers by it).

import { InvalidArgumentError } from '../errors.js';

export type AddressFamily = 4 | 6 | 'name';

export interface ParsedAddress {
  /** IPv4 dotted quad, canonical IPv6 without brackets (zone kept: "fe80::1%eth0"), or a name. */
  host: string;
  port: number;
  family: AddressFamily;
}

export interface IpAddress extends ParsedAddress {
  family: 4 | 6;
}

const NAME_RE = /^[A-Za-z0-9._-]+$/;
const PORT_RE = /^[0-9]{1,5}$/;
const DOTTED_RE = /^[0-9.]+$/;

/**
 * Parse "host:port". Hosts may be IPv4, bracketed IPv6 or a name of letters, digits, '.', '_', '-'
 * (names are for the memory hub; UDP adapters call `parseIpAddress`). Port 0..65535.
 * Throws InvalidArgumentError naming `what` and the offending input.
 */
export function parseAddress(address: string, what = 'address'): ParsedAddress {
  if (typeof address !== 'string') {
    throw new InvalidArgumentError(`${what} must be a "host:port" string, got ${typeof address}`);
  }
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`invalid ${what} ${quote(address)}: ${reason}`);
  };
  let hostPart: string;
  let portPart: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) fail('missing "]" after the IPv6 host');
    if (address[close + 1] !== ':') fail('expected ":port" after "]"');
    hostPart = address.slice(1, close);
    portPart = address.slice(close + 2);
    const v6 = parseIPv6(hostPart);
    if (v6 === null) fail(`"${hostPart}" is not an IPv6 address`);
    return { host: v6 as string, port: parsePort(portPart, fail), family: 6 };
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0) fail('expected "host:port"');
  hostPart = address.slice(0, colon);
  portPart = address.slice(colon + 1);
  if (hostPart.includes(':')) fail('an IPv6 host must be written in brackets, e.g. "[::1]:9000"');
  if (hostPart === '') fail('the host is empty');
  const port = parsePort(portPart, fail);
  if (DOTTED_RE.test(hostPart)) {
    if (!isIPv4(hostPart)) fail(`"${hostPart}" is not an IPv4 address`);
    return { host: hostPart, port, family: 4 };
  }
  if (!NAME_RE.test(hostPart)) fail(`"${hostPart}" is not a valid host`);
  return { host: hostPart, port, family: 'name' };
}

/** Like parseAddress, but the host must be an IPv4 or IPv6 literal (UDP adapters do no DNS). */
export function parseIpAddress(address: string, what = 'address'): IpAddress {
  const parsed = parseAddress(address, what);
  if (parsed.family === 'name') {
    throw new InvalidArgumentError(
      `invalid ${what} ${quote(address)}: the host must be an IPv4 or [IPv6] literal (no DNS lookups)`,
    );
  }
  return parsed as IpAddress;
}

/**
 * Format host and port as "host:port", bracketing IPv6. An IPv4-mapped IPv6 host
 * ("::ffff:1.2.3.4", what a dual-stack socket reports for an IPv4 peer) is written as plain IPv4.
 */
export function formatAddress(host: string, port: number): string {
  if (!host.includes(':')) return `${host}:${port}`;
  const v6 = parseIPv6(host) ?? host.toLowerCase();
  const mapped = unmapIPv4(v6);
  return mapped !== null ? `${mapped}:${port}` : `[${v6}]:${port}`;
}

/** Canonical "host:port" for an address string (throws like parseAddress). */
export function normalizeAddress(address: string, what = 'address'): string {
  const p = parseAddress(address, what);
  return formatAddress(p.host, p.port);
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  return true;
}

export function isIPv6(s: string): boolean {
  return parseIPv6(s) !== null;
}

/** "::ffff:a.b.c.d" → "a.b.c.d"; anything else → null. Input must be canonical IPv6. */
export function unmapIPv4(canonicalV6: string): string | null {
  if (!canonicalV6.startsWith('::ffff:')) return null;
  const tail = canonicalV6.slice(7);
  return isIPv4(tail) ? tail : null;
}

/**
 * Parse an IPv6 literal (optionally with an embedded IPv4 tail and a "%zone") and return its
 * canonical text (RFC 5952 / inet_ntop: lowercase, no leading zeros, longest zero run as "::"),
 * or null if it is not IPv6.
 */
export function parseIPv6(input: string): string | null {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct);
    s = s.slice(0, pct);
    if (zone.length < 2 || !/^%[A-Za-z0-9._-]+$/.test(zone)) return null;
  }
  const words = ipv6Words(s);
  return words === null ? null : formatIPv6(words) + zone;
}

/** The eight 16-bit words of an IPv6 literal without a zone, or null if it is not one. */
export function ipv6Words(s: string): number[] | null {
  if (s.length === 0 || s.length > 45) return null;
  const words: number[] = [];
  let head = s;
  let tail = '';
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    head = s.slice(0, dbl);
    tail = s.slice(dbl + 2);
  }
  const headWords = parseGroups(head, dbl < 0);
  if (headWords === null) return null;
  let tailWords: number[] = [];
  if (dbl >= 0) {
    const t = parseGroups(tail, true);
    if (t === null) return null;
    tailWords = t;
    if (headWords.length + tailWords.length > 7) return null;
    words.push(...headWords);
    for (let i = headWords.length + tailWords.length; i < 8; i++) words.push(0);
    words.push(...tailWords);
  } else {
    if (headWords.length !== 8) return null;
    words.push(...headWords);
  }
  return words;
}

/** Network-order bytes of an IPv4 (4 B) or zone-less IPv6 (16 B) literal, or null if it is neither. */
export function ipAddressBytes(host: string): Uint8Array | null {
  if (isIPv4(host)) return Uint8Array.from(host.split('.').map(Number));
  const words = ipv6Words(host);
  if (words === null) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/** Colon groups; the last may be a dotted IPv4 (two words) when `ipv4Tail` is allowed. */
function parseGroups(s: string, ipv4Tail: boolean): number[] | null {
  if (s === '') return [];
  const groups = s.split(':');
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (i === groups.length - 1 && ipv4Tail && g.includes('.')) {
      if (!isIPv4(g)) return null;
      const b = g.split('.').map(Number);
      out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** Canonical text (inet_ntop style) of eight 16-bit words. */
export function formatIPv6(w: readonly number[]): string {
  // Longest run of two or more zero words (first one on a tie) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // inet_ntop prints IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) with a dotted tail.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const v4 = `${w[6]! >> 8}.${w[6]! & 255}.${w[7]! >> 8}.${w[7]! & 255}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += w[i]!.toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

function parsePort(text: string, fail: (reason: string) => never): number {
  if (!PORT_RE.test(text)) fail(`port ${quote(text)} is not a decimal number`);
  const port = Number(text);
  if (port > 65535) fail(`port ${port} is out of range 0..65535`);
  return port;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/**
 * Memo of parsed destination addresses for the send path (a node talks to few peers, so each send
 * is a Map hit instead of a parse). Bad addresses are remembered too, as their error. Bounded: the
 * memo is cleared when it reaches `limit` entries.
 */
export class AddressCache<T> {
  private readonly map = new Map<string, T | InvalidArgumentError>();

  constructor(
    private readonly convert: (parsed: IpAddress) => T,
    private readonly limit = 4096,
  ) {}

  /** The converted destination, or the InvalidArgumentError describing why `address` is unusable. */
  get(address: string): T | InvalidArgumentError {
    let hit = this.map.get(address);
    if (hit !== undefined) return hit;
    try {
      hit = this.convert(parseIpAddress(address, 'destination address'));
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      hit = err;
    }
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(address, hit);
    return hit;
  }
}

/**
 * Formats the source addresses a socket reports (hot path: once per received datagram). IPv4 hosts
 * are concatenated directly; IPv6 hosts are canonicalised/unmapped once and memoised.
 */
export class PeerAddressFormatter {
  private readonly hosts = new Map<string, string>();

  format(host: string, port: number): string {
    if (!host.includes(':')) return `${host}:${port}`;
    let h = this.hosts.get(host);
    if (h === undefined) {
      const canonical = parseIPv6(host) ?? host.toLowerCase();
      h = unmapIPv4(canonical) ?? `[${canonical}]`;
      if (this.hosts.size >= 4096) this.hosts.clear();
      this.hosts.set(host, h);
    }
    return `${h}:${port}`;
  }
}

// The attach target of verbs that talk to a running node (meshos-cli.md §3.3, step 1): each field
// from its flag, else the profile; none set → "no target", some set → the missing flag named,
// malformed values → all usage errors (exit 2), before any network work.
import type { OptionSpec } from './args.js';
import { usageError } from './args.js';
import type { Profile } from './config.js';

export interface AttachTarget {
  /** `ip:port` of the node. */
  addr: string;
  /** The node's X25519 Noise static public key. */
  noisePublicKey: Uint8Array;
  nodeId: bigint;
  psk: Uint8Array;
}

export const ATTACH_OPTIONS: OptionSpec[] = [
  { name: 'node-addr', kind: 'string', value: '<ip:port>', description: 'address of the node to attach to (profile node_addr)' },
  { name: 'node-pubkey', kind: 'string', value: '<hex>', description: "the node's X25519 Noise static key, 64 hex (profile node_pubkey)" },
  { name: 'node-id', kind: 'string', value: '<id>', description: "the node's id, decimal or 0x hex (profile node_id)" },
  { name: 'psk-hex', kind: 'string', value: '<hex>', description: 'the mesh pre-shared key, 64 hex (profile psk_hex)' },
  { name: 'identity', kind: 'string', value: '<path>', description: 'identity file (TOML with seed_hex) the node accepts (net-mesh node --accept-identity); ephemeral when absent' },
];

/** 32 bytes written as 64 hex characters, optionally `0x`-prefixed. */
export function hex32(flag: string, text: string): Uint8Array {
  const t = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(t)) throw usageError(`${flag}: expected 64 hex characters (32 bytes), got ${JSON.stringify(text)}`);
  return Uint8Array.from(t.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** A u64 written in decimal or `0x` hex. */
export function parseU64(flag: string, text: string): bigint {
  const t = text.trim();
  if (!/^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(t)) throw usageError(`${flag}: expected a decimal or 0x-hex u64, got ${JSON.stringify(text)}`);
  const v = BigInt(t);
  if (v >= 1n << 64n) throw usageError(`${flag}: ${text} does not fit in a u64`);
  return v;
}

/** `ip:port` (IPv6 in brackets). */
export function socketAddr(flag: string, text: string): string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(text.trim());
  if (!m || Number(m[3]) > 65535) throw usageError(`${flag}: expected ip:port, got ${JSON.stringify(text)}`);
  return text.trim();
}

/** `host:port` with a name, an IPv4 address or a bracketed IPv6 address; port 0..65535. */
export function parseHostPort(flag: string, text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/.exec(text.trim());
  if (!m || Number(m[3]) > 65535) throw usageError(`${flag}: expected host:port, got ${JSON.stringify(text)}`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

/**
 * The target from flags and profile, or undefined when nothing at all is set (the caller decides
 * whether that is an error, e.g. typegen suggests --from-snapshot). `defaults.nodeId` fills a
 * missing node id (recv-blob / recv-dir default it to `<source>`).
 */
export function resolveAttachTarget(flags: (name: string) => string | undefined, profile: Profile, defaults: { nodeId?: bigint } = {}): AttachTarget | undefined {
  const pick = (flag: string, key: keyof Profile): [string, string] | undefined => {
    const f = flags(flag);
    if (f !== undefined) return [`--${flag}`, f];
    const p = profile[key];
    return p === undefined ? undefined : [`profile ${key}`, String(p)];
  };
  const addr = pick('node-addr', 'node_addr');
  const pub = pick('node-pubkey', 'node_pubkey');
  const psk = pick('psk-hex', 'psk_hex');
  if (addr === undefined && pub === undefined && psk === undefined && flags('node-id') === undefined && profile.node_id === undefined) return undefined;
  const id = pick('node-id', 'node_id') ?? (defaults.nodeId === undefined ? undefined : (['<source>', String(defaults.nodeId)] as [string, string]));
  const all = [['--node-addr', addr], ['--node-pubkey', pub], ['--node-id', id], ['--psk-hex', psk]] as const;
  const missing = all.filter(([, v]) => v === undefined).map(([n]) => n);
  if (missing.length > 0) throw usageError(`incomplete attach target: missing ${missing.join(', ')}`);
  return { addr: socketAddr(...addr!), noisePublicKey: hex32(...pub!), nodeId: parseU64(...id!), psk: hex32(...psk!) };
}

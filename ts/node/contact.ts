// A node's contact: the three things an initiator needs (Noise static key, address, node id) in
// one copyable string, `nm1:<key>@<host:port>#<node id>`:
// - `nm1:` the format and its version;
// - <key> the X25519 Noise static public key, 64 hex digits (lowercase when formatted; either
//   case is read), as the CLI's --node-pubkey;
// - <host:port> the node's address as `connect()` takes it ("1.2.3.4:7447", "[::1]:7447", or a
//   host name when the transport resolves names);
// - <node id> the u64 node id in decimal without leading zeros, as the CLI's --node-id.
import { InvalidArgumentError } from '../errors.js';
import { parseAddress } from '../transports/address.js';

export const CONTACT_PREFIX = 'nm1:';
const U64_MAX = (1n << 64n) - 1n;

export interface Contact {
  publicKey: Uint8Array;
  address: string;
  nodeId: bigint;
}

export function isContact(s: unknown): s is string {
  return typeof s === 'string' && s.startsWith(CONTACT_PREFIX);
}

export function formatContact(c: Contact): string {
  let hex = '';
  for (const b of c.publicKey) hex += b.toString(16).padStart(2, '0');
  return `${CONTACT_PREFIX}${hex}@${c.address}#${c.nodeId}`;
}

/** Parses a contact; InvalidArgumentError names the part that is wrong (contact.key, contact.address, contact.nodeId). */
export function parseContact(s: string): Contact {
  const fail = (field: string, why: string): never => {
    throw new InvalidArgumentError(`${field ? `contact.${field}` : 'contact'} is invalid: ${why} (a contact reads nm1:<64 hex key>@<host:port>#<decimal node id>)`);
  };
  if (typeof s !== 'string') fail('', `expected a string, got ${typeof s}`);
  if (!s.startsWith(CONTACT_PREFIX)) fail('prefix', `it must start with "${CONTACT_PREFIX}"`);
  const body = s.slice(CONTACT_PREFIX.length);
  const at = body.indexOf('@');
  const hash = body.lastIndexOf('#');
  if (at < 0) fail('key', 'no "@" after the key');
  if (hash < 0 || hash < at) fail('nodeId', 'no "#" before the node id');
  const keyText = body.slice(0, at);
  const address = body.slice(at + 1, hash);
  const idText = body.slice(hash + 1);
  if (!/^[0-9a-fA-F]{64}$/.test(keyText)) fail('key', `it must be 64 hex digits (32 bytes), got ${keyText.length} characters`);
  const publicKey = new Uint8Array(32);
  for (let i = 0; i < 32; i++) publicKey[i] = parseInt(keyText.slice(2 * i, 2 * i + 2), 16);
  try {
    parseAddress(address, 'contact.address');
  } catch (e) {
    fail('address', e instanceof Error ? e.message : String(e));
  }
  if (!/^(0|[1-9][0-9]{0,19})$/.test(idText)) fail('nodeId', `it must be a decimal u64 without leading zeros, got ${JSON.stringify(idText.slice(0, 24))}`);
  const nodeId = BigInt(idText);
  if (nodeId > U64_MAX) fail('nodeId', 'it is larger than 2^64−1');
  return { publicKey, address, nodeId };
}

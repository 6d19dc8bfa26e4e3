// Which mesh addresses a page may make the relay send to. The relay is an open UDP forwarder for
// whoever holds its URL, so it never sends to addresses no mesh node can have: port 0, the
// unspecified address, multicast and limited broadcast. Operators narrow this with their own policy.

import { parseIpAddress } from '../transports/address.js';

const V4_UNUSABLE = /^(0\.|22[4-9]\.|23\d\.|255\.255\.255\.255$)/;

/** True for a "host:port" the relay will forward to by default. `address` is canonical (framing.ts). */
export function defaultAllowDestination(address: string): boolean {
  let a;
  try {
    a = parseIpAddress(address);
  } catch {
    return false;
  }
  if (a.port === 0) return false;
  if (a.family === 4) return !V4_UNUSABLE.test(a.host);
  return a.host !== '::' && !a.host.startsWith('ff');
}

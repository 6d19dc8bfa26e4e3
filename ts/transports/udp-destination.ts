// Destination checks shared by the UDP transports (node:dgram, Bun, Deno).

import { InvalidArgumentError } from '../errors.js';
import { formatAddress, type IpAddress } from './address.js';

/**
 * The host to send to `a` from a socket of `family`: as is for the same family, IPv4-mapped
 * (::ffff:a.b.c.d) for IPv4 from an IPv6 socket. Throws InvalidArgumentError for port 0 and for
 * IPv6 from an IPv4 socket (`hint` is appended to that message).
 */
export function udpSendHost(a: IpAddress, family: 4 | 6, hint = ''): string {
  if (a.port === 0) throw new InvalidArgumentError(`destination port 0 is not valid (${formatAddress(a.host, a.port)})`);
  if (a.family === family) return a.host;
  if (a.family === 4) return `::ffff:${a.host}`;
  throw new InvalidArgumentError(`cannot send to IPv6 ${formatAddress(a.host, a.port)} from an IPv4 socket${hint}`);
}

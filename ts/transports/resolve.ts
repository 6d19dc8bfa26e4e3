// Host names for the UDP transports: connect() resolves "name:port" once, through the runtime's
// resolver (node:dns on Node, Deno and Bun), into the IP literal the sockets take. Where there is
// no resolver (browsers) a name is refused.
import { HandshakeError, InvalidArgumentError } from '../errors.js';
import { formatAddress } from './address.js';

interface DnsPromises {
  lookup(host: string, opts: { family: number }): Promise<{ address: string; family: number }>;
}

function dnsPromises(): DnsPromises | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const dns = p?.getBuiltinModule?.('node:dns') as { promises?: DnsPromises } | undefined;
  return dns?.promises;
}

/**
 * Resolves `host` to one address of `family` (4, 6, or 0 for either) and returns "ip:port".
 * HandshakeError ADDRESS_UNRESOLVED when the name does not resolve; InvalidArgumentError where the
 * runtime has no resolver.
 */
export async function resolveHostPort(host: string, port: number, family: 0 | 4 | 6, what = 'address'): Promise<string> {
  const dns = dnsPromises();
  if (!dns) throw new InvalidArgumentError(`${what} names the host "${host}", but this runtime cannot resolve host names: pass an IP literal`);
  try {
    const r = await dns.lookup(host, { family });
    return formatAddress(r.address, port);
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
    throw new HandshakeError('ADDRESS_UNRESOLVED', `cannot resolve the host "${host}" of ${what} "${host}:${port}"${family ? ` to an IPv${family} address` : ''}: ${code}`, { cause: e });
  }
}

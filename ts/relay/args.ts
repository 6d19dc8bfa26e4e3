// Command-line options of the relay entry (main.ts), shared with whatever verb starts it.

import { InvalidArgumentError } from '../errors.js';
import type { RelayLimits } from './limits.js';
import type { RelayOptions } from './server.js';

export interface RelayArgs {
  options: RelayOptions;
  /** Exit when standard input reaches end of file (a parent process that dies takes the relay along). */
  stdinLifeline: boolean;
}

export const RELAY_USAGE = `usage: relay [options]
  --host IP                 WebTransport listen address (default 127.0.0.1)
  --port N                  WebTransport UDP port (default 0: any free port)
  --path /P                 URL path (default /net-mesh)
  --udp-host IP             address the per-page UDP sockets bind to (default: --host)
  --public-host IP          host in the URL and in pages' mesh addresses (default: --host)
  --max-sessions N          browser sessions at once (default 64)
  --max-sessions-per-host N browser sessions at once from one IP address (default 16)
  --packets-per-second N    per session and direction (default 20000)
  --bytes-per-second N      per session and direction (default 33554432)
  --max-bytes-per-session N total per session, 0 = no cap (default 0)
  --idle-timeout-ms N       close a session whose page is silent this long (default 60000)
  --bind-timeout-ms N       close a session that has not bound this long after opening (default 10000)
  --stdin-lifeline          exit when standard input closes
Prints one JSON line {"url","certificateHash"} when listening, and {"stats"} on exit.`;

const STRING_FLAGS: Record<string, 'hostname' | 'path' | 'udpHost' | 'publicHost'> = {
  '--host': 'hostname',
  '--path': 'path',
  '--udp-host': 'udpHost',
  '--public-host': 'publicHost',
};

const LIMIT_FLAGS: Record<string, keyof RelayLimits> = {
  '--max-sessions': 'maxSessions',
  '--max-sessions-per-host': 'maxSessionsPerHost',
  '--packets-per-second': 'packetsPerSecond',
  '--bytes-per-second': 'bytesPerSecond',
  '--max-bytes-per-session': 'maxBytesPerSession',
  '--idle-timeout-ms': 'idleTimeoutMs',
  '--bind-timeout-ms': 'bindTimeoutMs',
};

/** Parse relay flags ("--flag value" or "--flag=value"); throws InvalidArgumentError naming the flag. */
export function parseRelayArgs(argv: readonly string[]): RelayArgs {
  const options: RelayOptions = {};
  const limits: Partial<RelayLimits> = {};
  let stdinLifeline = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--stdin-lifeline') {
      stdinLifeline = true;
      continue;
    }
    const known = flag === '--port' || flag in STRING_FLAGS || flag in LIMIT_FLAGS;
    if (!known) throw new InvalidArgumentError(`unknown relay option ${JSON.stringify(arg)}\n${RELAY_USAGE}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new InvalidArgumentError(`${flag} needs a value`);
    if (flag in STRING_FLAGS) {
      options[STRING_FLAGS[flag]!] = value;
      continue;
    }
    if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
    if (flag === '--port') options.port = Number(value);
    else limits[LIMIT_FLAGS[flag]!] = Number(value);
  }
  if (Object.keys(limits).length > 0) options.limits = limits;
  return { options, stdinLifeline };
}

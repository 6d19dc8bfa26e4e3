// The relay's WebTransport server: Deno's QUIC endpoint (Deno.QuicEndpoint, Deno 2.2+ with
// --unstable-net) upgraded to WebTransport with Deno.upgradeWebTransport. Node and Bun have no
// WebTransport or HTTP/3 server, so the relay runs under Deno; Node users start it through
// spawnRelay() (spawn.ts), which runs dist/deno/relay.mjs with the deno binary.

import { InvalidArgumentError, TransportError } from '../errors.js';
import { formatAddress, isIPv4, isIPv6, parseIPv6 } from '../transports/address.js';
import { DenoTransport } from '../transports/deno.js';
import { errorText, type Transport } from '../transports/transport.js';
import { generateRelayCertificate, type RelayCertificate } from './certificate.js';
import { defaultAllowDestination } from './destinations.js';
import { HostSlots, resolveLimits, SessionSlots, type RelayLimits } from './limits.js';
import { RelaySession, type SessionContext } from './session.js';
import { emptyRelayStats, RelayCloseCode, type RelayStats } from './stats.js';

export interface RelayOptions {
  /** IP literal the WebTransport (QUIC) endpoint listens on. Default "127.0.0.1". */
  hostname?: string;
  /** UDP port of the WebTransport endpoint; 0 picks one. Default 0. */
  port?: number;
  /** URL path pages must use. Default "/net-mesh". */
  path?: string;
  /** IP literal the per-session UDP sockets bind to. Default: `hostname`. */
  udpHost?: string;
  /**
   * Host pages and mesh peers reach the relay at: the URL's host and the host of every page's mesh
   * address. Default: `hostname`, or 127.0.0.1 / ::1 when `hostname` is a wildcard.
   */
  publicHost?: string;
  /** A certificate to serve instead of a fresh self-signed one (it must meet the browser's rules). */
  certificate?: RelayCertificate;
  limits?: Partial<RelayLimits>;
  /** Destination policy for page → mesh packets ("host:port", canonical). Default: defaultAllowDestination. */
  allowDestination?: (address: string) => boolean;
  /** Clock in ms for limits and timeouts. Default performance.now. */
  now?: () => number;
  /** UDP transport for each session. Default: DenoTransport. */
  createUdp?: () => Transport;
}

export interface Relay {
  /** The URL a page passes to WebTransportTransport. */
  readonly url: string;
  /** SHA-256 of the certificate, hex: the page's `certificateHash`. */
  readonly certificateHash: string;
  /** When the certificate stops being valid (browsers cap it at 14 days: restart before then). */
  readonly certificateExpires: Date;
  stats(): RelayStats;
  /** Close every session and the endpoint; idempotent. */
  close(): Promise<void>;
}

/** The slice of Deno's QUIC API the relay uses (Deno's own types are not in this tsconfig). */
interface QuicConn {
  readonly remoteAddr: { hostname: string; port: number };
  close(info?: { closeCode: number; reason: string }): void;
}
interface QuicIncoming {
  accept(opts?: { alpnProtocols?: string[] }): Promise<QuicConn>;
  refuse(): void;
}
interface QuicListener extends AsyncIterable<QuicIncoming> {
  stop(): void;
}
interface QuicEndpoint {
  readonly addr: { hostname: string; port: number };
  listen(opts: {
    cert: string;
    key: string;
    alpnProtocols: string[];
    keepAliveInterval?: number;
    maxIdleTimeout?: number;
    maxConcurrentBidirectionalStreams?: number;
    maxConcurrentUnidirectionalStreams?: number;
  }): QuicListener;
  close(info?: { closeCode: number; reason: string }): void;
}
interface DenoQuic {
  QuicEndpoint?: new (opts: { hostname: string; port: number }) => QuicEndpoint;
  upgradeWebTransport?: (conn: QuicConn) => Promise<WebTransport & { url: string }>;
}

/** QUIC keep-alive from the relay so a quiet but healthy page is not timed out by QUIC itself. */
const QUIC_KEEPALIVE_MS = 10_000;
const QUIC_IDLE_MS = 30_000;

export async function startRelay(opts: RelayOptions = {}): Promise<Relay> {
  const deno = (globalThis as { Deno?: DenoQuic }).Deno;
  if (typeof deno?.QuicEndpoint !== 'function' || typeof deno.upgradeWebTransport !== 'function') {
    throw new TransportError('the relay needs Deno 2.2 or later with --unstable-net (Deno.QuicEndpoint, Deno.upgradeWebTransport)');
  }
  const hostname = ipLiteral(opts.hostname ?? '127.0.0.1', 'hostname');
  const udpHost = ipLiteral(opts.udpHost ?? hostname, 'udpHost');
  const publicHost = ipLiteral(opts.publicHost ?? (isWildcard(hostname) ? (isIPv4(hostname) ? '127.0.0.1' : '::1') : hostname), 'publicHost');
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer 0..65535, got ${port}`);
  const path = opts.path ?? '/net-mesh';
  if (!path.startsWith('/')) throw new InvalidArgumentError(`path must start with "/", got ${JSON.stringify(path)}`);
  const limits = resolveLimits(opts.limits);
  const now = opts.now ?? (() => performance.now());
  const cert =
    opts.certificate ??
    (await generateRelayCertificate({ hostnames: [...new Set([publicHost, hostname, 'localhost', '127.0.0.1', '::1'])].filter((h) => !isWildcard(h)) }));

  let endpoint: QuicEndpoint;
  let listener: QuicListener;
  try {
    endpoint = new deno.QuicEndpoint({ hostname, port });
    listener = endpoint.listen({
      cert: cert.certPem,
      key: cert.keyPem,
      alpnProtocols: ['h3'],
      keepAliveInterval: QUIC_KEEPALIVE_MS,
      maxIdleTimeout: QUIC_IDLE_MS,
      // One stream per session (framing.ts); a little slack so an extra one is seen and refused.
      maxConcurrentBidirectionalStreams: 4,
      maxConcurrentUnidirectionalStreams: 4,
    });
  } catch (err) {
    throw new TransportError(`relay cannot listen on ${formatAddress(hostname, port)}: ${errorText(err)}`, { cause: err });
  }
  const upgrade = deno.upgradeWebTransport;
  const stats = emptyRelayStats();
  const slots = new SessionSlots(limits.maxSessions);
  const hostSlots = new HostSlots(limits.maxSessionsPerHost);
  const sessions = new Set<RelaySession>();
  const handshakes = new Set<QuicConn>();
  const ctx: SessionContext = {
    limits,
    stats,
    now,
    createUdp: opts.createUdp ?? (() => new DenoTransport()),
    udpBindAddress: formatAddress(udpHost, 0),
    publicHost,
    allowDestination: opts.allowDestination ?? defaultAllowDestination,
  };
  let closing: Promise<void> | undefined;

  const admit = async (incoming: QuicIncoming): Promise<void> => {
    const openedAt = now();
    let conn: QuicConn | undefined;
    // The QUIC and WebTransport handshakes share the bind deadline: a peer that stalls them
    // must not hold a session slot.
    const deadline = setTimeout(() => conn?.close({ closeCode: RelayCloseCode.BIND_TIMEOUT, reason: 'handshake timeout' }), limits.bindTimeoutMs);
    let wt: WebTransport & { url: string };
    let host: string | undefined;
    try {
      conn = await incoming.accept();
      handshakes.add(conn);
      if (closing) throw new Error('relay closing');
      // Deno tells the peer's address only once the connection is accepted.
      const peer = conn.remoteAddr.hostname;
      if (!hostSlots.tryAcquire(peer)) {
        stats.sessionsRefused++;
        conn.close({ closeCode: RelayCloseCode.TOO_MANY_SESSIONS, reason: 'too many sessions from this address' });
        return;
      }
      host = peer;
      wt = await upgrade(conn);
    } catch {
      stats.sessionsFailed++;
      if (conn) closeQuietly(conn);
      if (host !== undefined) hostSlots.release(host);
      return;
    } finally {
      clearTimeout(deadline);
      if (conn) handshakes.delete(conn);
    }
    try {
      await serve(wt, openedAt);
    } finally {
      hostSlots.release(host);
    }
  };

  const serve = async (wt: WebTransport & { url: string }, openedAt: number): Promise<void> => {
    if (new URL(wt.url).pathname !== path) {
      stats.sessionsFailed++;
      wt.close({ closeCode: RelayCloseCode.UNKNOWN_PATH, reason: `unknown path (this relay serves ${path})` });
      return;
    }
    stats.sessionsAccepted++;
    const session = new RelaySession(wt, ctx, openedAt);
    sessions.add(session);
    await session.done;
    sessions.delete(session);
  };

  const acceptLoop = (async () => {
    try {
      for await (const incoming of listener) {
        if (closing) {
          incoming.refuse();
          continue;
        }
        if (!slots.tryAcquire()) {
          stats.sessionsRefused++;
          incoming.refuse();
          continue;
        }
        stats.sessionsOpen = slots.inUse;
        void admit(incoming)
          .catch(() => {
            stats.sessionsFailed++;
          })
          .finally(() => {
            slots.release();
            stats.sessionsOpen = slots.inUse;
          });
      }
    } catch {
      // the listener was stopped
    }
  })();

  const sweepMs = Math.max(20, Math.min(1000, Math.min(limits.idleTimeoutMs, limits.bindTimeoutMs) / 4));
  const sweep = setInterval(() => {
    const t = now();
    for (const s of sessions) {
      const why = s.expire(t);
      if (why === 'idle') stats.sessionsClosedIdle++;
      else if (why === 'bind-timeout') stats.sessionsClosedBindTimeout++;
    }
  }, sweepMs);

  const close = async (): Promise<void> => {
    clearInterval(sweep);
    try {
      listener.stop();
    } catch {
      // already stopped
    }
    for (const conn of handshakes) closeQuietly(conn);
    for (const s of sessions) s.close(RelayCloseCode.SHUTDOWN, 'relay shutting down');
    await Promise.all([...sessions].map((s) => s.done));
    try {
      endpoint.close({ closeCode: RelayCloseCode.SHUTDOWN, reason: 'relay shutting down' });
    } catch {
      // already closed
    }
    await acceptLoop;
  };

  const urlHost = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
  return {
    url: `https://${urlHost}:${endpoint.addr.port}${path}`,
    certificateHash: cert.sha256,
    certificateExpires: cert.notAfter,
    stats: () => {
      const snapshot = { ...stats, sessionsOpen: slots.inUse };
      for (const s of sessions) snapshot.udpSendErrors += s.udpSendErrors();
      return snapshot;
    },
    close: () => (closing ??= close()),
  };
}

function closeQuietly(conn: QuicConn): void {
  try {
    conn.close({ closeCode: RelayCloseCode.SHUTDOWN, reason: 'relay closing' });
  } catch {
    // already closed
  }
}

function ipLiteral(host: string, what: string): string {
  if (typeof host === 'string') {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (isIPv4(bare)) return bare;
    if (isIPv6(bare) && !bare.includes('%')) return parseIPv6(bare)!;
  }
  throw new InvalidArgumentError(`${what} must be an IPv4 or IPv6 literal, got ${JSON.stringify(host)}`);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

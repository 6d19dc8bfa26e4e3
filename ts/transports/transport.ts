// The one seam between the portable mesh and a runtime's sockets. Every adapter (Node dgram, Deno,
// Bun, the in-memory test hub) implements `Transport`; nothing above this folder touches a socket.

/** One datagram and its peer: the destination when sending, the source when receiving. */
export interface Datagram {
  data: Uint8Array;
  /** "host:port": "1.2.3.4:9000", "[::1]:9000", or any "name:port" on the memory hub. */
  address: string;
}

/** Counters every adapter keeps. Drops are counted here, never swallowed silently. */
export interface TransportStats {
  /** Datagrams read from the socket (delivered to the handler or counted in `dropped`). */
  datagramsIn: number;
  /**
   * Datagrams accepted for sending. One refused up front (bad address, full queue) is only in
   * `sendErrors`; one the OS fails later is in both.
   */
  datagramsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Datagrams that could not be sent: bad address, socket error, send after close. */
  sendErrors: number;
  /**
   * Datagrams lost inside this transport: received with no `onReceive` handler or while closing;
   * on the memory hub also the ones this transport sent that the hub dropped (loss, partition,
   * MTU, tap, unreachable destination).
   */
  dropped: number;
  /** Message of the most recent send or socket error, for diagnostics. */
  lastError?: string;
}

/**
 * The one seam between the mesh and a runtime's sockets: bind, send datagrams in batches, receive
 * them in batches, close. Implement it to carry the mesh over something else; pass it as
 * `MeshNode.create({ transport })`.
 */
export interface Transport {
  /**
   * Bind to "host:port" (IP literals for UDP adapters; port 0 picks a free port) and resolve with the
   * bound address, e.g. "127.0.0.1:54012". Throws InvalidArgumentError for a malformed address,
   * TransportError when the socket cannot bind, ClosedError after close().
   */
  bind(address: string): Promise<string>;
  /** The bound "host:port"; '' before bind. */
  readonly address: string;
  /**
   * Send a batch. Never throws for one bad datagram: it is counted in `sendErrors` and the rest of
   * the batch is still sent. The transport may read `data` after send() returns (the OS or runtime
   * can queue it), so hand over buffers you will not mutate. After close() every datagram is
   * counted in `sendErrors`; before bind() it throws TransportError.
   */
  send(batch: readonly Datagram[]): void;
  /**
   * Register the receive handler (replaces any previous one). It is called with every datagram that
   * arrived in one event-loop turn; the array and its buffers belong to the handler.
   */
  onReceive(handler: (batch: Datagram[]) => void): void;
  /**
   * Datagrams accepted by send() that the runtime has not handed to the OS yet (optional; 0 when
   * absent). The engine paces its sends by it, so its own queues hold the backlog, not the socket's.
   */
  sendBacklog?(): number;
  /**
   * True when the transport keeps no reference to any datagram handed to send() (every one was
   * copied to the OS), so the caller may reuse their buffers (optional; absent means false).
   */
  sendReleased?(): boolean;
  /**
   * Optional: send `payload` to `address` in a way that lets the network's answer be seen, and call
   * `unreachable` (once, at most) if it says nobody listens there (ICMP port or host unreachable).
   * Silence means nothing. connect() uses it to fail fast with PEER_UNREACHABLE; the payload is a
   * datagram a live peer drops harmlessly (a NAT keep-alive, wire.md §17). Returns true when a
   * probe is under way (false: not for this address, or too many at once).
   */
  probe?(address: string, payload: Uint8Array, unreachable: (detail: string) => void): boolean;
  /** Free the socket and handles. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
  stats(): TransportStats;
}

/**
 * Largest datagram the mesh puts on the wire (wire.md: a routed datagram is 18 + 8192 bytes).
 * Every adapter receives datagrams of at least this size intact.
 */
export const MAX_DATAGRAM_BYTES = 8210;

/** Socket buffer size the UDP adapters ask for (the OS may clamp it, e.g. Linux net.core.rmem_max). */
export const DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** A zeroed stats record; adapters mutate their own copy and hand out snapshots. */
export function emptyStats(): TransportStats {
  return { datagramsIn: 0, datagramsOut: 0, bytesIn: 0, bytesOut: 0, sendErrors: 0, dropped: 0 };
}

/** Text of an unknown thrown value, for `lastError`. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

// The relay's counters. Abuse and failures are counted here, never thrown at the accept loop.

export interface RelayStats {
  /** Sessions open now (handshaking ones included). */
  sessionsOpen: number;
  /** Sessions that got past the WebTransport handshake. */
  sessionsAccepted: number;
  /** Connections refused because `maxSessions` (or `maxSessionsPerHost` from their host) were open. */
  sessionsRefused: number;
  /** Connections whose QUIC or WebTransport handshake failed, or that asked for an unknown path. */
  sessionsFailed: number;
  /** Sessions closed by the relay, by cause. */
  sessionsClosedIdle: number;
  sessionsClosedBindTimeout: number;
  sessionsClosedProtocol: number;
  sessionsClosedQuota: number;
  /** Packets (and their bytes, without the prefix) forwarded page → mesh and mesh → page. */
  packetsToMesh: number;
  bytesToMesh: number;
  packetsToPage: number;
  bytesToPage: number;
  /** Packets over a session's packet or byte rate, page → mesh and mesh → page. */
  droppedRateLimitedToMesh: number;
  droppedRateLimitedToPage: number;
  /** Packets past a session's byte quota (the session is then closed). */
  droppedQuota: number;
  /** Frames that do not decode, empty packets, and stream records after a framing error. */
  droppedMalformed: number;
  /** Packets for a destination the relay refuses (port 0, unspecified, multicast, broadcast, policy). */
  droppedDestination: number;
  /** Packets toward a page whose datagram or stream queue is full, or whose write failed. */
  droppedBackpressure: number;
  /** UDP sends that failed (the UDP socket's own count, summed over sessions). */
  udpSendErrors: number;
}

export function emptyRelayStats(): RelayStats {
  return {
    sessionsOpen: 0,
    sessionsAccepted: 0,
    sessionsRefused: 0,
    sessionsFailed: 0,
    sessionsClosedIdle: 0,
    sessionsClosedBindTimeout: 0,
    sessionsClosedProtocol: 0,
    sessionsClosedQuota: 0,
    packetsToMesh: 0,
    bytesToMesh: 0,
    packetsToPage: 0,
    bytesToPage: 0,
    droppedRateLimitedToMesh: 0,
    droppedRateLimitedToPage: 0,
    droppedQuota: 0,
    droppedMalformed: 0,
    droppedDestination: 0,
    droppedBackpressure: 0,
    udpSendErrors: 0,
  };
}

/** WebTransport close codes the relay uses (the page sees them in its error text). */
export const RelayCloseCode = {
  SHUTDOWN: 0,
  BIND_TIMEOUT: 1,
  IDLE: 2,
  PROTOCOL: 3,
  QUOTA: 4,
  UDP_BIND_FAILED: 5,
  UNKNOWN_PATH: 6,
  TOO_MANY_SESSIONS: 7,
} as const;

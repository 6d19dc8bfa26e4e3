// Handshake timing and routing constants for the node layer (wire.md §11.3, §7).

/** Time allowed for one handshake attempt (msg1 sent → msg2 read). */
export const HANDSHAKE_TIMEOUT_MS = 5000;
/** Attempts in total, each with a fresh handshake state. */
export const HANDSHAKE_ATTEMPTS = 3;
/** Base of the linear backoff between attempts. */
export const HANDSHAKE_BACKOFF_MS = 100;
/** TTL of routed handshake messages (data uses 8). */
export const ROUTED_HANDSHAKE_TTL = 16;

/** Sleep before retrying after failed attempt number `attempt` (1-based): 100 ms, then 200 ms. */
export function handshakeBackoffMs(attempt: number): number {
  return HANDSHAKE_BACKOFF_MS * attempt;
}

// What the engine tells about handshakes beyond their outcome: the NAT keep-alive a connect sends
// as its unreachable probe, and rate-limited warnings for msg1 the responder refused (so an
// operator sees a forgotten accept() or a PSK mismatch without a flood turning into a log flood).
import { writeU64LE } from '../identity/bytes.js';

/** wire.md §17: 14 bytes, magic 0x4850 (bytes 50 48), sender node_id u64 LE, punch_id u32 LE (0: no punch). */
export function natKeepAlive(nodeId: bigint): Uint8Array {
  const b = new Uint8Array(14);
  b[0] = 0x50;
  b[1] = 0x48;
  writeU64LE(b, 2, nodeId);
  return b;
}

/** At most one warning per kind this often; the ones held back are counted into the next. */
const WARN_INTERVAL_MS = 5000;

export class RejectionNotices {
  private readonly lastAt = new Map<string, number>();
  private readonly held = new Map<string, number>();

  constructor(private readonly warn: (code: string, message: string) => void) {}

  rejected(kind: 'unaccepted' | 'unauthenticated', address: string, nodeId: bigint | undefined, now: number): void {
    const last = this.lastAt.get(kind) ?? -Infinity;
    if (now - last < WARN_INTERVAL_MS) {
      this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
      return;
    }
    this.lastAt.set(kind, now);
    const more = this.held.get(kind) ?? 0;
    this.held.delete(kind);
    const also = more ? ` (${more} more since the last warning)` : '';
    if (kind === 'unaccepted') {
      this.warn(
        'HANDSHAKE_NOT_ACCEPTED',
        `refused a handshake from node ${nodeId} at ${address}: it holds the mesh PSK but this node has not accept()ed it (call accept(${nodeId}n), or create the node with accept: 'any')${also}`,
      );
    } else {
      this.warn(
        'HANDSHAKE_UNAUTHENTICATED',
        `refused a handshake from ${address}${nodeId !== undefined ? ` naming node ${nodeId}` : ''}: it does not authenticate (a different PSK, a Noise key that is not this node's, or an initiator this node has not accept()ed)${also}`,
      );
    }
  }
}

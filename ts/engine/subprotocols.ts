// Subprotocol ids the substrate owns (wire.md §8) and that reach a handler on the app side:
// MIGRATION, CHANNEL_MEMBERSHIP, CAPABILITY_ANN, REFLEX/RENDEZVOUS, REDEX, MESHDB, FOLD and
// BLOB_TRANSFER. A packet with one of them is consumed by its handler (a MeshHost layer's claim,
// the capability service) or counted as unsupported; it never reaches events() and never creates
// stream state or grants. The stream control ids 0x0B00–0B02 are handled inside the engine.
export const SUBSTRATE_SUBPROTOCOLS: ReadonlySet<number> = new Set([0x0500, 0x0a00, 0x0c00, 0x0d00, 0x0d01, 0x0e00, 0x0f00, 0x1000, 0x1100]);

/** Stream control frames (StreamWindow, StreamNack, StreamReset: wire.md §8), handled by the engine. */
export const STREAM_CONTROL_SUBPROTOCOLS: ReadonlySet<number> = new Set([0x0b00, 0x0b01, 0x0b02]);

/**
 * Ids the public `sendSubprotocol` refuses: the stream control frames and every id a substrate
 * handler owns (announcements included). Only the layers, through their MeshHost, may send them;
 * an app that could would forge resets and grants for its own streams or announcements that skip
 * signing.
 */
export function isReservedSubprotocol(id: number): boolean {
  return STREAM_CONTROL_SUBPROTOCOLS.has(id) || SUBSTRATE_SUBPROTOCOLS.has(id);
}

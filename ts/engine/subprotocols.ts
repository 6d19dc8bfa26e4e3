// Subprotocol ids the substrate owns (wire.md §8) and that reach a handler on the app side:
// MIGRATION, CHANNEL_MEMBERSHIP, CAPABILITY_ANN, REFLEX/RENDEZVOUS, REDEX, MESHDB, FOLD and
// BLOB_TRANSFER. A packet with one of them is consumed by its handler (a MeshHost layer's claim,
// the capability service) or counted as unsupported; it never reaches events() and never creates
// stream state or grants. The stream control ids 0x0B00–0B02 are handled inside the engine.
export const SUBSTRATE_SUBPROTOCOLS: ReadonlySet<number> = new Set([0x0500, 0x0a00, 0x0c00, 0x0d00, 0x0d01, 0x0e00, 0x0f00, 0x1000, 0x1100]);

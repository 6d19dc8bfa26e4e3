// The 14-byte NAT keep-alive (wire.md §17): magic 0x4850, sender node id (u64 LE), punch id
// (u32 LE). Unencrypted; it only keeps a NAT binding open and never reaches session processing.
export const KEEPALIVE_SIZE = 14;
export const KEEPALIVE_MAGIC = 0x4850;

export interface KeepAlive {
  nodeId: bigint;
  punchId: number;
}

export function encodeKeepAlive(k: KeepAlive): Uint8Array {
  const b = new Uint8Array(KEEPALIVE_SIZE);
  const v = new DataView(b.buffer);
  v.setUint16(0, KEEPALIVE_MAGIC, true);
  v.setBigUint64(2, k.nodeId, true);
  v.setUint32(10, k.punchId, true);
  return b;
}

/** Parses a keep-alive; undefined when the bytes are not one. */
export function parseKeepAlive(b: Uint8Array): KeepAlive | undefined {
  if (b.length !== KEEPALIVE_SIZE) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint16(0, true) !== KEEPALIVE_MAGIC) return undefined;
  return { nodeId: v.getBigUint64(2, true), punchId: v.getUint32(10, true) };
}

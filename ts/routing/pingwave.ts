// The 72-byte pingwave (wire.md §16; the reference's behavior/proximity.rs): unencrypted and
// unauthenticated, so everything read from it is a hint that expires.
export const PINGWAVE_SIZE = 72;
/** TTL a pingwave is originated with. */
export const PINGWAVE_TTL = 3;
/** Pingwaves whose hop count reached this are dropped on receipt. */
export const PINGWAVE_MAX_HOPS = 16;

export interface Pingwave {
  origin: bigint;
  seq: bigint;
  ttl: number;
  hopCount: number;
  /** µs since the Unix epoch, as the originator's clock read it. */
  timestampUs: bigint;
  capabilityHash: bigint;
  capabilityVersion: number;
  load: number;
  /** 0 Healthy, 1 Degraded, 2 Unhealthy, 3 Unknown. */
  health: number;
  hasGpu: number;
  modelSlots: number;
  memoryTier: number;
  tools: number;
  capabilityFlags: number;
}

export function encodePingwave(p: Pingwave): Uint8Array {
  const b = new Uint8Array(PINGWAVE_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, p.origin, true);
  v.setBigUint64(32, p.seq, true);
  b[40] = p.ttl;
  b[41] = p.hopCount;
  v.setBigUint64(42, p.timestampUs, true);
  v.setBigUint64(50, p.capabilityHash, true);
  v.setUint32(58, p.capabilityVersion, true);
  b[62] = p.load;
  b[63] = p.health;
  b[64] = p.hasGpu;
  b[65] = p.modelSlots;
  b[66] = p.memoryTier;
  b[67] = p.tools;
  v.setUint32(68, p.capabilityFlags, true);
  return b;
}

/** Parses a pingwave; undefined when it is not one (wrong length, health > 3). */
export function parsePingwave(b: Uint8Array): Pingwave | undefined {
  if (b.length !== PINGWAVE_SIZE || b[63]! > 3) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    origin: v.getBigUint64(0, true),
    seq: v.getBigUint64(32, true),
    ttl: b[40]!,
    hopCount: b[41]!,
    timestampUs: v.getBigUint64(42, true),
    capabilityHash: v.getBigUint64(50, true),
    capabilityVersion: v.getUint32(58, true),
    load: b[62]!,
    health: b[63]!,
    hasGpu: b[64]!,
    modelSlots: b[65]!,
    memoryTier: b[66]!,
    tools: b[67]!,
    capabilityFlags: v.getUint32(68, true),
  };
}

/** The copy a node passes on: ttl − 1, hop_count + 1, every other byte kept. */
export function forwardedPingwave(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[40] = c[40]! - 1;
  c[41] = Math.min(255, c[41]! + 1);
  return c;
}

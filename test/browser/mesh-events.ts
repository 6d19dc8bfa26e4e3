// The events of the browser mesh test, generated the same way on both ends so each end checks
// what it received byte for byte without the other sending a copy. Event i of a direction is
// `u32 LE i · PLAIN_MARKER · seeded bytes`, 4..4,096 bytes long (every 50th at least 3,000, so
// some packets exceed Chromium's ~1,200-byte datagrams and take the relay's stream path).
// Reliable streams deliver in arrival order (streams.md: gap-free, not ordered), and the relay's
// datagram and stream paths may reorder packets, so the check goes by the index each event carries.
// Bundled for the page by test/browser/chromium-mesh.test.ts; imported directly by the test.

/** In every event of 20 bytes or more: the tap between relay and mesh must never see it. */
export const PLAIN_MARKER = new TextEncoder().encode('net-mesh:PLAIN:1');

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** Event `index` of `direction` (0: page → node, 1: node → page). */
export function meshEvent(seed: number, direction: number, index: number): Uint8Array {
  const rnd = xorshift((seed ^ Math.imul(direction + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
  const len = index % 50 === 0 ? 3000 + (rnd() % 1097) : 4 + (rnd() % 1097);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = rnd() & 0xff;
  new DataView(out.buffer).setUint32(0, index, true);
  if (len >= 4 + PLAIN_MARKER.length) out.set(PLAIN_MARKER, 4);
  return out;
}

/** What one end saw of the other's events. */
export interface CheckResult {
  received: number;
  /** Distinct indices < count whose bytes are exactly meshEvent's. */
  matched: number;
  mismatched: number;
  duplicates: number;
  bytes: number;
  firstProblem?: string;
}

/** Checks received events (any order) against `meshEvent(seed, direction, i)` for i < count. */
export class EventCheck {
  readonly result: CheckResult = { received: 0, matched: 0, mismatched: 0, duplicates: 0, bytes: 0 };
  private readonly seen: Uint8Array;

  constructor(
    private readonly seed: number,
    private readonly direction: number,
    private readonly count: number,
  ) {
    this.seen = new Uint8Array(count);
  }

  /** Every index arrived once, byte-exact. */
  get complete(): boolean {
    return this.result.matched === this.count;
  }

  add(payload: Uint8Array): void {
    const r = this.result;
    r.received++;
    r.bytes += payload.length;
    const i = payload.length >= 4 ? new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true) : -1;
    if (i < 0 || i >= this.count) return this.problem(`an event of ${payload.length} bytes with no valid index`);
    if (this.seen[i]) {
      r.duplicates++;
      return this.problem(`event ${i} delivered twice`);
    }
    this.seen[i] = 1;
    const want = meshEvent(this.seed, this.direction, i);
    let same = want.length === payload.length;
    for (let k = 0; same && k < want.length; k++) same = want[k] === payload[k];
    if (same) r.matched++;
    else this.problem(`event ${i}: ${payload.length} bytes, expected ${want.length}${want.length === payload.length ? ' (contents differ)' : ''}`);
  }

  private problem(what: string): void {
    this.result.mismatched++;
    this.result.firstProblem ??= what;
  }
}

// The routing table of wire.md §16, sans-IO (time passed in): per destination node id, the next
// hops it can be reached through, each with a metric and the time it was last confirmed. A lookup
// takes the lowest live metric whose next hop is not down; the other entries are the alternates a
// reroute falls back to when a next hop fails, and the failed one comes back when it recovers.
// Bounded: pingwaves are unauthenticated, so a flood of made-up origins only fills it to its caps.

/** Routes older than this are ignored and swept (3 × session_timeout, wire.md §15). */
export const ROUTE_MAX_AGE_MS = 90_000;
const MAX_DESTINATIONS = 16_384;
const MAX_HOPS_PER_DESTINATION = 8;

export interface Route {
  nextHop: string;
  metric: number;
  updatedAt: number;
}

export class RoutingTable {
  private readonly routes = new Map<bigint, Route[]>();
  /** Next hops whose peer failed: skipped by lookups until they recover. */
  private readonly down = new Set<string>();
  /** Routes refused because the table was full. */
  refused = 0;

  constructor(private readonly maxAgeMs = ROUTE_MAX_AGE_MS) {}

  /** A direct session (or a routed one through `nextHop`) was set up: metric 1, unconditionally. */
  installDirect(dest: bigint, nextHop: string, now: number): void {
    const list = this.listFor(dest);
    if (!list) return;
    const r = list.find((x) => x.nextHop === nextHop);
    if (r) {
      r.metric = 1;
      r.updatedAt = now;
    } else this.add(list, { nextHop, metric: 1, updatedAt: now });
  }

  /** A pingwave route: a lower metric through that hop replaces the old one, else it is refreshed. */
  learn(dest: bigint, nextHop: string, metric: number, now: number): void {
    const list = this.listFor(dest);
    if (!list) return;
    const r = list.find((x) => x.nextHop === nextHop);
    if (r) {
      if (metric < r.metric || now - r.updatedAt > this.maxAgeMs) r.metric = metric;
      r.updatedAt = now;
    } else this.add(list, { nextHop, metric, updatedAt: now });
  }

  /** The best live route to `dest`, or undefined. */
  lookup(dest: bigint, now: number): Route | undefined {
    const list = this.routes.get(dest);
    if (!list) return undefined;
    let best: Route | undefined;
    for (const r of list) {
      if (now - r.updatedAt > this.maxAgeMs || this.down.has(r.nextHop)) continue;
      if (!best || r.metric < best.metric) best = r;
    }
    return best;
  }

  /** The next hop toward `dest`, or undefined when there is no live route. */
  nextHop(dest: bigint, now: number): string | undefined {
    return this.lookup(dest, now)?.nextHop;
  }

  /** Marks a next hop failed (`true`) or recovered (`false`). */
  setDown(nextHop: string, isDown: boolean): void {
    if (isDown) this.down.add(nextHop);
    else this.down.delete(nextHop);
  }

  /** Forgets every route through `nextHop` (its peer is gone for good). */
  removeHop(nextHop: string): void {
    this.down.delete(nextHop);
    for (const [dest, list] of this.routes) {
      const kept = list.filter((r) => r.nextHop !== nextHop);
      if (kept.length === 0) this.routes.delete(dest);
      else if (kept.length !== list.length) this.routes.set(dest, kept);
    }
  }

  /** Drops routes older than the maximum age. */
  sweep(now: number): void {
    for (const [dest, list] of this.routes) {
      const kept = list.filter((r) => now - r.updatedAt <= this.maxAgeMs);
      if (kept.length === 0) this.routes.delete(dest);
      else if (kept.length !== list.length) this.routes.set(dest, kept);
    }
  }

  /** Destinations with at least one entry (live or not yet swept). */
  get size(): number {
    return this.routes.size;
  }

  private listFor(dest: bigint): Route[] | undefined {
    let list = this.routes.get(dest);
    if (!list) {
      if (this.routes.size >= MAX_DESTINATIONS) {
        this.refused++;
        return undefined;
      }
      list = [];
      this.routes.set(dest, list);
    }
    return list;
  }

  private add(list: Route[], r: Route): void {
    if (list.length < MAX_HOPS_PER_DESTINATION) {
      list.push(r);
      return;
    }
    // Full: the new route replaces the stalest one.
    let stalest = 0;
    for (let i = 1; i < list.length; i++) if (list[i]!.updatedAt < list[stalest]!.updatedAt) stalest = i;
    list[stalest] = r;
  }
}

// The publisher's roster (channels.md §7, §8.2): per channel name, broadcast subscribers plus
// queue groups whose members take publishes in turn (one round-robin member per group).

interface ChannelRoster {
  broadcast: Set<bigint>;
  groups: Map<string, { members: bigint[]; next: number }>;
}

export class Roster {
  readonly #channels = new Map<string, ChannelRoster>();
  /** peer → (channel name → queue group or undefined for broadcast). */
  readonly #byPeer = new Map<bigint, Map<string, string | undefined>>();

  /** Adds (or moves) `peer`'s subscription to `name`, in `group` or broadcast. */
  add(peer: bigint, name: string, group: string | undefined): void {
    const mine = this.#byPeer.get(peer);
    if (mine?.has(name)) {
      if (mine.get(name) === group) return;
      this.remove(peer, name);
    }
    let ch = this.#channels.get(name);
    if (!ch) this.#channels.set(name, (ch = { broadcast: new Set(), groups: new Map() }));
    if (group === undefined) ch.broadcast.add(peer);
    else {
      let g = ch.groups.get(group);
      if (!g) ch.groups.set(group, (g = { members: [], next: 0 }));
      g.members.push(peer);
    }
    let m = this.#byPeer.get(peer);
    if (!m) this.#byPeer.set(peer, (m = new Map()));
    m.set(name, group);
  }

  remove(peer: bigint, name: string): boolean {
    const mine = this.#byPeer.get(peer);
    if (!mine?.has(name)) return false;
    const group = mine.get(name);
    mine.delete(name);
    if (mine.size === 0) this.#byPeer.delete(peer);
    const ch = this.#channels.get(name)!;
    if (group === undefined) ch.broadcast.delete(peer);
    else {
      const g = ch.groups.get(group)!;
      const i = g.members.indexOf(peer);
      g.members.splice(i, 1);
      if (i < g.next) g.next--;
      if (g.members.length === 0) ch.groups.delete(group);
      else g.next %= g.members.length;
    }
    if (ch.broadcast.size === 0 && ch.groups.size === 0) this.#channels.delete(name);
    return true;
  }

  /** Drops every subscription of `peer`; returns the channel names it held. */
  removePeer(peer: bigint): string[] {
    const names = [...(this.#byPeer.get(peer)?.keys() ?? [])];
    for (const n of names) this.remove(peer, n);
    return names;
  }

  has(peer: bigint, name: string): boolean {
    return this.#byPeer.get(peer)?.has(name) ?? false;
  }

  /** How many channels `peer` is subscribed to. */
  countOf(peer: bigint): number {
    return this.#byPeer.get(peer)?.size ?? 0;
  }

  /** Every broadcast subscriber, then the next member of each queue group (advancing its turn). */
  recipients(name: string): bigint[] {
    const ch = this.#channels.get(name);
    if (!ch) return [];
    const out = [...ch.broadcast];
    for (const g of ch.groups.values()) {
      out.push(g.members[g.next]!);
      g.next = (g.next + 1) % g.members.length;
    }
    return out;
  }

  /** Every (peer, name) entry. */
  *entries(): IterableIterator<[bigint, string]> {
    for (const [peer, m] of this.#byPeer) for (const name of m.keys()) yield [peer, name];
  }

  /** Subscribers of `name` (broadcast and grouped). */
  subscribers(name: string): bigint[] {
    const ch = this.#channels.get(name);
    if (!ch) return [];
    return [...ch.broadcast, ...[...ch.groups.values()].flatMap((g) => g.members)];
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byPeer.values()) n += m.size;
    return n;
  }
}

// The auth guard (channels.md §7): a fast filter keyed (subscriber node_id, channel hash) plus an
// exact (node_id, name) set. Net v0.27.0 uses a bloom filter; this one is exact, with the same
// verdict semantics: Denied (definitely not authorized), Allowed (authorized and verified),
// NeedsFullCheck (confirm against the exact set, then mark verified).

export type GuardVerdict = 'denied' | 'allowed' | 'needs-full-check';

export class AuthGuard {
  /** `${node}:${hash}` → how many exact names share it, and whether it was confirmed. */
  readonly #filter = new Map<string, { names: number; verified: boolean }>();
  /** `${node}:${name}`. */
  readonly #exact = new Set<string>();

  allow(node: bigint, hash: bigint, name: string): void {
    const exact = `${node}:${name}`;
    if (this.#exact.has(exact)) return;
    this.#exact.add(exact);
    const k = `${node}:${hash}`;
    const f = this.#filter.get(k);
    if (f) {
      f.names++;
      f.verified = false;
    } else this.#filter.set(k, { names: 1, verified: false });
  }

  verdict(node: bigint, hash: bigint): GuardVerdict {
    const f = this.#filter.get(`${node}:${hash}`);
    return f === undefined ? 'denied' : f.verified ? 'allowed' : 'needs-full-check';
  }

  /** The verdict, confirmed against the exact set (and marked verified when it holds). */
  check(node: bigint, hash: bigint, name: string): boolean {
    const v = this.verdict(node, hash);
    if (v === 'denied') return false;
    if (!this.#exact.has(`${node}:${name}`)) return false;
    if (v === 'needs-full-check') this.#filter.get(`${node}:${hash}`)!.verified = true;
    return true;
  }

  revoke(node: bigint, hash: bigint, name: string): void {
    if (!this.#exact.delete(`${node}:${name}`)) return;
    const k = `${node}:${hash}`;
    const f = this.#filter.get(k)!;
    if (--f.names === 0) this.#filter.delete(k);
  }

  get size(): number {
    return this.#exact.size;
  }
}

// Synthetic inputs for MeshOs: peers with health and RTT, peer events, a fold with tags, close.
import type { MeshOsDeps } from '../../ts/meshos/meshos.js';
import type { PeerEvent, PeerInfo } from '../../ts/node/peer.js';
import type { Health } from '../../ts/node/failure-detector.js';

export class FakeNodeDeps implements MeshOsDeps {
  readonly peerInfos = new Map<bigint, PeerInfo>();
  readonly tags = new Map<bigint, string[]>();
  private readonly peerCbs = new Set<(e: PeerEvent) => void>();
  private readonly closeCbs = new Set<() => void>();
  private readonly foldCbs = new Set<() => void>();

  constructor(readonly nodeId: bigint) {}

  peers(): PeerInfo[] {
    return [...this.peerInfos.values()];
  }

  onPeerEvent(cb: (e: PeerEvent) => void): () => void {
    this.peerCbs.add(cb);
    return () => this.peerCbs.delete(cb);
  }

  onClose(cb: () => void): () => void {
    this.closeCbs.add(cb);
    return () => this.closeCbs.delete(cb);
  }

  readonly fold = {
    onChange: (cb: () => void): (() => void) => {
      this.foldCbs.add(cb);
      return () => this.foldCbs.delete(cb);
    },
    nodes: (): bigint[] => [...this.tags.keys()],
    tagsOf: (n: bigint): string[] | undefined => this.tags.get(n),
  };

  /** A peer's session comes up (or its health changes), as the node's failure detector says. */
  setPeer(nodeId: bigint, health: Health, rttMs?: number): void {
    const known = this.peerInfos.get(nodeId);
    const info: PeerInfo = { nodeId, address: `10.0.0.${Number(nodeId % 250n)}:7000`, health, rttMs: rttMs ?? known?.rttMs ?? 5 };
    this.peerInfos.set(nodeId, info);
    const kind: PeerEvent['kind'] = !known ? 'up' : health === 'healthy' ? 'recovered' : health;
    for (const cb of this.peerCbs) cb({ kind, nodeId, address: info.address, health });
  }

  /** A fold change (an announcement applied or expired). */
  setTags(nodeId: bigint, tags: string[] | undefined): void {
    if (tags) this.tags.set(nodeId, [...tags].sort());
    else this.tags.delete(nodeId);
    for (const cb of this.foldCbs) cb();
  }

  close(): void {
    for (const cb of this.closeCbs) cb();
  }
}

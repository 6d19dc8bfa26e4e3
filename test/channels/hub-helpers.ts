// Hub fixtures for channel tests: nodes with chosen identities on a seeded MemoryHub, connected to
// a publisher and pinned there by a signed announcement (what token auth needs), and a collector
// for channelEvents.
import { MeshNode, type MeshNodeOptions } from '../../ts/node/mesh-node.js';
import { hostOf } from '../../ts/node/host.js';
import type { MemoryHub } from '../../ts/transports/memory-hub.js';
import type { Identity } from '../../ts/identity/identity.js';
import type { ChannelEvent } from '../../ts/channels/receiver.js';
import type { Layers } from '../../ts/node/layers.js';
import { PSK, connectPair, until } from '../node/helpers.js';

let nextHost = 1;

export async function node(hub: MemoryHub, identity?: Identity, opts: Partial<MeshNodeOptions> = {}): Promise<MeshNode> {
  return MeshNode.create({ psk: PSK, transport: hub.transport(), bind: `10.1.0.${nextHost++ % 250}:${7000 + Math.floor(nextHost / 250)}`, identity, ...opts });
}

/** Connects `sub` to `pub` and waits until `pub` has pinned `sub`'s entity (signed direct announcement). */
export async function attach(pub: MeshNode, sub: MeshNode): Promise<void> {
  await connectPair(sub, pub);
  await sub.announceCapabilities({ tags: ['role:subscriber'] });
  await until(() => hostOf(pub).peerEntity(sub.nodeId) !== undefined, 5000, 'the publisher to pin the subscriber entity');
}

/** The node's layers (tests only: the internal API another layer would use). */
export function layersOf(n: MeshNode): Layers {
  return (n as unknown as { layers: Layers }).layers;
}

export interface Collected {
  events: ChannelEvent[];
  stop(): void;
}

export function collect(n: MeshNode, name?: string): Collected {
  const ctl = new AbortController();
  const events: ChannelEvent[] = [];
  void (async () => {
    for await (const e of n.channelEvents(name, { signal: ctl.signal })) events.push(e);
  })();
  return { events, stop: () => ctl.abort() };
}

export function nowSecs(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

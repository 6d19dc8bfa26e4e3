// The layers a node carries on top of its substrate (channels, nRPC, dataforts, MeshOS). Each is
// built from the node's MeshHost when the node is created, so its receive side (membership
// requests, blob requests, rpc dispatch) works before the app calls any of its methods. MeshNode's
// public layer methods are one-line delegations to these objects.
import type { MeshHost } from './host.js';
import { Blobs, checkBlobOptions, type BlobOptions } from '../dataforts/blobs.js';

/** Options a layer may read: the node's own options object (MeshNodeOptions), as passed to create(). */
export type LayerOptions = Readonly<Record<string, unknown>>;

/** One field per layer; a layer adds its field here and its construction in attachLayers. */
export interface Layers {
  blobs: Blobs;
}

/** Validates the options the layers read; MeshNode.create calls it before binding anything. */
export function checkLayerOptions(opts: LayerOptions): void {
  checkBlobOptions(opts as BlobOptions);
}

export function attachLayers(host: MeshHost, opts: LayerOptions): Layers {
  return { blobs: new Blobs(host, opts as BlobOptions) };
}

// The layers a node carries on top of its substrate (channels, nRPC, dataforts, MeshOS). Each is
// built from the node's MeshHost when the node is created, so its receive side (membership
// requests, blob requests, rpc dispatch) works before the app calls any of its methods. MeshNode's
// public layer methods are one-line delegations to these objects.
import type { MeshHost } from './host.js';
import { MeshOs, validateMeshOsOptions, type MeshOsOptions } from '../meshos/meshos.js';
import { ChannelLayer, resolveChannelOptions, type ChannelOptions } from '../channels/layer.js';
import { RpcLayer } from '../rpc/layer.js';
import { Blobs, checkBlobOptions, type BlobOptions } from '../dataforts/blobs.js';
import { resolveRpcOptions, type RpcOptions } from '../rpc/options.js';
import { BLOB_TRANSFERS_SERVICE, blobTransfersHandler } from '../dataforts/transfer-rpc.js';
import { MESHOS_SNAPSHOT_SERVICE, meshosSnapshotHandler } from '../meshos/snapshot-service.js';

/** Options a layer may read: the node's own options object (MeshNodeOptions), as passed to create(). */
export type LayerOptions = Readonly<Record<string, unknown>>;

/** One field per layer; a layer adds its field here and its construction in attachLayers. */
export interface Layers {
  channels: ChannelLayer;
  /** nRPC and AI tools (rpc-tools.md). */
  rpc: RpcLayer;
  meshos: MeshOs;
  /** Content-addressed blobs and directories (dataforts.md). */
  blobs: Blobs;
}

/** Checks the layers' node options; MeshNode.create calls it before any socket or worker exists. */
export function validateLayerOptions(opts: LayerOptions): void {
  resolveChannelOptions(opts.channels as ChannelOptions | undefined);
  validateMeshOsOptions(opts.meshos);
  checkBlobOptions(opts as BlobOptions);
  resolveRpcOptions(opts.rpc as RpcOptions | undefined);
}

export function attachLayers(host: MeshHost, opts: LayerOptions): Layers {
  const channels = new ChannelLayer(host, opts.channels as ChannelOptions | undefined);
  const rpc = new RpcLayer(host, channels, opts.rpc as RpcOptions | undefined);
  const meshos = new MeshOs(
    {
      nodeId: host.nodeId,
      peers: () => host.peers(),
      onPeerEvent: (cb) => host.onPeerEvent(cb),
      onClose: (cb) => host.onClose(cb),
      fold: host.fold,
    },
    opts.meshos as MeshOsOptions | undefined,
  );
  const blobs = new Blobs(host, opts as BlobOptions);
  // Services every node answers over nRPC: its transfers (dataforts.md §8, with its blob serving)
  // and its MeshOS snapshot stream (meshos-cli.md §5.9).
  if (opts.serveBlobs !== false) rpc.serveBuiltin(BLOB_TRANSFERS_SERVICE, blobTransfersHandler(blobs));
  rpc.serveBuiltin(MESHOS_SNAPSHOT_SERVICE, meshosSnapshotHandler(meshos));
  return { channels, rpc, meshos, blobs };
}

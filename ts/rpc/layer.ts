// The nRPC layer of a node (rpc-tools.md): serving and calling over request/reply channels,
// streaming with credit, `callService` selection, AI tools (registry announced through the node's
// capability slot, handlers, `tool.metadata.fetch`, discovery) and the fold export service every
// node answers. Built on MeshHost and the channel layer only.
import { ClosedError, InvalidArgumentError } from '../errors.js';
import type { ChannelLayer } from '../channels/layer.js';
import type { FoldExportRequest } from '../fold/capability-fold.js';
import type { CapabilityContribution, MeshHost } from '../node/host.js';
import { listToolsInFold, normalizeToolFilter, type ToolFilter, type ToolInfo } from '../tools/discovery.js';
import { ToolRegistry } from '../tools/registry.js';
import { ToolRuntime, type CallToolOptions, type ServedTool, type StreamingToolHandler, type ToolHandler } from '../tools/runtime.js';
import type { ToolDescriptor, ToolDescriptorInit } from '../tools/descriptor.js';
import type { ToolEvent } from '../tools/events.js';
import { watchToolsInFold, type ToolWatch, type WatchToolsOptions } from '../tools/watch.js';
import { ClientStreamCallImpl, DuplexCallImpl, ServerStreamCall } from './client-calls.js';
import { RpcClient } from './client.js';
import { FOLD_EXPORT_SERVICE, foldExportHandler, importFoldFrom, type FoldImportReport } from './fold-export-service.js';
import { InboundPorts } from './inbound.js';
import { FrameLinks, type ChannelRef } from './links.js';
import { resolveRpcOptions, type RpcOptions } from './options.js';
import { newRpcCounters, type RpcRuntime, type RpcStats } from './runtime.js';
import { NodeSelector, type Selection } from './select.js';
import { RpcServer, type ServiceKind } from './server.js';
import type { CallOptions, CallServiceOptions, ClientStreamCall, ClientStreamHandler, DuplexCall, DuplexHandler, RpcHandler, ServeOptions, StreamCall, StreamCallOptions, UploadCallOptions } from './types.js';

/** A served service; disposing it stops serving (calls in flight finish). */
export interface ServedService extends Disposable {
  readonly service: string;
  dispose(): void;
}

export class RpcLayer {
  /** The tools this node serves (full descriptors; the announcement mirrors them). */
  readonly tools: ToolRegistry;
  readonly #rt: RpcRuntime;
  readonly #server: RpcServer;
  readonly #client: RpcClient;
  readonly #selector: NodeSelector;
  readonly #toolRuntime: ToolRuntime;
  readonly #slot: CapabilityContribution;
  /** Services announced as `nrpc:<service>` (tools are announced by the registry). */
  readonly #announced = new Set<string>();

  constructor(
    private readonly host: MeshHost,
    channels: ChannelLayer,
    options?: RpcOptions,
  ) {
    const opts = resolveRpcOptions(options);
    const counters = newRpcCounters();
    const onStreamTrouble = (peer: bigint, ref: ChannelRef): void => {
      this.#server.streamReset(peer, ref);
      this.#client.streamReset(peer, ref);
    };
    const ports = new InboundPorts(channels, host.nodeId, () => host.now(), { gapTimeoutMs: opts.gapTimeoutMs, maxHeld: 1024 }, onStreamTrouble, () => counters.malformed++);
    const links = new FrameLinks(host, opts.streamConfig, {
      loopback: (ref, frame) => ports.loopback(ref, frame),
      failed: (peer, ref) => onStreamTrouble(peer, ref),
    });
    this.#rt = { host, channels, links, ports, origin: host.identity.originHash, opts, counters };
    this.#server = new RpcServer(this.#rt);
    this.#client = new RpcClient(this.#rt, (name) => this.#server.serves(name));
    this.#selector = new NodeSelector(host);
    this.tools = new ToolRegistry(host.contributeCapabilities());
    this.#slot = host.contributeCapabilities();
    this.#toolRuntime = new ToolRuntime(this.tools, {
      nodeId: host.nodeId,
      serve: (service, handler, builtin) => this.#register(service, 'unary', handler, false, builtin),
      call: (target, service, body, o) => this.call(target, service, body, o),
      callStream: (target, service, body, o) => this.callStream(target, service, body, o),
      pick: (tag, sel) => this.#selector.pick(tag, sel),
      metadataOf: (node) => host.fold.metadataOf(node),
    });
    this.#register(FOLD_EXPORT_SERVICE, 'unary', foldExportHandler(host), false, true);
    host.onPeerEvent((e) => {
      if (e.kind !== 'failed' && e.kind !== 'up') return;
      // A failed peer's calls are over; a new session starts every stream afresh at seq 0.
      ports.dropPeer(e.nodeId);
      if (e.kind === 'failed') {
        links.dropPeer(e.nodeId);
        this.#server.dropPeer(e.nodeId);
        this.#client.dropPeer(e.nodeId);
      }
    });
    host.onClose(() => {
      this.#client.close();
      this.#server.close();
      ports.close();
      this.tools.close(false);
    });
  }

  // ---- serving ----------------------------------------------------------------------------------

  /** Serves `service` (sdk.md `node.serve`): unary, or a server stream when the handler returns an AsyncIterable. */
  serve(service: string, handler: RpcHandler, opts?: ServeOptions): ServedService {
    return this.#served(service, this.#register(service, 'unary', handler, announceOf(opts)));
  }

  /** Serves a client-streaming service: the handler drains the uploaded items and answers once. */
  serveClientStream(service: string, handler: ClientStreamHandler, opts?: ServeOptions): ServedService {
    return this.#served(service, this.#register(service, 'client-stream', handler, announceOf(opts)));
  }

  /** Serves a duplex service: the handler reads uploaded items while it yields responses. */
  serveDuplex(service: string, handler: DuplexHandler, opts?: ServeOptions): ServedService {
    return this.#served(service, this.#register(service, 'duplex', handler, announceOf(opts)));
  }

  /**
   * A service every node answers (like `mesh.fold.export`): not announced, and its channel configs
   * wait for a channel registry instead of installing one. For the layers (blob.transfers,
   * meshos.snapshot); returns the release function.
   */
  serveBuiltin(service: string, handler: RpcHandler): () => void {
    return this.#register(service, 'unary', handler, false, true);
  }

  #register(service: string, kind: ServiceKind, handler: RpcHandler | ClientStreamHandler | DuplexHandler, announce: boolean, builtin = false): () => void {
    this.#assertOpen();
    const release = this.#server.register(service, kind, handler, builtin);
    if (announce) {
      this.#announced.add(service);
      try {
        this.#slot.set({ rpcServices: [...this.#announced] });
      } catch (e) {
        this.#announced.delete(service);
        release();
        throw e;
      }
    }
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      release();
      if (announce && this.#announced.delete(service) && !this.host.closed) this.#slot.set({ rpcServices: [...this.#announced] });
    };
  }

  #served(service: string, release: () => void): ServedService {
    return { service, dispose: release, [Symbol.dispose]: release };
  }

  // ---- calling ----------------------------------------------------------------------------------

  call(target: bigint, service: string, body: Uint8Array, opts?: CallOptions): Promise<Uint8Array> {
    if (this.host.closed) return Promise.reject(new ClosedError('MeshNode'));
    return this.#client.call(target, service, body, opts);
  }

  /** A server-streaming call; it starts on the first `next()`. */
  callStream(target: bigint, service: string, body: Uint8Array, opts?: StreamCallOptions): StreamCall {
    this.#assertOpen();
    return new ServerStreamCall(this.#client, this.#rt, target, service, body, opts);
  }

  callClientStream(target: bigint, service: string, opts?: UploadCallOptions): ClientStreamCall {
    this.#assertOpen();
    return new ClientStreamCallImpl(this.#client, this.#rt, target, service, opts);
  }

  callDuplex(target: bigint, service: string, opts?: UploadCallOptions): DuplexCall {
    this.#assertOpen();
    return new DuplexCallImpl(this.#client, this.#rt, target, service, opts);
  }

  /** A unary call to a node announcing `nrpc:<service>`, chosen by `opts.policy` (rpc-tools.md §4). */
  async callService(service: string, body: Uint8Array, opts: CallServiceOptions = {}): Promise<Uint8Array> {
    this.#assertOpen();
    if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('callService options must be an object');
    const target = this.#selector.pick(`nrpc:${service}`, opts as Selection);
    return this.#client.call(target, service, body, opts);
  }

  // ---- tools ------------------------------------------------------------------------------------

  serveTool(descriptor: ToolDescriptorInit, handler: ToolHandler): ServedTool {
    this.#assertOpen();
    return this.#toolRuntime.serveTool(descriptor, handler);
  }

  serveToolStreaming(descriptor: ToolDescriptorInit, handler: StreamingToolHandler): ServedTool {
    this.#assertOpen();
    return this.#toolRuntime.serveToolStreaming(descriptor, handler);
  }

  async callTool(target: bigint | undefined, toolId: string, input: unknown, opts?: CallToolOptions): Promise<unknown> {
    this.#assertOpen();
    return this.#toolRuntime.callTool(target, toolId, input, opts);
  }

  callToolStream(target: bigint | undefined, toolId: string, input: unknown, opts?: CallToolOptions): AsyncIterable<ToolEvent> {
    this.#assertOpen();
    return this.#toolRuntime.callToolStream(target, toolId, input, opts);
  }

  async fetchToolMetadata(node: bigint, toolId: string, opts?: CallOptions): Promise<ToolDescriptor | null> {
    this.#assertOpen();
    return this.#toolRuntime.fetchToolMetadata(node, toolId, opts);
  }

  /** Tools advertised in this node's fold (its own included), by (toolId, version). */
  listTools(filter?: ToolFilter): ToolInfo[] {
    this.#assertOpen();
    return listToolsInFold(this.host.fold, normalizeToolFilter(filter));
  }

  /** Changes to `listTools(filter)` from now on (see watch.ts). */
  watchTools(opts?: WatchToolsOptions): ToolWatch {
    this.#assertOpen();
    return watchToolsInFold(this.host, opts);
  }

  // ---- fold export ------------------------------------------------------------------------------

  /** Applies `from`'s `mesh.fold.export` answer to this node's fold (fold.md §10.7). */
  async importFold(from: bigint, req: FoldExportRequest = {}, opts?: CallOptions): Promise<FoldImportReport> {
    this.#assertOpen();
    return importFoldFrom(this.host, (t, s, b, o) => this.callStream(t, s, b, o), from, req, opts);
  }

  stats(): RpcStats {
    return { ...this.#rt.counters, inFlight: this.#server.inFlight, pending: this.#client.pending };
  }

  #assertOpen(): void {
    if (this.host.closed) throw new ClosedError('MeshNode');
  }
}

function announceOf(opts: ServeOptions | undefined): boolean {
  if (opts === undefined) return true;
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('serve options must be an object');
  if (opts.announce !== undefined && typeof opts.announce !== 'boolean') throw new InvalidArgumentError('announce must be a boolean');
  return opts.announce !== false;
}

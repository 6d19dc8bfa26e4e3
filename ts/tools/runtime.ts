// Serving and calling AI tools over nRPC (rpc-tools.md §6–§8): JSON bodies; `serveTool` is
// atomic (registry insert → handler registration, rolled back on failure → lazy install of
// `tool.metadata.fetch`); streaming tools emit one JSON ToolEvent per item with exactly one
// terminal; `callTool` picks a node from the fold when no target is given.
import { InvalidArgumentError, RpcBadResponseError, RpcError, ToolCallError } from '../errors.js';
import { TYPED_BAD_REQUEST } from '../rpc/constants.js';
import { joinItems, replyBytes } from '../rpc/chunked.js';
import type { CallOptions, RpcContext, RpcHandler } from '../rpc/types.js';
import type { Selection } from '../rpc/select.js';
import { validateServiceName } from '../rpc/service-name.js';
import { toolDescriptorFromJSON, toolDescriptorToJSON, type ToolDescriptor, type ToolDescriptorInit } from './descriptor.js';
import { encodeToolEvent, isTerminal, MISSING_TERMINAL_EVENT, parseToolEvent, type ToolEvent } from './events.js';
import type { ToolRegistry } from './registry.js';
import { AI_TOOL_TAG_PREFIX } from './advertise.js';

/** The service every tool-serving node answers (rpc-tools.md §8.1). */
export const TOOL_METADATA_SERVICE = 'tool.metadata.fetch';

/** A tool handler: the parsed JSON input in, a JSON-serializable result out. */
export type ToolHandler = (input: unknown, ctx: RpcContext) => unknown;
/** A streaming tool handler: ToolEvents, exactly one terminal (`result` or `error`) expected. */
export type StreamingToolHandler = (input: unknown, ctx: RpcContext) => AsyncIterable<ToolEvent>;

/** A served tool; disposing it removes the handler and the announcement. */
export interface ServedTool extends Disposable {
  readonly descriptor: ToolDescriptor;
  dispose(): void;
}

/** Options of `callTool` / `callToolStream`: call options, plus the node selection when no target is given. */
export interface CallToolOptions extends CallOptions, Selection {}

/** What the tool runtime needs from the nRPC layer. */
export interface ToolRpc {
  readonly nodeId: bigint;
  /** Serves a unary service (never announced itself: the registry announces tools); `builtin`: see RpcServer.register. */
  serve(service: string, handler: RpcHandler, builtin: boolean): () => void;
  call(target: bigint, service: string, body: Uint8Array, opts?: CallOptions): Promise<Uint8Array>;
  callStream(target: bigint, service: string, body: Uint8Array, opts?: CallOptions): AsyncIterableIterator<Uint8Array>;
  pick(tag: string, sel: Selection): bigint;
  /** The fold metadata of `node`, if it announced any. */
  metadataOf(node: bigint): Readonly<Record<string, string>> | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
export function jsonBytes(value: unknown, what: string): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (e) {
    throw new InvalidArgumentError(`${what} is not JSON-serializable: ${(e as Error).message}`);
  }
  return encoder.encode(text ?? 'null');
}

export function parseJsonBody(body: Uint8Array): unknown {
  return JSON.parse(decoder.decode(body));
}

/** Calls `service` with a streamed response and parses the joined items as JSON (the other side of `replyBytes`). */
export async function callJoined(rpc: Pick<ToolRpc, 'callStream'>, target: bigint, service: string, body: Uint8Array, opts?: CallOptions): Promise<unknown> {
  const all = await joinItems(rpc.callStream(target, service, body, opts));
  try {
    return parseJsonBody(all);
  } catch (e) {
    throw new RpcBadResponseError(`${service} from node ${target} did not answer JSON`, { cause: e });
  }
}

function badRequest(e: unknown): RpcError {
  return new RpcError(TYPED_BAD_REQUEST, `bad request: ${(e as Error).message}`);
}

function errorEvent(e: unknown): ToolEvent {
  return { type: 'error', code: 'handler_error', message: e instanceof Error ? e.message : String(e) };
}

function eventBytes(ev: ToolEvent): Uint8Array {
  return encoder.encode(encodeToolEvent(ev));
}

export class ToolRuntime {
  #metadataInstalled = false;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly rpc: ToolRpc,
  ) {}

  serveTool(init: ToolDescriptorInit, handler: ToolHandler): ServedTool {
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function');
    return this.#serve(init, async (body, ctx) => {
      let input: unknown;
      try {
        input = parseJsonBody(body);
      } catch (e) {
        throw badRequest(e);
      }
      const out = await handler(input, ctx);
      try {
        return jsonBytes(out, 'tool output');
      } catch (e) {
        throw new RpcError(0x8001, (e as Error).message);
      }
    });
  }

  serveToolStreaming(init: ToolDescriptorInit, handler: StreamingToolHandler): ServedTool {
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function');
    if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('a tool descriptor must be an object');
    return this.#serve({ ...init, streaming: true }, (body, ctx) => {
      let input: unknown;
      try {
        input = parseJsonBody(body);
      } catch (e) {
        throw badRequest(e);
      }
      return toolEventStream(handler, input, ctx);
    });
  }

  /** rpc-tools.md §7: registry insert, handler registration (rolled back on failure), then `tool.metadata.fetch`. */
  #serve(init: ToolDescriptorInit, handler: RpcHandler): ServedTool {
    const reg = this.registry.register(init);
    let release: () => void;
    try {
      // The registry announces `nrpc:<id>` with the tool; the handler adds no tag of its own.
      release = this.rpc.serve(reg.descriptor.toolId, handler, false);
    } catch (e) {
      reg.dispose();
      throw e;
    }
    this.#installMetadata();
    let live = true;
    const dispose = (): void => {
      if (!live) return;
      live = false;
      release();
      reg.dispose();
    };
    return { descriptor: reg.descriptor, dispose, [Symbol.dispose]: dispose };
  }

  #installMetadata(): void {
    if (this.#metadataInstalled) return;
    this.rpc.serve(
      TOOL_METADATA_SERVICE,
      (body, ctx) => {
        let name: unknown;
        try {
          name = (parseJsonBody(body) as { name?: unknown } | null)?.name;
        } catch (e) {
          throw badRequest(e);
        }
        if (typeof name !== 'string') throw new RpcError(TYPED_BAD_REQUEST, 'bad request: {"name": "<tool_id>"} expected');
        const d = this.registry.get(name);
        return replyBytes(jsonBytes(d ? { type: 'found', descriptor: toolDescriptorToJSON(d) } : { type: 'not_found', name }, 'reply'), ctx);
      },
      true,
    );
    this.#metadataInstalled = true;
  }

  /** `tool.metadata.fetch` on `node`: the full descriptor (schemas the announcement dropped included), or null. */
  async fetchToolMetadata(node: bigint, toolId: string, opts?: CallOptions): Promise<ToolDescriptor | null> {
    if (typeof toolId !== 'string' || toolId.length === 0) throw new InvalidArgumentError('toolId must be a non-empty string');
    const res = (await callJoined(this.rpc, node, TOOL_METADATA_SERVICE, jsonBytes({ name: toolId }, 'request'), opts)) as { type?: unknown; descriptor?: unknown } | null;
    if (res?.type === 'not_found') return null;
    if (res?.type !== 'found') throw new RpcBadResponseError(`${TOOL_METADATA_SERVICE} from node ${node}: neither found nor not_found`);
    try {
      return toolDescriptorFromJSON(res.descriptor);
    } catch (e) {
      throw new RpcBadResponseError(`${TOOL_METADATA_SERVICE} from node ${node}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Calls a tool: `target`, or (undefined) a node announcing `ai-tool:<id>` chosen by
   * `opts.policy`. A streaming tool's events are consumed up to the terminal: `result` resolves
   * with its data, `error` rejects with ToolCallError.
   */
  async callTool(target: bigint | undefined, toolId: string, input: unknown, opts: CallToolOptions = {}): Promise<unknown> {
    const node = this.#target(target, toolId, opts);
    const body = jsonBytes(input, 'tool input');
    if (this.#isStreaming(node, toolId)) {
      for await (const ev of this.#events(node, toolId, body, opts)) {
        if (ev.type === 'result') return ev.data;
        if (ev.type === 'error') throw new ToolCallError(toolId, ev.code, ev.message, ev.details);
      }
      throw new ToolCallError(toolId, MISSING_TERMINAL_EVENT.code, MISSING_TERMINAL_EVENT.message);
    }
    const out = await this.rpc.call(node, toolId, body, opts);
    try {
      return parseJsonBody(out);
    } catch (e) {
      throw new RpcBadResponseError(`tool ${toolId} on node ${node} did not answer JSON`, { cause: e });
    }
  }

  /** A streaming tool's ToolEvents (the terminal one last). */
  callToolStream(target: bigint | undefined, toolId: string, input: unknown, opts: CallToolOptions = {}): AsyncIterable<ToolEvent> {
    const node = this.#target(target, toolId, opts);
    return this.#events(node, toolId, jsonBytes(input, 'tool input'), opts);
  }

  async *#events(node: bigint, toolId: string, body: Uint8Array, opts: CallOptions): AsyncGenerator<ToolEvent> {
    for await (const item of this.rpc.callStream(node, toolId, body, opts)) {
      let ev: ToolEvent;
      try {
        ev = parseToolEvent(item);
      } catch (e) {
        throw new RpcBadResponseError(`tool ${toolId} on node ${node} sent an item that is not a ToolEvent: ${(e as Error).message}`, { cause: e });
      }
      yield ev;
      if (isTerminal(ev)) return;
    }
  }

  #target(target: bigint | undefined, toolId: string, sel: Selection): bigint {
    validateServiceName(toolId, 'toolId');
    if (target === undefined) return this.rpc.pick(`${AI_TOOL_TAG_PREFIX}${toolId}`, sel);
    if (typeof target !== 'bigint') throw new InvalidArgumentError('target must be a bigint node id or undefined');
    return target;
  }

  #isStreaming(node: bigint, toolId: string): boolean {
    if (node === this.rpc.nodeId) return this.registry.get(toolId)?.streaming === true;
    return this.rpc.metadataOf(node)?.[`tool::${toolId}::streaming`] === '1';
  }
}

/** A streaming tool's events as response items: exactly one terminal, MISSING_TERMINAL if the handler gives none. */
async function* toolEventStream(handler: StreamingToolHandler, input: unknown, ctx: RpcContext): AsyncGenerator<Uint8Array> {
  let source: AsyncIterable<ToolEvent>;
  try {
    source = handler(input, ctx);
  } catch (e) {
    yield eventBytes(errorEvent(e));
    return;
  }
  if (typeof source !== 'object' || source === null || typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
    yield eventBytes({ type: 'error', code: 'handler_error', message: 'a streaming tool handler must return an AsyncIterable of ToolEvents' });
    return;
  }
  const it = source[Symbol.asyncIterator]();
  let last: Uint8Array | undefined;
  let exhausted = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      let bytes: Uint8Array;
      try {
        bytes = eventBytes(r.value);
      } catch (e) {
        last = eventBytes({ type: 'error', code: 'invalid_event', message: (e as Error).message });
        break;
      }
      if (isTerminal(r.value)) {
        last = bytes;
        break;
      }
      yield bytes;
    }
  } catch (e) {
    exhausted = true;
    last = eventBytes(errorEvent(e));
  } finally {
    // Stop the handler after its terminal, or when the call is cancelled while it runs.
    if (!exhausted) void Promise.resolve(it.return?.()).catch(() => {});
  }
  yield last ?? eventBytes(MISSING_TERMINAL_EVENT);
}


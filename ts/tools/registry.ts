// The node-side registry of served tools (rpc-tools.md §7): full descriptors by id, the source of
// `tool.metadata.fetch` answers, mirrored into the node's announcements through one capability
// slot. Registration is atomic: a duplicate id throws AlreadyServing, and a descriptor the
// announcement cannot carry leaves both the registry and the announcement unchanged. The runtime
// adds handler dispatch on top (`serveTool` = register, then install the handler, rolling back
// the registration if that fails).
import { AlreadyServingError, ClosedError } from '../errors.js';
import type { CapabilityContribution } from '../node/host.js';
import { validateServiceName } from '../rpc/service-name.js';
import { assertAdvertisable, toolCapabilityOf } from './advertise.js';
import { makeToolDescriptor, type ToolDescriptor, type ToolDescriptorInit } from './descriptor.js';

/** A registered tool; disposing it unregisters it (idempotent). */
export interface ToolRegistration extends Disposable {
  readonly descriptor: ToolDescriptor;
  dispose(): void;
}

export class ToolRegistry {
  private readonly tools = new Map<string, ToolDescriptor>();
  private closed = false;

  constructor(private readonly slot: CapabilityContribution) {}

  /** Validates, inserts and announces a tool. `nodeCount` is not stored (discovery fills it). */
  register(init: ToolDescriptorInit): ToolRegistration {
    if (this.closed) throw new ClosedError('tool registry');
    const d = { ...makeToolDescriptor(init), nodeCount: 0 };
    validateServiceName(d.toolId, 'toolId');
    assertAdvertisable(d);
    if (this.tools.has(d.toolId)) throw new AlreadyServingError(d.toolId);
    this.tools.set(d.toolId, d);
    try {
      this.publish();
    } catch (e) {
      this.tools.delete(d.toolId);
      throw e;
    }
    let live = true;
    const dispose = (): void => {
      if (!live) return;
      live = false;
      this.unregister(d);
    };
    return { descriptor: d, dispose, [Symbol.dispose]: dispose };
  }

  /** The full descriptor of a served tool (schemas included even when the announcement dropped them). */
  get(toolId: string): ToolDescriptor | undefined {
    const d = this.tools.get(toolId);
    return d && { ...d, requires: [...d.requires], tags: [...d.tags] };
  }

  has(toolId: string): boolean {
    return this.tools.has(toolId);
  }

  list(): ToolDescriptor[] {
    return [...this.tools.keys()].map((id) => this.get(id)!);
  }

  get size(): number {
    return this.tools.size;
  }

  /**
   * Drops every tool. `withdraw` (default true) re-announces without them; a closing node passes
   * false (it announces nothing more).
   */
  close(withdraw = true): void {
    if (this.closed) return;
    this.closed = true;
    this.tools.clear();
    if (withdraw) this.slot.release();
  }

  private unregister(d: ToolDescriptor): void {
    if (this.closed || this.tools.get(d.toolId) !== d) return;
    this.tools.delete(d.toolId);
    this.publish();
  }

  private publish(): void {
    // A served tool is also an nRPC service under its id (`nrpc:<id>`, rpc-tools.md §7).
    this.slot.set({ rpcServices: [...this.tools.keys()], tools: [...this.tools.values()].map(toolCapabilityOf) });
  }
}

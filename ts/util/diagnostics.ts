// Diagnostics without console.*: a warning goes to the caller's sink (a node's `onWarning`
// option) and to the `net-mesh:warning` diagnostics channel where the runtime has one (Node, Deno,
// Bun). Nothing is printed by the library itself.

export interface Warning {
  /** Stable code, e.g. STREAM_CONFIG_MISMATCH. */
  code: string;
  message: string;
}

export type WarningSink = (w: Warning) => void;

export const WARNING_CHANNEL = 'net-mesh:warning';

interface Channel {
  hasSubscribers: boolean;
  publish(message: unknown): void;
}

let channel: Channel | null | undefined;

function diagnosticsChannel(): Channel | null {
  if (channel !== undefined) return channel;
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const dc = p?.getBuiltinModule?.('node:diagnostics_channel') as { channel(name: string): Channel } | undefined;
  channel = dc ? dc.channel(WARNING_CHANNEL) : null;
  return channel;
}

/** Reports a warning; a throwing sink is not allowed to break the caller. */
export function warn(sink: WarningSink | undefined, code: string, message: string): void {
  const w: Warning = { code, message };
  if (sink) {
    try {
      sink(w);
    } catch {
      // the sink's own failure is not the library's to report
    }
  }
  const ch = diagnosticsChannel();
  if (ch?.hasSubscribers) ch.publish(w);
}

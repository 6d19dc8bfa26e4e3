// Which JavaScript runtime is running this code. Runtime differences live in small adapters that
// branch on this; everything else is portable.
import { UnsupportedRuntimeError } from '../errors.js';
export type RuntimeName = 'node' | 'deno' | 'bun' | 'browser';

export function runtimeName(): RuntimeName {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Deno === 'object') return 'deno';
  if (typeof g.Bun === 'object') return 'bun';
  const p = g.process as { versions?: { node?: string } } | undefined;
  if (p?.versions?.node) return 'node';
  return 'browser';
}

/** A Node built-in module, by name, in any runtime that provides them (Node, Deno, Bun). */
export function builtin<T>(name: string): T {
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  const m = p?.getBuiltinModule?.(name);
  if (!m) throw new UnsupportedRuntimeError(`net-mesh: this runtime has no built-in module ${name}`);
  return m as T;
}

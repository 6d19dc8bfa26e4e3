// Loads the WebAssembly core once per thread. The bytes are inlined (generated at build time), so
// the same code works in Node, Deno, Bun, browsers and every esbuild bundle without file access.
import { CoreError } from '../errors.js';
import { WASM_BASE64 } from './generated/wasm-base64.js';

/** The raw exports every ABI wrapper narrows to its own interface. */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  nm_alloc(size: number): number;
  nm_free(ptr: number, size: number): void;
  nm_abi_version(): number;
  readonly [name: string]: unknown;
}

const ABI_VERSION = 1;
let compiled: WebAssembly.Module | undefined;
let instance: CoreExports | undefined;

/** Base64 → bytes (Buffer where there is one); workers use it for the core's bytes. */
export function decodeBase64(b64: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(b64, 'base64'));
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled module, shareable with workers (a WebAssembly.Module is structured-cloneable). */
export function coreModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
  return compiled;
}

function adopt(inst: WebAssembly.Instance): CoreExports {
  const ex = inst.exports as unknown as CoreExports;
  const v = ex.nm_abi_version();
  if (v !== ABI_VERSION) throw new CoreError('CORE_ABI_MISMATCH', `net-mesh core ABI version ${v}, expected ${ABI_VERSION}: rebuild with npm run build`);
  return ex;
}

/** Synchronous access to the core, instantiating it on first use (fine in Node, Deno and Bun). */
export function core(): CoreExports {
  instance ??= adopt(new WebAssembly.Instance(coreModule(), {}));
  return instance;
}

/** Async initialisation (the path browsers need for large modules); idempotent. */
export async function initCore(module?: WebAssembly.Module): Promise<void> {
  if (instance) return;
  if (module) compiled = module;
  if (!compiled) compiled = await WebAssembly.compile(decodeBase64(WASM_BASE64) as BufferSource);
  const inst = await WebAssembly.instantiate(compiled, {});
  instance ??= adopt(inst);
}

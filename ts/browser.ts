// Entry of the browser bundle, dist/browser/net-mesh.mjs: the whole SDK (the same names as the
// package) for a page that loads one module. A page has no UDP: its node reaches the mesh through
// `net-mesh relay` with a WebTransportTransport, and its engine runs inline (the default where
// there are no workers). The WASM core is not inlined here: it is dist/browser/net-mesh.wasm, next
// to the bundle, compiled while it downloads when the import runs (top-level await), so the first
// use of the core never compiles synchronously on the page's main thread.
import { TransportError } from './errors.js';
import { initCore } from './core/wasm.js';

export * from './index.js';

/** The core module beside this bundle; `new URL(..., import.meta.url)` is also the form bundlers copy as an asset. */
async function compileCore(url: URL): Promise<WebAssembly.Module> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new TransportError(`net-mesh: fetching the WASM core from ${url.href} failed: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new TransportError(`net-mesh: fetching the WASM core from ${url.href} failed (HTTP ${res.status})`);
  // compileStreaming needs the server to say application/wasm; anything else compiles from the bytes.
  if ((res.headers.get('content-type') ?? '').split(';')[0]!.trim() === 'application/wasm') return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
}

await initCore(await compileCore(new URL('./net-mesh.wasm', import.meta.url)));

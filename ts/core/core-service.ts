// The batch service a core worker exposes (and that can run on the main thread just the same).
// Every method takes and returns whole batches: one message per batch, never one per packet.
import * as Comlink from 'comlink';
import { initCore } from './wasm.js';
import { blake3 } from './blake3.js';

export class CoreService {
  async init(module: WebAssembly.Module): Promise<void> {
    await initCore(module);
  }

  async initFromBase64(b64: string): Promise<void> {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    await initCore(await WebAssembly.compile(bytes));
  }

  ping(): string {
    return 'pong';
  }

  /** Hashes many buffers in one call; the digests come back in one transferred buffer. */
  blake3Batch(inputs: Uint8Array[], outLen = 32): Uint8Array {
    const out = new Uint8Array(inputs.length * outLen);
    for (let i = 0; i < inputs.length; i++) out.set(blake3(inputs[i]!, outLen), i * outLen);
    return Comlink.transfer(out, [out.buffer]);
  }
}

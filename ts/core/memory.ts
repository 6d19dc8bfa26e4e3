// Views into the core's linear memory. Views are re-made when memory grows (growth detaches the
// old ArrayBuffer), so callers take a fresh view after any call that may allocate.
import { CoreError } from '../errors.js';
import { core } from './wasm.js';

let cachedBuffer: ArrayBuffer | undefined;
let cachedView: Uint8Array | undefined;

/** A Uint8Array over the whole linear memory, valid until the next call that may grow it. */
export function heap(): Uint8Array {
  const buf = core().memory.buffer as ArrayBuffer;
  if (buf !== cachedBuffer) {
    cachedBuffer = buf;
    cachedView = new Uint8Array(buf);
  }
  return cachedView!;
}

/** A buffer in linear memory owned by the TS side; free it when done. */
export class CoreBuffer {
  readonly ptr: number;
  readonly size: number;
  private freed = false;
  constructor(size: number) {
    this.size = Math.max(1, size);
    this.ptr = core().nm_alloc(this.size);
    if (this.ptr === 0) throw new CoreError('CORE_OUT_OF_MEMORY', `net-mesh core: cannot allocate ${size} bytes`);
  }
  /** A view of this buffer (re-take it after calls that may grow memory). */
  view(len = this.size): Uint8Array {
    return heap().subarray(this.ptr, this.ptr + len);
  }
  free(): void {
    if (this.freed) return;
    this.freed = true;
    core().nm_free(this.ptr, this.size);
  }
}

/**
 * A per-thread scratch region that grows on demand: wrappers copy inputs in, run a kernel and copy
 * results out. It is never freed (one per thread), so hot paths allocate nothing.
 */
let scratch: CoreBuffer | undefined;
export function scratchBuffer(minSize: number): CoreBuffer {
  if (!scratch || scratch.size < minSize) {
    scratch?.free();
    scratch = new CoreBuffer(Math.max(minSize, 1 << 16));
  }
  return scratch;
}

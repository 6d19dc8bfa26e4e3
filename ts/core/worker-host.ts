// Starts a core worker thread and talks to it with comlink. The worker's code is inlined at build
// time (generated/worker-source.ts), so this works from source, from any bundle and in every
// runtime: Node uses worker_threads (eval), Deno, Bun and browsers use a module Web Worker from a
// Blob URL. The compiled WebAssembly.Module is handed to the worker (bytes where a runtime cannot
// clone modules), so the worker bundle carries no second copy of the core.
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { WORKER_SOURCE } from './generated/worker-source.js';
import { WASM_BASE64 } from './generated/wasm-base64.js';
import { coreModule } from './wasm.js';
import { builtin, runtimeName } from '../runtime/detect.js';
import type { CoreService } from './core-service.js';
import { BatchChannel } from './batch-channel.js';

export type RemoteCore = Comlink.Remote<CoreService>;

export interface CoreWorker {
  /** Control plane (comlink). */
  readonly api: RemoteCore;
  /** Data path: batches and session changes, in order, on a port of their own. */
  readonly batch: BatchChannel;
  terminate(): Promise<void>;
}

interface NodeWorker {
  postMessage(m: unknown, t?: unknown[]): void;
  on(t: string, l: (...a: unknown[]) => void): void;
  off(t: string, l: (...a: unknown[]) => void): void;
  terminate(): Promise<number>;
  unref(): void;
}

function spawn(): { endpoint: Comlink.Endpoint; stop: () => Promise<void> } {
  if (!WORKER_SOURCE) throw new Error('net-mesh: worker source missing; run npm run build');
  if (runtimeName() === 'node') {
    const { Worker } = builtin<{ Worker: new (src: string, o: object) => NodeWorker }>('node:worker_threads');
    const w = new Worker(WORKER_SOURCE, { eval: true });
    return {
      endpoint: nodeEndpoint(w as never),
      stop: async () => {
        await w.terminate();
      },
    };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(url, { type: 'module' });
  return {
    endpoint: w,
    stop: async () => {
      w.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

/** Starts a worker with its own instance of the core and waits until it is ready. */
export async function startCoreWorker(): Promise<CoreWorker> {
  const { endpoint, stop } = spawn();
  const api = Comlink.wrap<CoreService>(endpoint);
  try {
    try {
      await api.init(coreModule());
    } catch {
      // Runtimes that cannot structured-clone a WebAssembly.Module get the bytes instead.
      await api.initFromBase64(WASM_BASE64);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const channel = new MessageChannel();
  try {
    await api.attachBatchPort(Comlink.transfer(channel.port2, [channel.port2]));
  } catch (e) {
    await stop();
    throw e;
  }
  const batch = new BatchChannel(channel.port1 as never);
  let stopped = false;
  return {
    api,
    batch,
    async terminate() {
      if (stopped) return;
      stopped = true;
      batch.close();
      api[Comlink.releaseProxy]();
      await stop();
    },
  };
}

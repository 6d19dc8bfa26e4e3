// Worker entry point: runs a node's engine (ts/engine/worker-main.ts) once the host sends `init`.
// Thin on purpose; it works as a Node worker_threads worker (eval) and as a module Web Worker.
import { runEngineWorker } from '../ts/engine/worker-main.js';

interface ParentPort {
  postMessage(m: unknown): void;
  on(t: 'message', l: (m: unknown) => void): void;
}

const isWebWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
if (isWebWorker) {
  const self = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: { data: unknown }) => void) | null };
  runEngineWorker({ post: (m) => self.postMessage(m), onMessage: (cb) => (self.onmessage = (e) => cb(e.data)) });
} else {
  const wt = (globalThis as unknown as { process: { getBuiltinModule(n: string): { parentPort: ParentPort } } }).process.getBuiltinModule('node:worker_threads');
  runEngineWorker({ post: (m) => wt.parentPort.postMessage(m), onMessage: (cb) => wt.parentPort.on('message', cb) });
}

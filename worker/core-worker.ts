// Worker entry point: loads the core handed over by the host and exposes the batch service with
// comlink. Thin on purpose: the service itself lives in ts/core/core-service.ts.
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { CoreService } from '../ts/core/core-service.js';

interface ParentPort {
  postMessage(m: unknown): void;
  on(t: string, l: (...a: unknown[]) => void): void;
  off(t: string, l: (...a: unknown[]) => void): void;
}

const service = new CoreService();
const isWebWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
if (isWebWorker) {
  Comlink.expose(service);
} else {
  const wt = (globalThis as unknown as { process: { getBuiltinModule(n: string): { parentPort: ParentPort } } }).process.getBuiltinModule('node:worker_threads');
  Comlink.expose(service, nodeEndpoint(wt.parentPort as never));
}

// Starts a worker from inlined source on each runtime, behind one small interface: a
// node:worker_threads worker (eval'd source) on the runtimes listed in `threadsOn`, else a module
// Web Worker from a Blob URL. The engine's core worker and the hashing pool both start theirs here.
import { builtin, runtimeName } from './detect.js';

export interface SpawnedWorker<In, Out> {
  post(m: In, transfer?: Transferable[]): void;
  onMessage(cb: (m: Out) => void): void;
  /** An uncaught error in the worker, or its exit (Web Workers: also their terminate()). */
  onDeath(cb: (why: string) => void): void;
  /** Whether the worker keeps the process alive (a no-op where the runtime has no such notion). */
  hold(on: boolean): void;
  terminate(): Promise<void>;
}

interface NodeWorker {
  postMessage(m: unknown, t?: readonly unknown[]): void;
  on(t: string, l: (...a: unknown[]) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface WebWorkerLike {
  postMessage(m: unknown, t?: Transferable[]): void;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
  ref?(): void;
  unref?(): void;
  terminate(): void;
}

/** `threadsOn`: the runtimes that get a node:worker_threads worker (the others a Web Worker). */
export function spawnWorker<In, Out>(source: string, threadsOn: readonly string[]): SpawnedWorker<In, Out> {
  if (threadsOn.includes(runtimeName())) {
    const { Worker } = builtin<{ Worker: new (src: string, o: object) => NodeWorker }>('node:worker_threads');
    const w = new Worker(source, { eval: true });
    return {
      post: (m, t) => w.postMessage(m, t ?? []),
      onMessage: (cb) => w.on('message', (m) => cb(m as Out)),
      onDeath: (cb) => {
        w.on('error', (e) => cb(e instanceof Error ? e.message : String(e)));
        w.on('exit', (code) => cb(`exited with code ${String(code)}`));
      },
      hold: (on) => (on ? w.ref() : w.unref()),
      terminate: async () => {
        await w.terminate();
      },
    };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const Ctor = (globalThis as unknown as { Worker: new (u: string, o: object) => WebWorkerLike }).Worker;
  const w = new Ctor(url, { type: 'module' });
  let death: ((why: string) => void) | undefined;
  return {
    post: (m, t) => w.postMessage(m, t ?? []),
    onMessage: (cb) => (w.onmessage = (e) => cb(e.data as Out)),
    onDeath: (cb) => {
      death = cb;
      w.onerror = (e) => {
        e.preventDefault?.();
        cb(e.message ?? 'worker error');
      };
    },
    hold: (on) => (on ? w.ref?.() : w.unref?.()),
    terminate: async () => {
      w.terminate();
      URL.revokeObjectURL(url);
      death?.('terminated'); // Web Workers announce no exit
    },
  };
}

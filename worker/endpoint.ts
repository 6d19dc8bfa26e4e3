// The parent-facing side of a worker entry: a Node worker_threads parentPort or a module Web
// Worker's global scope, behind one post / onMessage pair.
export interface ParentEndpoint {
  post(m: unknown, transfer?: Transferable[]): void;
  onMessage(cb: (m: unknown) => void): void;
}

interface ParentPort {
  postMessage(m: unknown, transfer?: readonly unknown[]): void;
  on(t: 'message', l: (m: unknown) => void): void;
}

export function parentEndpoint(): ParentEndpoint {
  if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
    const self = globalThis as unknown as { postMessage(m: unknown, t?: Transferable[]): void; onmessage: ((e: { data: unknown }) => void) | null };
    return { post: (m, t) => self.postMessage(m, t ?? []), onMessage: (cb) => (self.onmessage = (e) => cb(e.data)) };
  }
  const g = globalThis as unknown as { process: { getBuiltinModule(n: string): { parentPort: ParentPort } } };
  const port = g.process.getBuiltinModule('node:worker_threads').parentPort;
  return { post: (m, t) => port.postMessage(m, t ?? []), onMessage: (cb) => port.on('message', cb) };
}

// The hashing worker's side: loads the core from the module its host sends (wasm.ts initCore, the
// same loader as every thread), then answers hash / update / digest requests in arrival order.
// Sessions are incremental hashers that live here between messages.
import { Blake3, blake3 } from './blake3.js';
import { decodeBase64, initCore } from './wasm.js';
import type { FromHashWorker, ToHashWorker, WireBytes } from './hash-worker-protocol.js';

export interface HashWorkerEndpoint {
  post(m: FromHashWorker, transfer?: Transferable[]): void;
  onMessage(cb: (m: unknown) => void): void;
}

const view = (b: WireBytes): Uint8Array => new Uint8Array(b.buf, b.off, b.len);

export function runHashWorker(ep: HashWorkerEndpoint): void {
  const sessions = new Map<number, Blake3>();
  const early: ToHashWorker[] = [];
  let ready = false;

  const session = (sid: number): Blake3 => {
    let s = sessions.get(sid);
    if (!s) sessions.set(sid, (s = new Blake3()));
    return s;
  };

  const handle = (m: ToHashWorker): void => {
    switch (m.t) {
      case 'hash': {
        const data = view(m.bytes);
        const hash = blake3(data);
        if (m.sid !== undefined) session(m.sid).update(data);
        // A moved buffer goes back to its owner (transferred again: no copy either way).
        if (m.back && m.bytes.buf instanceof ArrayBuffer) ep.post({ t: 'done', id: m.id, hash, bytes: m.bytes }, [m.bytes.buf]);
        else ep.post({ t: 'done', id: m.id, hash });
        return;
      }
      case 'update':
        session(m.sid).update(view(m.bytes));
        return;
      case 'digest':
        ep.post({ t: 'done', id: m.id, hash: session(m.sid).digest() });
        return;
      case 'free':
        sessions.get(m.sid)?.dispose();
        sessions.delete(m.sid);
        return;
    }
  };

  const guarded = (m: ToHashWorker): void => {
    try {
      handle(m);
    } catch (e) {
      const id = 'id' in m ? m.id : -1;
      ep.post({ t: 'error', id, message: e instanceof Error ? e.message : String(e) });
    }
  };

  ep.onMessage((raw) => {
    const m = raw as ToHashWorker;
    if (m?.t === 'init') {
      const load = m.module ? initCore(m.module) : WebAssembly.compile(decodeBase64(m.wasmBase64 ?? '') as BufferSource).then(initCore);
      load.then(
        () => {
          ready = true;
          for (const q of early.splice(0)) guarded(q);
        },
        (e: unknown) => ep.post({ t: 'fatal', message: e instanceof Error ? e.message : String(e) }),
      );
      return;
    }
    if (ready) guarded(m);
    else early.push(m);
  });
}

// AbortSignal listeners multiplexed: one real listener per signal however many transfers share it
// (a fetchDir shares one signal across thousands of leaves; per-leaf listeners would pile up).
type Callback = () => void;

const subscribers = new WeakMap<AbortSignal, Set<Callback>>();

/** Calls `cb` once when `signal` aborts; returns a function that unsubscribes. */
export function onAbort(signal: AbortSignal, cb: Callback): () => void {
  let set = subscribers.get(signal);
  if (!set) {
    const fresh = new Set<Callback>();
    set = fresh;
    subscribers.set(signal, fresh);
    signal.addEventListener(
      'abort',
      () => {
        subscribers.delete(signal);
        for (const f of [...fresh]) f();
      },
      { once: true },
    );
  }
  const s = set;
  s.add(cb);
  return () => void s.delete(cb);
}

/** The reason passed to internal abort() calls: a plain value, so no DOMException (and stack) is built. */
export const INTERNAL_ABORT = Object.freeze({ reason: 'net-mesh: internal cancel' });

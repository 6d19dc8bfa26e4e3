// `watchTools` (rpc-tools.md §8): subscribes to the fold's change counter before taking the
// baseline, then on each wake (a fold change, the optional ceiling tick) re-lists and yields the
// diff: all added, then removed, then node-count changes. It is pulled: nothing is computed while
// the consumer holds unread changes, so memory stays bounded. It ends promptly on cancel(),
// return(), the AbortSignal, or the node closing.
import { InvalidArgumentError } from '../errors.js';
import type { CapabilityFold } from '../fold/capability-fold.js';
import { diffToolLists, listToolsInFold, normalizeToolFilter, type ToolFilter, type ToolInfo, type ToolListChange } from './discovery.js';

/** Options of `node.watchTools`: which tools, an optional re-list ceiling, and an abort signal. */
export interface WatchToolsOptions {
  filter?: ToolFilter;
  /** Also re-list every `ceilingMs` without a fold change (a backstop; off by default). */
  ceilingMs?: number;
  signal?: AbortSignal;
}

/** The async iterable `watchTools` returns; `cancel()` ends it like `return()`. */
export interface ToolWatch extends AsyncIterableIterator<ToolListChange> {
  cancel(): void;
}

/** What the watch needs from its node: the fold, and a close hook. */
export interface WatchHost {
  readonly fold: CapabilityFold;
  readonly closed: boolean;
  onClose(cb: () => void): () => void;
}

export function watchToolsInFold(host: WatchHost, opts: WatchToolsOptions = {}): ToolWatch {
  if (typeof opts !== 'object' || opts === null) throw new InvalidArgumentError('watchTools options must be an object');
  const filter = normalizeToolFilter(opts.filter);
  const { ceilingMs, signal } = opts;
  if (ceilingMs !== undefined && (typeof ceilingMs !== 'number' || !(ceilingMs > 0) || !Number.isFinite(ceilingMs))) {
    throw new InvalidArgumentError(`ceilingMs must be a positive number of milliseconds, got ${String(ceilingMs)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('signal must be an AbortSignal');

  let dirty = false;
  let ended = false;
  // Resolvers of next() calls waiting for a wake (more than one if the consumer does not await).
  const waiters: (() => void)[] = [];
  const pending: ToolListChange[] = [];
  const wakeAll = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const poke = (): void => {
    dirty = true;
    wakeAll();
  };
  // Subscribe first, then take the baseline synchronously: no change can fall between the two.
  const unsubscribe = host.fold.onChange(poke);
  let current: ToolInfo[] = listToolsInFold(host.fold, filter);
  const timer = ceilingMs === undefined ? undefined : setInterval(poke, ceilingMs);
  (timer as { unref?: () => void } | undefined)?.unref?.();
  const unClose = host.onClose(() => end());
  const onAbort = (): void => end();
  signal?.addEventListener('abort', onAbort, { once: true });

  function end(): void {
    if (ended) return;
    ended = true;
    pending.length = 0;
    unsubscribe();
    unClose();
    if (timer !== undefined) clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
    wakeAll();
  }
  if (signal?.aborted || host.closed) end();

  const DONE: IteratorResult<ToolListChange> = { value: undefined, done: true };

  async function next(): Promise<IteratorResult<ToolListChange>> {
    for (;;) {
      if (ended) return DONE;
      const queued = pending.shift();
      if (queued) return { value: queued, done: false };
      if (dirty) {
        dirty = false;
        if (host.closed) {
          end();
          return DONE;
        }
        const fresh = listToolsInFold(host.fold, filter);
        pending.push(...diffToolLists(current, fresh));
        current = fresh;
        continue;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  const watch: ToolWatch = {
    next,
    return: async () => {
      end();
      return DONE;
    },
    cancel: end,
    [Symbol.asyncIterator]() {
      return watch;
    },
  };
  return watch;
}

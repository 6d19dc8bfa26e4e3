// A remote node's MeshOS snapshots as a Deck page source: the latest Deck JSON from its
// `meshos.snapshot` stream, and a change signal for every page listening (serveDeck's
// `snapshotJson` + `changes`). `first` settles with the first snapshot, `ended` when the stream
// stops (with its error, if any).
import type { DeckSnapshotSource } from '../meshos/deck-server.js';
import { AsyncQueue } from '../util/async-queue.js';

export class RemoteDeckFeed implements DeckSnapshotSource {
  #latest: string | undefined;
  #count = 0n;
  #done = false;
  readonly #subs = new Set<AsyncQueue<bigint>>();
  /** Resolves with the first snapshot's JSON; rejects if the stream ends before one. */
  readonly first: Promise<string>;
  /** Resolves when the stream is over: undefined when it ended, else its error. */
  readonly ended: Promise<Error | undefined>;

  constructor(snapshots: AsyncIterable<string>) {
    let gotFirst!: (json: string) => void;
    let noFirst!: (e: Error) => void;
    this.first = new Promise<string>((resolve, reject) => {
      gotFirst = resolve;
      noFirst = reject;
    });
    this.first.catch(() => undefined);
    this.ended = (async () => {
      let error: Error | undefined;
      try {
        for await (const json of snapshots) {
          this.#latest = json;
          this.#count++;
          if (this.#count === 1n) gotFirst(json);
          for (const q of this.#subs) q.push(this.#count);
        }
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      this.#done = true;
      noFirst(error ?? new Error('the snapshot stream ended before its first snapshot'));
      for (const q of [...this.#subs]) q.end();
      return error;
    })();
  }

  snapshotJson(): string {
    return this.#latest ?? 'null';
  }

  changes(opts: { signal?: AbortSignal } = {}): AsyncIterable<bigint> {
    const q: AsyncQueue<bigint> = new AsyncQueue<bigint>({ signal: opts.signal, onEnd: () => this.#subs.delete(q) });
    if (this.#done) q.end();
    else this.#subs.add(q);
    return q;
  }
}

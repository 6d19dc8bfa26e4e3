// Call ids (rpc-tools.md §4): a fresh random u64 per call from the platform CSPRNG, never 0 and
// never sequential. Drawn 256 at a time so a call costs no getRandomValues round trip.
const BATCH = 256;

export class CallIds {
  readonly #pool = new BigUint64Array(BATCH);
  #next = BATCH;

  next(): bigint {
    for (;;) {
      if (this.#next === BATCH) {
        globalThis.crypto.getRandomValues(this.#pool);
        this.#next = 0;
      }
      const id = this.#pool[this.#next++]!;
      if (id !== 0n) return id;
    }
  }
}

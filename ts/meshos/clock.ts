// The real clock of MeshOS and Deck (tests pass a manual one: test/meshos/manual-clock.ts).
import type { MeshOsClock } from './types.js';

export const realClock: MeshOsClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  setTimer(cb, ms) {
    const t = setTimeout(cb, Math.max(0, ms));
    (t as { unref?: () => void }).unref?.();
    return () => clearTimeout(t);
  },
};

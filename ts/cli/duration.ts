// `--timeout` values (meshos-cli.md §3.1): a bare integer is seconds; otherwise one or more
// `<number><unit>` parts with units ns us ms s m h d (e.g. `30s`, `1m30s`, `250ms`).
import { usageError } from './args.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string, flag = '--timeout'): number {
  const t = text.trim();
  if (/^[0-9]+$/.test(t)) return Number(t) * 1000;
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h|d)/gy;
  let total = 0;
  let at = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  if (at === 0 || at !== t.length) throw usageError(`${flag} ${JSON.stringify(text)} is not a duration (e.g. 30, 30s, 1m30s, 500ms)`);
  return total;
}

// `ip:port` text as Rust's `SocketAddr` parses and prints it (the announcement's `reflex_addr`,
// fold.md §3.1). Verifiers re-serialise decoded fields before checking a signature, so a
// non-canonical address on the wire must be brought to the canonical form first: IPv4 dotted
// decimal without leading zeros, IPv6 in brackets with RFC 5952 compression, lowercase hex,
// `::ffff:a.b.c.d` for IPv4-mapped addresses, and `%scope` only when the scope id is non-zero.

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

function parseIpv6(s: string): number[] | undefined {
  const groupsOf = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const items = part.split(':');
    const out: number[] = [];
    for (let k = 0; k < items.length; k++) {
      const it = items[k]!;
      if (allowV4 && k === items.length - 1 && it.includes('.')) {
        const v4 = parseIpv4(it);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = groupsOf(s.slice(0, dbl), false);
    const tail = groupsOf(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const all = groupsOf(s, true);
  return all && all.length === 8 ? all : undefined;
}

function formatIpv6(g: number[]): string {
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
  }
  // Longest run of zero groups (first on ties), compressed only when longer than one group.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestLen > 1) return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
  return hex(g);
}

function parsePort(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const v = Number(s);
  return v <= 65535 ? v : undefined;
}

/** The canonical text of a socket address, or undefined when `text` is not one. */
export function canonicalSocketAddr(text: string): string | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    const port = parsePort(text.slice(close + 2));
    let inner = text.slice(1, close);
    let scope = 0;
    const pct = inner.indexOf('%');
    if (pct >= 0) {
      const sc = inner.slice(pct + 1);
      if (!/^[0-9]+$/.test(sc) || Number(sc) > 0xffff_ffff) return undefined;
      scope = Number(sc);
      inner = inner.slice(0, pct);
    }
    const g = parseIpv6(inner);
    if (!g || port === undefined) return undefined;
    return `[${formatIpv6(g)}${scope !== 0 ? `%${scope}` : ''}]:${port}`;
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const ip = parseIpv4(text.slice(0, colon));
  const port = parsePort(text.slice(colon + 1));
  if (!ip || port === undefined) return undefined;
  return `${ip.join('.')}:${port}`;
}

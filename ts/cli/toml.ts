// A TOML reader for the CLI's config file: tables (`[a.b]`, quoted keys), dotted keys, basic and
// literal strings, integers, floats, booleans, arrays (across lines too) and inline tables.
// Multi-line strings and dates are not supported: the config needs none of them. Errors name
// the line.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export class TomlError extends Error {}

export function parseToml(text: string): TomlTable {
  const root: TomlTable = Object.create(null) as TomlTable;
  let current = root;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const cur = new Cursor(lines[n]!, n + 1);
    cur.ws();
    if (cur.end() || cur.peek() === '#') continue;
    if (cur.peek() === '[') {
      if (cur.text.startsWith('[[', cur.i)) throw cur.fail('arrays of tables are not supported');
      cur.i++;
      const path = cur.keyPath();
      cur.expect(']');
      cur.trailing();
      current = table(root, path, cur);
      continue;
    }
    const path = cur.keyPath();
    cur.expect('=');
    // A value may continue over the following lines (arrays).
    let value: TomlValue | undefined;
    for (;;) {
      try {
        value = cur.value();
        cur.trailing();
        break;
      } catch (e) {
        if (!(e instanceof Incomplete) || n + 1 >= lines.length) throw e instanceof Incomplete ? cur.fail('unterminated value') : e;
        cur.text += '\n' + lines[++n]!;
        cur.i = cur.valueStart;
      }
    }
    assign(current, path, value, cur);
  }
  return root;
}

class Incomplete extends Error {}

function table(root: TomlTable, path: string[], cur: Cursor): TomlTable {
  let t = root;
  for (const k of path) {
    const next = t[k];
    if (next === undefined) t = t[k] = Object.create(null) as TomlTable;
    else if (typeof next === 'object' && !Array.isArray(next)) t = next;
    else throw cur.fail(`${k} is already a value`);
  }
  return t;
}

function assign(t: TomlTable, path: string[], value: TomlValue, cur: Cursor): void {
  const parent = table(t, path.slice(0, -1), cur);
  const key = path.at(-1)!;
  if (key in parent) throw cur.fail(`duplicate key ${key}`);
  parent[key] = value;
}

class Cursor {
  i = 0;
  valueStart = 0;
  constructor(
    public text: string,
    readonly line: number,
  ) {}

  fail(what: string): TomlError {
    return new TomlError(`line ${this.line}: ${what}`);
  }
  end(): boolean {
    return this.i >= this.text.length;
  }
  peek(): string {
    return this.text[this.i] ?? '';
  }
  ws(newlines = false): void {
    for (;;) {
      while (this.peek() === ' ' || this.peek() === '\t' || (newlines && this.peek() === '\n')) this.i++;
      if (newlines && this.peek() === '#') {
        while (!this.end() && this.peek() !== '\n') this.i++;
        continue;
      }
      return;
    }
  }
  expect(c: string): void {
    this.ws();
    if (this.peek() !== c) throw this.fail(`expected "${c}"`);
    this.i++;
    this.ws();
    if (c === '=') this.valueStart = this.i;
  }
  trailing(): void {
    this.ws();
    if (!this.end() && this.peek() !== '#') throw this.fail(`unexpected ${JSON.stringify(this.text.slice(this.i, this.i + 10))}`);
  }
  keyPath(): string[] {
    const path = [this.key()];
    this.ws();
    while (this.peek() === '.') {
      this.i++;
      this.ws();
      path.push(this.key());
      this.ws();
    }
    return path;
  }
  key(): string {
    const c = this.peek();
    if (c === '"') return this.basic();
    if (c === "'") return this.literal();
    const m = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.i));
    if (!m) throw this.fail('expected a key');
    this.i += m[0].length;
    return m[0];
  }
  basic(): string {
    this.i++;
    let out = '';
    for (;;) {
      if (this.end() || this.peek() === '\n') throw this.fail('unterminated string');
      const c = this.text[this.i++]!;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.i++];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw this.fail('bad unicode escape');
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw this.fail('bad unicode escape');
        out += String.fromCodePoint(cp);
        this.i += len;
      } else throw this.fail('bad escape');
    }
  }
  literal(): string {
    const close = this.text.indexOf("'", this.i + 1);
    const nl = this.text.indexOf('\n', this.i + 1);
    if (close < 0 || (nl >= 0 && nl < close)) throw this.fail('unterminated string');
    const s = this.text.slice(this.i + 1, close);
    this.i = close + 1;
    return s;
  }
  value(): TomlValue {
    this.ws(true);
    const c = this.peek();
    if (c === '') throw new Incomplete();
    if (c === '"') {
      if (this.text.startsWith('"""', this.i)) throw this.fail('multi-line strings are not supported');
      return this.basic();
    }
    if (c === "'") {
      if (this.text.startsWith("'''", this.i)) throw this.fail('multi-line strings are not supported');
      return this.literal();
    }
    if (c === '[') {
      this.i++;
      const out: TomlValue[] = [];
      for (;;) {
        this.ws(true);
        if (this.end()) throw new Incomplete();
        if (this.peek() === ']') {
          this.i++;
          return out;
        }
        out.push(this.value());
        this.ws(true);
        if (this.end()) throw new Incomplete();
        if (this.peek() === ',') this.i++;
        else if (this.peek() !== ']') throw this.fail('expected "," or "]"');
      }
    }
    if (c === '{') {
      this.i++;
      const t: TomlTable = Object.create(null) as TomlTable;
      this.ws();
      if (this.peek() === '}') {
        this.i++;
        return t;
      }
      for (;;) {
        this.ws();
        const path = this.keyPath();
        this.ws();
        if (this.peek() !== '=') throw this.fail('expected "="');
        this.i++;
        assign(t, path, this.value(), this);
        this.ws();
        if (this.peek() === ',') {
          this.i++;
          continue;
        }
        if (this.peek() === '}') {
          this.i++;
          return t;
        }
        throw this.fail('expected "," or "}"');
      }
    }
    const m = /^[A-Za-z0-9_.+:-]+/.exec(this.text.slice(this.i));
    if (!m) throw this.fail('expected a value');
    this.i += m[0].length;
    return scalar(m[0], this);
  }
}

function scalar(raw: string, cur: Cursor): TomlValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^[+-]?(?:0|[1-9](?:_?[0-9])*)$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*$/.test(raw)) return parseInt(raw.slice(2).replace(/_/g, ''), 16);
  if (/^0o[0-7](?:_?[0-7])*$/.test(raw)) return parseInt(raw.slice(2).replace(/_/g, ''), 8);
  if (/^0b[01](?:_?[01])*$/.test(raw)) return parseInt(raw.slice(2).replace(/_/g, ''), 2);
  if (/^[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/.test(raw)) return Number(raw.replace(/_/g, ''));
  if (/^[+-]?(?:inf|nan)$/.test(raw)) return raw.includes('nan') ? NaN : raw.startsWith('-') ? -Infinity : Infinity;
  throw cur.fail(`unsupported value ${JSON.stringify(raw)}`);
}

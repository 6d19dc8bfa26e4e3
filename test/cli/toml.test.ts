import { describe, expect, it } from 'vitest';
import { parseToml, TomlError } from '../../ts/cli/toml.js';
import { toYaml } from '../../ts/cli/render-value.js';

describe('TOML reader (config files)', () => {
  it('reads strings, numbers, booleans, arrays, inline tables, dotted and quoted keys', () => {
    const doc = parseToml(`
a = "tab\\tquote\\"\\u00e9\\U0001F600" # comment
b = 'C:\\path\\no\\escapes'
c = -1_000
d = 0xff
e = 6.5e-1
f = true
g = [1, [2, 3], "x"]
"quoted key".x = 1
site."a.b" = { n = 1 }
[profiles.lab]
node_id = 42
`);
    expect(doc).toEqual({ a: 'tab\tquote"é\u{1F600}', b: 'C:\\path\\no\\escapes', c: -1000, d: 255, e: 0.65, f: true, g: [1, [2, 3], 'x'], 'quoted key': { x: 1 }, site: { 'a.b': { n: 1 } }, profiles: { lab: { node_id: 42 } } });
  });

  it('names the line of an error', () => {
    const bad = ['a = ', 'a = 1\na = 2', 'a = "x', 'a = [1, 2', '[t\nx=1', 'a = 1 2', 'a = """x"""', 'a = "\\q"', 'a.b = 1\na = 2', '[[arr]]'];
    for (const b of bad) expect(() => parseToml(b), b).toThrow(TomlError);
    expect(() => parseToml('x = 1\ny = nope')).toThrow(/line 2/);
  });
});

describe('YAML writer', () => {
  it('quotes what would not read back as the same string', () => {
    expect(toYaml({ a: 'yes', b: '1.5', c: 'plain text', d: 'x: y', e: '', f: null, g: [[1, 2], []], h: { 'needs quote': 1, 'k:': 2 } })).toBe(
      ['a: "yes"', 'b: "1.5"', 'c: plain text', 'd: "x: y"', 'e: ""', 'f: null', 'g:', '  - - 1', '    - 2', '  - []', 'h:', '  needs quote: 1', '  "k:": 2', ''].join('\n'),
    );
    expect(toYaml([])).toBe('[]\n');
    expect(toYaml(5n)).toBe('5\n');
  });
});

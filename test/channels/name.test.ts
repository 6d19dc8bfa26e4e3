// Channel names and hashes (channels.md §1): the validation table, the `/`-segment prefix rule,
// XXH3-64 as the canonical hash, its low 16 bits as the wire hint, the publisher stream id.
import { describe, expect, it } from 'vitest';
import { ChannelName, channelHash, channelNameProblem, isChannelPrefix, wireChannelHash } from '../../ts/channels/name.js';
import { xxh3_64 } from '../../ts/core/xxh3.js';
import { InvalidArgumentError } from '../../ts/errors.js';

const VALID = ['a', 'sensors/temp', 'a-b_c.d/e0-9', 'svc.replies.', 'svc.replies.prefix', 'x/y/z', '...', 'a/.b', 'z'.repeat(255)];

const INVALID: [string, string, RegExp][] = [
  ['length 0', '', /empty/],
  ['length 256', 'a'.repeat(256), /longer than 255/],
  ['uppercase', 'Sensors', /uppercase/],
  ['uppercase inside', 'sensors/Temp', /uppercase/],
  ['space', 'a b', /disallowed/],
  ['colon', 'a:b', /disallowed/],
  ['non-ASCII', 'caf\u00e9', /disallowed/],
  ['leading slash', '/a', /starts with/],
  ['trailing slash', 'a/', /ends with/],
  ['double slash', 'a//b', /"\/\/"/],
  ['lone slash', '/', /starts with/],
  ['dot segment', 'a/./b', /"\." segment/],
  ['dot-dot segment', 'a/../b', /"\.\." segment/],
  ['leading dot segment', './a', /"\." segment/],
  ['trailing dot-dot segment', 'a/..', /"\.\." segment/],
  ['only a dot', '.', /"\." segment/],
];

describe('channel name validation (§1 table)', () => {
  it.each(VALID)('accepts %j', (n) => {
    expect(channelNameProblem(n)).toBeNull();
    expect(ChannelName.parse(n).name).toBe(n);
  });

  it.each(INVALID)('rejects %s', (_what, n, why) => {
    expect(channelNameProblem(n)).toMatch(why);
    expect(() => ChannelName.parse(n)).toThrow(InvalidArgumentError);
    expect(() => channelHash(n)).toThrow(InvalidArgumentError);
  });

  it('counts segments as depth', () => {
    expect(ChannelName.parse('a').depth).toBe(1);
    expect(ChannelName.parse('a/b/c').depth).toBe(3);
    expect(ChannelName.parse('a.b.c').segments).toEqual(['a.b.c']);
  });
});

describe('prefix rule', () => {
  it.each([
    ['a', 'a', true],
    ['a', 'a/b', true],
    ['a/b', 'a/b/c', true],
    ['a', 'ab', false],
    ['a/b', 'a/bc', false],
    ['a/b', 'a', false],
    ['a.b', 'a.b.c', false],
  ])('%j prefix of %j: %s', (a, b, want) => {
    expect(isChannelPrefix(a, b)).toBe(want);
    expect(ChannelName.parse(a).isPrefixOf(b)).toBe(want);
  });
});

describe('hashes', () => {
  it('the canonical hash is XXH3-64 (seed 0) of the UTF-8 name; the wire hint its low 16 bits', () => {
    for (const n of ['a', 'sensors/temp', 'svc.requests', 'z'.repeat(255)]) {
      const h = xxh3_64(new TextEncoder().encode(n));
      expect(channelHash(n)).toBe(h);
      expect(wireChannelHash(n)).toBe(Number(h & 0xffffn));
      const c = ChannelName.parse(n);
      expect(c.hash).toBe(h);
      expect(c.wireHash).toBe(Number(h & 0xffffn));
      expect(c.streamId).toBe((1n << 48n) | h);
    }
  });

  it('different names hash differently (and the stream id keeps every hash bit)', () => {
    const hs = new Set(['a', 'b', 'a/b', 'a.b'].map(channelHash));
    expect(hs.size).toBe(4);
    const h = channelHash('sensors/temp');
    expect(ChannelName.parse('sensors/temp').streamId & ~(1n << 48n)).toBe(h & ~(1n << 48n));
  });
});

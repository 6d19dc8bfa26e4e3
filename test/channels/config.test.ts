// ChannelConfig and the registry (channels.md §2): defaults, fail-closed tokens, exact-then-
// longest-prefix lookup, hash lookups, visibility, can_publish / can_subscribe and the non-fold
// capability matcher.
import { describe, expect, it } from 'vitest';
import { ChannelRegistry, failsClosed, gate, resolveChannelConfig, tokenRequired } from '../../ts/channels/config.js';
import { capsMatch } from '../../ts/channels/caps-match.js';
import { RevocationRegistry } from '../../ts/channels/revocation.js';
import { visible, isAncestorOrSelf } from '../../ts/channels/visibility.js';
import { lowerCapabilities } from '../../ts/fold/capabilities.js';
import { CapabilityFilter } from '../../ts/fold/query.js';
import { InvalidArgumentError } from '../../ts/errors.js';
import { T0, chainOf, channelHash, ident } from './fixtures.js';
import { TokenScope } from '../../ts/channels/token.js';

const [root, sub] = [ident(1), ident(2)];

describe('config', () => {
  it('defaults: global, no filters, no token', () => {
    const c = resolveChannelConfig('a');
    expect(c).toMatchObject({ visibility: 'global', requireToken: false, priority: 0, reliable: false, hash: channelHash('a'), idName: 'a', prefix: false });
    expect(tokenRequired(c)).toBe(false);
  });

  it('roots imply requireToken; roots alone enforce tokens; token without roots fails closed', () => {
    expect(resolveChannelConfig('a', { tokenRoots: [root.publicKey] }).requireToken).toBe(true);
    expect(tokenRequired(resolveChannelConfig('a', { tokenRoots: [root.publicKey], requireToken: false }))).toBe(true);
    const closed = resolveChannelConfig('a', { requireToken: true });
    expect(failsClosed(closed)).toBe(true);
    const g = { caps: { tags: [], metadata: {} }, entity: sub.publicKey, chain: chainOf([root, sub], 'a', TokenScope.SUBSCRIBE), revocation: new RevocationRegistry(), skewSecs: 0, nowSecs: T0 + 1n };
    expect(gate(closed, 'subscribe', g)).toBe('noRoots');
    const open = resolveChannelConfig('a', { tokenRoots: [root.publicKey] });
    expect(gate(open, 'subscribe', g)).toBeUndefined();
    expect(gate(open, 'publish', g)).toBe('NotAuthorized');
    expect(gate(open, 'subscribe', { ...g, chain: undefined })).toBe('noChain');
  });

  it('validates its fields', () => {
    expect(() => resolveChannelConfig('A')).toThrow(InvalidArgumentError);
    expect(() => resolveChannelConfig('a', { tokenRoots: [new Uint8Array(31)] })).toThrow(/tokenRoots\[0\]/);
    expect(() => resolveChannelConfig('a', { visibility: 'everywhere' as 'global' })).toThrow(InvalidArgumentError);
    expect(() => resolveChannelConfig('a', { publishCaps: { minMemoryGb: -1 } })).toThrow(InvalidArgumentError);
    expect(() => resolveChannelConfig('sensors/', { prefix: true })).toThrow(/channelId/);
    expect(resolveChannelConfig('sensors/', { prefix: true, channelId: 'sensors.prefix' }).hash).toBe(channelHash('sensors.prefix'));
  });
});

describe('registry', () => {
  const r = new ChannelRegistry();
  r.insert(resolveChannelConfig('svc.requests'));
  r.insert(resolveChannelConfig('svc.replies.', { prefix: true, channelId: 'svc.replies.prefix' }));
  r.insert(resolveChannelConfig('svc.', { prefix: true }));
  r.insert(resolveChannelConfig('svc.replies.abc'));

  it('exact name first, else the longest registered byte prefix', () => {
    expect(r.lookup('svc.requests')?.key).toBe('svc.requests');
    expect(r.lookup('svc.replies.abc')?.key).toBe('svc.replies.abc');
    expect(r.lookup('svc.replies.0011')?.key).toBe('svc.replies.');
    expect(r.lookup('svc.replies.0011')?.hash).toBe(channelHash('svc.replies.prefix'));
    expect(r.lookup('svc.other')?.key).toBe('svc.');
    expect(r.lookup('svcx')).toBeUndefined();
  });

  it('looks up by canonical and wire hash, nothing when ambiguous', () => {
    expect(r.lookupByHash(channelHash('svc.requests'))?.key).toBe('svc.requests');
    expect(r.lookupByHash(channelHash('nope'))).toBeUndefined();
    expect(r.lookupByWireHash(Number(channelHash('svc.requests') & 0xffffn))?.key).toBe('svc.requests');
  });
});

describe('visibility', () => {
  const A = 0x0a000000; // level-1 subnet 10
  const AB = 0x0a0b0000; // 10/11
  const C = 0x0c000000;
  it.each([
    ['global', 0, AB, true],
    ['subnet-local', A, A, true],
    ['subnet-local', A, AB, false],
    ['parent-visible', AB, A, true],
    ['parent-visible', AB, 0, true],
    ['parent-visible', AB, AB, true],
    ['parent-visible', A, AB, false],
    ['parent-visible', AB, C, false],
    ['exported', 0, 0, false],
  ] as const)('%s from %i to %i: %s', (v, s, d, want) => {
    expect(visible(s, d, v)).toBe(want);
  });
  it('ancestry follows levels', () => {
    expect(isAncestorOrSelf(0, AB)).toBe(true);
    expect(isAncestorOrSelf(AB, A)).toBe(false);
  });
});

describe('capability filters (non-fold matcher)', () => {
  const caps = lowerCapabilities({
    tags: ['team:red'],
    memoryGb: 64,
    gpu: { vendor: 'nvidia', vramGb: 24 },
    models: [{ id: 'llama', contextLength: 8192, modalities: ['text', 'image'] }],
    tools: [{ id: 'grep' }],
  });
  it.each([
    [{ tags: ['team:red'] }, true],
    [{ tags: ['team:blue'] }, false],
    [{ minMemoryGb: 64 }, true],
    [{ minMemoryGb: 65 }, false],
    [{ requireGpu: true }, true],
    [{ gpuVendor: 'nvidia' }, true],
    [{ gpuVendor: 'amd' }, false],
    [{ minVramGb: 24 }, true],
    [{ minVramGb: 25 }, false],
    [{ model: 'llama' }, true],
    [{ models: ['x', 'llama'] }, true],
    [{ model: 'mistral' }, false],
    [{ tool: 'grep' }, true],
    [{ tool: 'sed' }, false],
    [{ minContextLength: 8192 }, true],
    [{ minContextLength: 8193 }, false],
    [{ requireModalities: ['image'] }, true],
    [{ requireModalities: ['audio'] }, false],
  ])('%j → %s', (q, want) => {
    expect(capsMatch(q as never, caps)).toBe(want);
  });
  it('works with the CapabilityFilter builders and on an empty set', () => {
    expect(capsMatch(new CapabilityFilter().requireTag('team:red').withMinMemory(32), caps)).toBe(true);
    expect(capsMatch(new CapabilityFilter().requireGpu(), { tags: [], metadata: {} })).toBe(false);
    expect(capsMatch({}, { tags: [], metadata: {} })).toBe(true);
  });
});

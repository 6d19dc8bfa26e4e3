// Announcements: the JSON shape and key order, signed bytes, strict signing / verification, decode
// edge cases, forged announcements rejected and counted with the fold unchanged, receive-side
// transforms, shrinking, and the fold export.
import { afterEach, describe, expect, it } from 'vitest';
import { Identity } from '../../ts/identity/index.js';
import { InvalidArgumentError, MalformedPacketError } from '../../ts/errors.js';
import {
  MAX_ANNOUNCEMENT_BYTES,
  announcementSize,
  buildAnnouncement,
  decodeAnnouncement,
  encodeAnnouncement,
  filterHeatTags,
  isAnnouncementExpired,
  parseAnnouncement,
  signAnnouncement,
  signedBytes,
  stripReservedMetadata,
  verifyAnnouncement,
  withHopCount,
  type CapabilityAnnouncement,
} from '../../ts/fold/announcement.js';
import { CapabilityFold, FOLD_EXPORT_MAX_BODY } from '../../ts/fold/capability-fold.js';
import { loweredCapabilities } from '../../ts/fold/capabilities.js';
import {
  decodeFoldExportRequest,
  decodeFoldExportResponse,
  encodeFoldExportRequest,
  encodeFoldExportResponse,
  exportedForReprocessing,
} from '../../ts/fold/export.js';
import { canonicalSocketAddr } from '../../ts/fold/socket-addr.js';

const alice = Identity.fromSeed(new Uint8Array(32).fill(1));
const bob = Identity.fromSeed(new Uint8Array(32).fill(2));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

const folds: CapabilityFold[] = [];
function fold(): CapabilityFold {
  const f = new CapabilityFold({ clock: () => 1_000_000, seed: 3n });
  folds.push(f);
  return f;
}
afterEach(() => {
  while (folds.length) folds.pop()!.dispose();
});

function signed(id: Identity, version: bigint, caps = { tags: ['inference'], memoryGb: 64 }): CapabilityAnnouncement {
  return signAnnouncement(id, caps, { version, timestampNs: 1_700_000_000_000_000_000n, ttlSecs: 300 });
}

describe('JSON shape (fold.md §3.1)', () => {
  it('writes keys in the fixed order, omitting empty optional keys', () => {
    const a = buildAnnouncement(alice, { tags: ['b', 'a'], metadata: { z: '1', a: '2' } }, { version: 7n, timestampNs: 42n, ttlSecs: 300, signed: false });
    expect(encodeAnnouncement(a)).toBe(
      `{"node_id":${alice.nodeId},"entity_id":"${hex(alice.publicKey)}","version":7,"timestamp_ns":42,"ttl_secs":300,` +
        `"capabilities":{"tags":["a","b"],"metadata":{"a":"2","z":"1"}}}`,
    );
    const full = buildAnnouncement(
      alice,
      { tags: ['x'] },
      {
        version: 1n,
        timestampNs: 1n,
        reflexAddr: '[0:0::1]:80',
        allowedNodes: [(1n << 64n) - 1n],
        allowedSubnets: [new Uint8Array(16).fill(1)],
        allowedGroups: [new Uint8Array(32)],
        signed: false,
      },
    );
    const text = encodeAnnouncement(withHopCount(full, 3));
    expect(text).toContain(`"capabilities":{"tags":["x"],"metadata":{}},"hop_count":3,"reflex_addr":"[::1]:80","allowed_nodes":[18446744073709551615],`);
    expect(text).toContain(`"allowed_subnets":[[${Array(16).fill(1).join(',')}]],"allowed_groups":[[${Array(32).fill(0).join(',')}]]}`);
  });

  it('escapes like serde_json and sorts by UTF-8 bytes', () => {
    const a = buildAnnouncement(alice, { tags: ['q"\\/\n\u0001é', '\u{1F600}', '\uE000'] }, { version: 1n, timestampNs: 0n, signed: false });
    const text = encodeAnnouncement(a);
    // U+E000 sorts before U+1F600 in UTF-8 order (the opposite of UTF-16 order).
    expect(text).toContain('"tags":["q\\"\\\\/\\n\\u0001é","\uE000","\u{1F600}"]');
    expect(decodeAnnouncement(text)!.capabilities.tags).toEqual(a.capabilities.tags);
  });

  it('keeps u64 values exact through decode and encode', () => {
    const big = 18446744073709551615n;
    const text = `{"node_id":${big},"entity_id":"${'AB'.repeat(32)}","version":${big},"timestamp_ns":9007199254740993,"ttl_secs":4294967295,"capabilities":{"tags":[],"metadata":{}},"allowed_nodes":[9007199254740993]}`;
    const a = parseAnnouncement(text)!;
    expect([a.nodeId, a.version, a.timestampNs, a.allowedNodes[0]]).toEqual([big, big, 9007199254740993n, 9007199254740993n]);
    expect(a.ttlSecs).toBe(4294967295);
    expect(encodeAnnouncement(a)).toBe(text.replace('AB'.repeat(32), 'ab'.repeat(32)));
  });

  it('ignores unknown keys, defaults missing optional keys, returns null for > 64 allow-list entries', () => {
    const base = `"node_id":1,"entity_id":"${'00'.repeat(32)}","version":1,"timestamp_ns":1,"ttl_secs":1,"capabilities":{"tags":["t","t"],"metadata":{"k":"a","k":"b"}}`;
    const a = parseAnnouncement(`{"future":{"x":[1,2,{"y":null}]},${base},"signature":null}`)!;
    expect(a.hopCount).toBe(0);
    expect(a.signature).toBeUndefined();
    expect(a.capabilities.tags).toEqual(['t']);
    expect(a.capabilities.metadata).toEqual({ k: 'b' });
    expect(parseAnnouncement(`{${base},"allowed_nodes":[${Array(65).fill(1).join(',')}]}`)).toBeNull();
    expect(parseAnnouncement(`{${base},"allowed_groups":[${Array(65).fill(`[${Array(32).fill(0).join(',')}]`).join(',')}]}`)).toBeNull();
    expect(parseAnnouncement(`{${base},"allowed_nodes":[${Array(64).fill(1).join(',')}]}`)!.allowedNodes.length).toBe(64);
  });

  it('rejects malformed input with MalformedPacketError, never crashing', () => {
    const base = `"entity_id":"${'00'.repeat(32)}","version":1,"timestamp_ns":1,"ttl_secs":1,"capabilities":{"tags":[],"metadata":{}}`;
    const bad = [
      '',
      '[]',
      '{',
      `{"node_id":-1,${base}}`,
      `{"node_id":1.0,${base}}`,
      `{"node_id":1e3,${base}}`,
      `{"node_id":18446744073709551616,${base}}`,
      `{"node_id":1,"node_id":2,${base}}`,
      `{${base}}`,
      `{"node_id":1,${base.replace('"tags":[]', '"tags":[""]')}}`,
      `{"node_id":1,${base.replace('"tags":[]', '"tags":[1]')}}`,
      `{"node_id":1,${base},"signature":"00"}`,
      `{"node_id":1,${base},"hop_count":256}`,
      `{"node_id":1,${base},"reflex_addr":"1.2.3:4"}`,
      `{"node_id":1,${base.replace('00'.repeat(32), 'zz'.repeat(32))}}`,
      `{"node_id":1,${base},"x":"\\ud800"}`,
      '['.repeat(100000),
    ];
    for (const b of bad) {
      expect(() => parseAnnouncement(b), b.slice(0, 60)).toThrow(MalformedPacketError);
      expect(decodeAnnouncement(b)).toBeNull();
    }
    expect(decodeAnnouncement(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeNull();
  });

  it('canonicalises socket addresses as Rust prints them', () => {
    expect(canonicalSocketAddr('10.0.0.1:443')).toBe('10.0.0.1:443');
    expect(canonicalSocketAddr('[2001:DB8:0:0:0:0:0:1]:80')).toBe('[2001:db8::1]:80');
    expect(canonicalSocketAddr('[::ffff:1.2.3.4]:1')).toBe('[::ffff:1.2.3.4]:1');
    expect(canonicalSocketAddr('[1:0:0:2:0:0:0:3]:9')).toBe('[1:0:0:2::3]:9');
    expect(canonicalSocketAddr('[1:0:2:3:4:5:6:7]:9')).toBe('[1:0:2:3:4:5:6:7]:9');
    expect(canonicalSocketAddr('[fe80::1%3]:9')).toBe('[fe80::1%3]:9');
    expect(canonicalSocketAddr('[fe80::1%0]:9')).toBe('[fe80::1]:9');
    for (const bad of ['01.2.3.4:5', '1.2.3.4', '1.2.3.4:65536', '[::1]', '[1::2::3]:1', 'host:80', '[1.2.3.4::]:1']) {
      expect(canonicalSocketAddr(bad), bad).toBeUndefined();
    }
  });
});

describe('signing and verification (fold.md §3.2, §4.2)', () => {
  it('signs the JSON without signature and hop_count; forwarding keeps the signature valid', () => {
    const a = signed(alice, 5n);
    expect(a.signature!.length).toBe(64);
    expect(utf8(signedBytes(a))).toBe(encodeAnnouncement({ ...a, signature: undefined } as never));
    expect(utf8(signedBytes(a))).not.toContain('signature');
    expect(verifyAnnouncement(a)).toEqual({ ok: true, signed: true });
    const hopped = decodeAnnouncement(encodeAnnouncement(withHopCount(a, 4)))!;
    expect(hopped.hopCount).toBe(4);
    expect(verifyAnnouncement(hopped)).toEqual({ ok: true, signed: true });
  });

  it('verifiers rebuild the signed bytes from decoded fields (non-canonical input still verifies)', () => {
    const a = signAnnouncement(alice, { tags: ['a'] }, { version: 1n, timestampNs: 5n, reflexAddr: '[::1]:80' });
    const text = encodeAnnouncement(a)
      .replace('"reflex_addr":"[::1]:80"', '"reflex_addr":"[0:0:0:0:0:0:0:1]:80"')
      .replace(hex(alice.publicKey), hex(alice.publicKey).toUpperCase())
      .replace('"tags":["a"]', '"tags":["a","a"]');
    expect(verifyAnnouncement(decodeAnnouncement(text)!).ok).toBe(true);
  });

  it('reports each rejection reason', () => {
    const a = signed(alice, 5n);
    const tampered = decodeAnnouncement(encodeAnnouncement(a).replace('"inference"', '"training"'))!;
    expect(verifyAnnouncement(tampered)).toEqual({ ok: false, reason: 'bad_signature' });
    const otherKey = decodeAnnouncement(encodeAnnouncement(a).replace(hex(alice.publicKey), hex(bob.publicKey)))!;
    expect(verifyAnnouncement(otherKey)).toEqual({ ok: false, reason: 'bad_signature' });
    // Bob signs an announcement claiming Alice's node id: the signature is fine, the id is not.
    const impostor = signAnnouncement({ publicKey: bob.publicKey, nodeId: alice.nodeId, sign: (m) => bob.sign(m) }, { tags: ['x'] }, { version: 9n });
    expect(verifyAnnouncement(impostor)).toEqual({ ok: false, reason: 'node_id_mismatch' });
    const unsignedAnn = buildAnnouncement(alice, { tags: ['x'] }, { signed: false, version: 2n });
    expect(verifyAnnouncement(unsignedAnn)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyAnnouncement(unsignedAnn, { requireSigned: false })).toEqual({ ok: true, signed: false });
    expect(verifyAnnouncement(a, { knownGeneration: 5n })).toEqual({ ok: false, reason: 'stale_generation' });
    expect(verifyAnnouncement(a, { knownGeneration: 4n }).ok).toBe(true);
    // A malleable signature (S + L) is refused by the strict verifier.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sig = Uint8Array.from(a.signature!);
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    s += L;
    for (let i = 32; i < 64; i++) {
      sig[i] = Number(s & 0xffn);
      s >>= 8n;
    }
    expect(verifyAnnouncement({ ...a, signature: sig })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('a fold applies only valid announcements; forged ones are counted and change nothing', () => {
    const f = fold();
    const good = signed(alice, 5n);
    expect(f.applyAnnouncement(good)).toEqual({ outcome: 'inserted' });
    const before = { tags: f.tagsOf(alice.nodeId), gen: f.generation(alice.nodeId), changes: f.changeCounter };

    const forgedTags = decodeAnnouncement(encodeAnnouncement(signed(alice, 6n)).replace('"inference"', '"admin"'))!;
    const impostor = signAnnouncement({ publicKey: bob.publicKey, nodeId: alice.nodeId, sign: (m) => bob.sign(m) }, { tags: ['evil'] }, { version: 7n });
    const unsignedAnn = buildAnnouncement(alice, { tags: ['evil'] }, { signed: false, version: 8n });
    const replay = signed(alice, 4n);
    const sameGen = signed(alice, 5n, { tags: ['other'], memoryGb: 1 });
    expect(f.applyAnnouncement(forgedTags)).toEqual({ outcome: 'rejected', reason: 'bad_signature' });
    expect(f.applyAnnouncement(impostor)).toEqual({ outcome: 'rejected', reason: 'node_id_mismatch' });
    expect(f.applyAnnouncement(unsignedAnn)).toEqual({ outcome: 'rejected', reason: 'unsigned' });
    expect(f.applyAnnouncement(replay)).toEqual({ outcome: 'rejected', reason: 'stale_generation' });
    expect(f.applyAnnouncement(sameGen)).toEqual({ outcome: 'rejected', reason: 'stale_generation' });
    expect(f.applyAnnouncementJson('{"node_id":')).toEqual({ outcome: 'rejected', reason: 'malformed' });

    expect({ tags: f.tagsOf(alice.nodeId), gen: f.generation(alice.nodeId), changes: f.changeCounter }).toEqual(before);
    expect(f.query({ tags: ['admin'] })).toEqual([]);
    expect(f.query({ tags: ['evil'] })).toEqual([]);
    expect(f.size).toBe(1);
    const s = f.stats();
    expect(s.rejectedBy).toEqual({ malformed: 1, unsigned: 1, bad_signature: 1, node_id_mismatch: 1, stale_generation: 2, invalid_generation: 0 });
    expect(s.rejected).toBe(6);

    // Unsigned mode accepts the unsigned one; a newer signed one replaces.
    expect(f.applyAnnouncement(unsignedAnn, { requireSigned: false })).toEqual({ outcome: 'replaced' });
    expect(f.applyAnnouncement(signed(alice, 9n, { tags: ['fresh'], memoryGb: 2 }))).toEqual({ outcome: 'replaced' });
    expect(f.query({ tags: ['fresh'] })).toEqual([alice.nodeId]);
    expect(f.generation(alice.nodeId)).toBe(9n);
  });

  it('applies with expires_at = now + ttl_secs and generation = max(version, 1)', () => {
    const f = fold();
    const a = signAnnouncement(alice, { tags: ['x'] }, { version: 0n, ttlSecs: 30 });
    expect(f.applyAnnouncement(a, { nowMs: 5000 })).toEqual({ outcome: 'inserted' });
    expect(f.generation(alice.nodeId)).toBe(1n);
    expect(f.expiresAt(alice.nodeId)).toBe(35_000);
    expect(f.sweep(35_000)).toEqual([alice.nodeId]);
  });

  it('strips reserved metadata and filters heat tags for received (not self) announcements', () => {
    const caps = loweredCapabilities(
      ['causal:abc:7', 'causal:def[1..5]', 'heat:abc=0.50', 'heat:def=1.00', 'heat:zzz=0.10', 'heat:blob:1=0.2', 'x'],
      { owner: 'o', intent: 'i', priority: 'p', 'colocate-with': 'c', 'tool::t::description': 'd', keep: 'k' },
    );
    const a = signAnnouncement(alice, caps, { version: 3n });
    const f = fold();
    f.applyAnnouncement(a);
    expect(f.tagsOf(alice.nodeId)).toEqual(['causal:abc:7', 'causal:def[1..5]', 'heat:abc=0.50', 'heat:blob:1=0.2', 'heat:def=1.00', 'x']);
    expect(f.metadataOf(alice.nodeId)).toEqual({ keep: 'k', 'tool::t::description': 'd' });
    // The retained announcement is the original (its signature covers the stripped keys).
    expect(verifyAnnouncement(f.announcementOf(alice.nodeId)!).ok).toBe(true);
    const self = fold();
    self.applyAnnouncement(a, { self: true, trusted: true });
    expect(self.tagsOf(alice.nodeId)).toContain('heat:zzz=0.10');
    expect(self.metadataOf(alice.nodeId)!.owner).toBe('o');

    const blobs = Array.from({ length: 300 }, (_, i) => `heat:blob:${String(i).padStart(3, '0')}=0.1`);
    const kept = filterHeatTags(blobs);
    expect(kept.length).toBe(256);
    expect(kept[255]).toBe('heat:blob:255=0.1');
    expect(stripReservedMetadata({ a: '1' })).toEqual({ a: '1' });
  });

  it('expiry of an announcement is inclusive (age ≥ ttl)', () => {
    const a = signed(alice, 1n);
    const t = a.timestampNs;
    expect(isAnnouncementExpired(a, t + 299_999_999_999n)).toBe(false);
    expect(isAnnouncementExpired(a, t + 300_000_000_000n)).toBe(true);
    expect(isAnnouncementExpired(a, t - 5n)).toBe(false);
  });
});

describe('over-size announcements (fold.md §10.2)', () => {
  it('drops blob hints first, then tool schemas (largest first), to fit one packet', () => {
    const hints = Array.from({ length: 16 }, (_, i) => `dataforts.blob.has=${String(i).padStart(2, '0')}${'a'.repeat(62)}`);
    const schema = (n: number): string => JSON.stringify({ pad: 'x'.repeat(n) });
    const caps = {
      tags: ['dataforts.blob.serve', ...hints],
      tools: [
        { id: 'small', inputSchema: schema(1000) },
        { id: 'big', inputSchema: schema(7200), outputSchema: schema(100) },
      ],
    };
    const a = signAnnouncement(alice, caps, { version: 1n });
    expect(announcementSize(a)).toBeLessThanOrEqual(MAX_ANNOUNCEMENT_BYTES - 16);
    expect(a.capabilities.tags.filter((t) => t.startsWith('dataforts.'))).toEqual(['dataforts.blob.serve']);
    expect(a.capabilities.metadata['tool::big::input_schema']).toBeUndefined();
    expect(a.capabilities.metadata['tool::small::input_schema']).toBeDefined();
    expect(a.capabilities.metadata['tool::big::output_schema']).toBeDefined();
    expect(verifyAnnouncement(a).ok).toBe(true);
    // Only some hints need to go when that is enough.
    const some = signAnnouncement(alice, { tags: hints, metadata: { pad: 'p'.repeat(7000) } }, { version: 1n });
    const left = some.capabilities.tags.length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(16);
    expect(() => signAnnouncement(alice, { metadata: { pad: 'p'.repeat(9000) } })).toThrow(InvalidArgumentError);
  });
});

describe('fold export (fold.md §10.7)', () => {
  it('exports retained, unexpired, signed announcements of matching origins in id order', () => {
    const f = fold();
    const ids = [alice, bob, Identity.fromSeed(new Uint8Array(32).fill(3))];
    for (const id of ids) f.applyAnnouncement(signAnnouncement(id, { tags: ['svc'], region: 'eu' }, { version: 2n, ttlSecs: 10 }), { nowMs: 0 });
    f.insert(1n, { tags: ['svc'] });
    f.applyAnnouncement(buildAnnouncement(Identity.fromSeed(new Uint8Array(32).fill(4)), { tags: ['svc'] }, { signed: false }), { requireSigned: false, nowMs: 0 });
    const sorted = [...ids].sort((x, y) => (x.nodeId < y.nodeId ? -1 : 1));
    const out = f.exportAnnouncements({}, 5000);
    expect(out.map((j) => decodeAnnouncement(j)!.nodeId)).toEqual(sorted.map((x) => x.nodeId));
    expect(out.every((j) => verifyAnnouncement(decodeAnnouncement(j)!).ok)).toBe(true);
    expect(f.exportAnnouncements({ limit: 1 }, 5000).length).toBe(1);
    expect(f.exportAnnouncements({ nodes: [bob.nodeId, 1n] }, 5000).map((j) => decodeAnnouncement(j)!.nodeId)).toEqual([bob.nodeId]);
    expect(f.exportAnnouncements({ tagPrefix: 'scope:region:' }, 5000).length).toBe(3);
    expect(f.exportAnnouncements({ tagPrefix: 'nope' }, 5000)).toEqual([]);
    // Expired by the fold's clock (received at 0 with a 10 s TTL).
    expect(f.exportAnnouncements({}, 10_000)).toEqual([]);
  });

  it('truncates to the 4 MiB body limit', () => {
    const f = fold();
    const pad = 'p'.repeat(7000);
    // Export does not re-verify what the fold retained, so a placeholder signature keeps this fast.
    for (let i = 0; i < 700; i++) {
      const signer = { publicKey: new Uint8Array(32), nodeId: BigInt(i), sign: () => new Uint8Array(64).fill(7) };
      f.applyAnnouncement(signAnnouncement(signer, { metadata: { pad } }, { version: 1n }), { nowMs: 0, trusted: true });
    }
    const out = f.exportAnnouncements({ limit: 4096 }, 1);
    const body = encodeFoldExportResponse(out);
    expect(out.length).toBeGreaterThan(500);
    expect(out.length).toBeLessThan(700);
    expect(body.length).toBeLessThanOrEqual(FOLD_EXPORT_MAX_BODY);
    expect(decodeFoldExportResponse(body)).toEqual(out);
  });

  it('request/response codecs and reprocessing (hop_count + 1)', () => {
    const req = { nodes: [(1n << 64n) - 1n, 5n], tagPrefix: 'a"b', limit: 10 };
    expect(decodeFoldExportRequest(encodeFoldExportRequest(req))).toEqual(req);
    expect(decodeFoldExportRequest('{"other":1}')).toEqual({});
    expect(() => decodeFoldExportRequest('{"nodes":[-1]}')).toThrow(MalformedPacketError);
    expect(() => decodeFoldExportResponse('{"announcements":[1]}')).toThrow(MalformedPacketError);
    const a = signed(alice, 3n);
    const again = exportedForReprocessing(encodeAnnouncement(withHopCount(a, 2)))!;
    expect(again.hopCount).toBe(3);
    expect(verifyAnnouncement(again).ok).toBe(true);
    expect(exportedForReprocessing('nope')).toBeNull();
  });
});

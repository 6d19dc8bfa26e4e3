// Net v0.27's capability-announcement vectors (ai-2070/net, test/vectors/net-v0.27/README.md)
// through the public API: the JSON shape (fold.md §3.1), signing (§3.2) and verification, and
// the identity derivations behind them (§1, wire.md §10).
import { beforeAll, describe, expect, it } from 'vitest';
import { Identity, initCore, nodeIdFromPublicKey } from '../../ts/index.js';
// The announcement codec and the Noise key helper are internal (sdk.md names neither): checked at
// their modules.
import {
  encodeAnnouncement,
  encodeAnnouncementBytes,
  parseAnnouncement,
  signAnnouncement,
  signedBytes,
  verifyAnnouncement,
  type CapabilityAnnouncement,
} from '../../ts/fold/announcement.js';
import { generateNoiseKeypair } from '../../ts/session/noise.js';
import { hex, loadFixture, unhex, utf8 } from './net-v0.27-fixtures.js';

beforeAll(async () => {
  await initCore();
});

/** The fields a decoded announcement must have, from a fixture's `json` object. */
function expectedFields(j: any): Partial<CapabilityAnnouncement> {
  return {
    nodeId: BigInt(j.node_id),
    entityId: unhex(j.entity_id),
    version: BigInt(j.version),
    timestampNs: BigInt(j.timestamp_ns),
    ttlSecs: j.ttl_secs,
    capabilities: { tags: j.capabilities.tags, metadata: j.capabilities.metadata },
    hopCount: 0,
    allowedNodes: [],
    allowedSubnets: [],
    allowedGroups: [],
  };
}

describe('leaf_test_vectors/capability_announcement.json (unsigned, no optional fields)', () => {
  const v = loadFixture('leaf_test_vectors/capability_announcement.json');

  it('decodes to exactly the fixture fields', () => {
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(a).toMatchObject(expectedFields(v.json));
    expect(a.nodeId).toBe(11651590505119483656n);
    expect(a.signature).toBeUndefined();
    expect(a.reflexAddr).toBeUndefined();
    expect(parseAnnouncement(utf8(v.bytes_utf8))).toEqual(a);
  });

  it('re-encodes to exactly the fixture bytes; unsigned and hop 0, the signed bytes are the same', () => {
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(encodeAnnouncement(a)).toBe(v.bytes_utf8);
    expect(hex(encodeAnnouncementBytes(a))).toBe(hex(utf8(v.bytes_utf8)));
    expect(hex(signedBytes(a))).toBe(hex(utf8(v.bytes_utf8)));
  });

  it('is refused where signatures are required, and its node id is not derived from its key', () => {
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(verifyAnnouncement(a)).toEqual({ ok: false, reason: 'unsigned' });
    // The fixture's entity id (32 × 0x11) is a placeholder, not the key of node 11651590505119483656.
    expect(nodeIdFromPublicKey(a.entityId)).not.toBe(a.nodeId);
    expect(verifyAnnouncement(a, { requireSigned: false })).toEqual({ ok: false, reason: 'node_id_mismatch' });
  });
});

describe('cross_lang_wire/capability_announcement_rtc.json (later fields our format does not have)', () => {
  const v = loadFixture('cross_lang_wire/capability_announcement_rtc.json');
  const base = loadFixture('leaf_test_vectors/capability_announcement.json');

  it('decoding ignores noise_pubkey, rtc_bootstrap and rtc_addr (fold.md §3.1: unknown keys are ignored)', () => {
    expect(Object.keys(v.json)).toEqual([...Object.keys(base.json), 'noise_pubkey', 'rtc_bootstrap', 'rtc_addr']);
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(a).toEqual(parseAnnouncement(base.bytes_utf8));
    expect(encodeAnnouncement(a)).toBe(base.bytes_utf8);
  });
});

describe('cross_lang_wire/capability_announcement_leaf.json (signed, by a deterministic identity)', () => {
  const v = loadFixture('cross_lang_wire/capability_announcement_leaf.json');
  const seed = unhex(v.identity.entity_secret_hex);
  // What the signature covers: the announcement bytes without the signature (fold.md §3.2). This
  // later fixture also carries noise_pubkey, which is part of its signed transcript.
  const transcript = (v.bytes_utf8 as string).replace(`,"signature":"${v.json.signature}"`, '');

  it('the identity of 32 × 0x21 has the fixture public key and node id (keyed BLAKE2s, fold.md §1)', () => {
    const id = Identity.fromSeed(seed);
    expect(hex(id.publicKey)).toBe(v.json.entity_id);
    expect(id.nodeId).toBe(BigInt(v.identity.node_id));
    expect(id.nodeId).toBe(7280147638150590671n);
    expect(nodeIdFromPublicKey(unhex(v.json.entity_id))).toBe(BigInt(v.json.node_id));
  });

  it('the X25519 secret of 32 × 0x22 has the fixture noise public key', () => {
    const kp = generateNoiseKeypair(() => unhex(v.identity.noise_secret_hex));
    expect(Array.from(kp.publicKey)).toEqual(v.json.noise_pubkey.map(Number));
  });

  it('Identity.sign over the transcript reproduces the fixture signature, and it verifies strictly', () => {
    expect(transcript.length).toBe(v.bytes_utf8.length - `,"signature":""`.length - 128);
    const id = Identity.fromSeed(seed);
    expect(hex(id.sign(utf8(transcript)))).toBe(v.json.signature);
    expect(Identity.verify(id.publicKey, utf8(transcript), unhex(v.json.signature))).toBe(true);
  });

  it('decodes to exactly the fixture fields our format has', () => {
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(a).toMatchObject({ ...expectedFields(v.json), signature: unhex(v.json.signature) });
    expect(a.capabilities.tags).toEqual(['leaf', 'stage5.browser', 'transport:rtc']);
  });

  it('a v0.27 verifier rejects it: its signature covers noise_pubkey, which re-serialising drops (fold.md §3.2)', () => {
    const a = parseAnnouncement(v.bytes_utf8)!;
    expect(verifyAnnouncement(a)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('our announcement for the same identity and fields is the fixture minus noise_pubkey, and verifies', () => {
    const id = Identity.fromSeed(seed);
    const ours = signAnnouncement(id, { tags: v.json.capabilities.tags, metadata: {} }, { version: BigInt(v.json.version), timestampNs: BigInt(v.json.timestamp_ns), ttlSecs: v.json.ttl_secs });
    const noiseKey = /,"noise_pubkey":\[[0-9,]*\]/;
    expect(transcript).toMatch(noiseKey);
    const withoutNoise = transcript.replace(noiseKey, '');
    expect(hex(signedBytes(ours))).toBe(hex(utf8(withoutNoise)));
    expect(encodeAnnouncement(ours)).toBe(withoutNoise.replace(/}$/, `,"signature":"${hex(ours.signature!)}"}`));
    expect(hex(ours.signature!)).toBe(hex(id.sign(utf8(withoutNoise))));
    expect(verifyAnnouncement(parseAnnouncement(encodeAnnouncement(ours))!)).toEqual({ ok: true, signed: true });
  });
});

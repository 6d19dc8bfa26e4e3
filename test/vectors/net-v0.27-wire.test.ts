// Net v0.27's own wire vectors (ai-2070/net, test/vectors/net-v0.27/README.md) through the public
// API: the 68-byte header and its AAD (wire.md §2–§4), event framing (§5), the packet AEAD (§12),
// and the stream control payloads (§8, streams.md).
import { beforeAll, describe, expect, it } from 'vitest';
import { ChaCha20Poly1305, decodeHeader, encodeHeader, initCore, MalformedPacketError, AuthenticationError } from '../../ts/core/index.js';
// Header helpers and framing beyond encode/decode are internal (sdk.md names only those two).
import { AAD_SIZE, buildAad, HEADER_SIZE, headerCounter, makeHeader, PacketFlags, readCounter } from '../../ts/core/header.js';
import { frameEvents, unframeEvents } from '../../ts/core/frames.js';
// The control-frame codec is not on the public surface (sdk.md names none); it is the codec the
// node uses for 0x0B00/0x0B01/0x0B02, so its vectors are checked at that module.
import { decodeStreamNack, decodeStreamReset, decodeStreamWindow, encodeStreamNack, encodeStreamReset, encodeStreamWindow, nackMissing } from '../../ts/streams/control-frames.js';
import { fromUtf8, hex, loadFixture, unhex, utf8 } from './net-v0.27-fixtures.js';

beforeAll(async () => {
  await initCore();
});

describe('cross_lang_wire/net_header.json (NetHeader, 68 bytes)', () => {
  const v = loadFixture('cross_lang_wire/net_header.json');
  const bytes = unhex(v.hex);
  // Fields the fixture does not name are zero on the wire (its hex shows it).
  const zero = { priority: 0, hopTtl: 0, hopCount: 0, fragFlags: 0, subprotocolId: 0, channelHash: 0, originHash: 0n, subnetId: 0, fragmentId: 0, fragmentOffset: 0 };
  const fields = {
    ...zero,
    magic: 0x4e45,
    version: 1,
    flags: PacketFlags.RELIABLE,
    nonce: unhex(v.fields.nonce_hex),
    sessionId: BigInt(v.fields.session_id),
    streamId: BigInt(v.fields.stream_id),
    sequence: BigInt(v.fields.sequence),
    payloadLen: v.fields.payload_len,
    eventCount: v.fields.event_count,
  };

  it('has the fields this test reads', () => {
    expect(Object.keys(v.fields).sort()).toEqual(['event_count', 'flags', 'nonce_hex', 'payload_len', 'sequence', 'session_id', 'stream_id']);
    expect(v.fields.flags).toBe('RELIABLE');
    expect(bytes.length).toBe(HEADER_SIZE);
  });

  it('decodes to exactly the fixture fields', () => {
    expect(decodeHeader(bytes)).toEqual(fields);
  });

  it('encodes the fixture fields to exactly its bytes', () => {
    expect(hex(encodeHeader(fields))).toBe(v.hex);
    // Omitted fields default to magic/version and zeros, as a sender writes them (wire.md §2).
    const { nonce, sessionId, streamId, sequence, flags, payloadLen, eventCount } = fields;
    expect(hex(encodeHeader({ nonce, sessionId, streamId, sequence, flags, payloadLen, eventCount }))).toBe(v.hex);
    expect(hex(encodeHeader(makeHeader({ nonce, sessionId, streamId, sequence, flags, payloadLen, eventCount })))).toBe(v.hex);
  });

  it('carries the nonce as prefix ‖ u64 LE counter at bytes 12..24', () => {
    expect(readCounter(bytes)).toBe(7n);
    expect(headerCounter(decodeHeader(bytes))).toBe(7n);
    expect(hex(bytes.subarray(12, 16))).toBe('deadbeef');
  });

  it('AAD: bytes 0..12 ‖ 24..68 with hop_count forced to 0 (wire.md §4)', () => {
    const aad = buildAad(bytes);
    expect(aad.length).toBe(AAD_SIZE);
    expect(hex(aad)).toBe(v.hex.slice(0, 24) + v.hex.slice(48));
    // hop_count and the nonce are outside the AAD; every other header byte is inside it.
    for (let i = 0; i < HEADER_SIZE; i++) {
      const t = Uint8Array.from(bytes);
      t[i] = t[i]! ^ 0x40;
      const excluded = i === 6 || (i >= 12 && i < 24);
      expect(hex(buildAad(t)) === hex(aad), `byte ${i}`).toBe(excluded);
    }
  });

  it('receivers drop what wire.md §2 says they drop, and nothing else', () => {
    const bad = (patch: (b: Uint8Array) => void, len = HEADER_SIZE): Uint8Array => {
      const b = Uint8Array.from(bytes.subarray(0, len));
      patch(b);
      return b;
    };
    expect(() => decodeHeader(bytes.subarray(0, 67))).toThrow(MalformedPacketError);
    expect(() => decodeHeader(bad((b) => (b[0] = 0x46)))).toThrow(MalformedPacketError);
    expect(() => decodeHeader(bad((b) => (b[2] = 2)))).toThrow(MalformedPacketError);
    expect(() => decodeHeader(bad((b) => new DataView(b.buffer).setUint16(64, 8109, true)))).toThrow(MalformedPacketError);
    expect(() => decodeHeader(bad((b) => new DataView(b.buffer).setUint16(66, 2028, true)))).toThrow(MalformedPacketError);
    // Limits themselves pass; unknown flag bits and non-zero reserved fields are not rejected.
    expect(decodeHeader(bad((b) => new DataView(b.buffer).setUint16(64, 8108, true))).payloadLen).toBe(8108);
    expect(decodeHeader(bad((b) => new DataView(b.buffer).setUint16(66, 2027, true))).eventCount).toBe(2027);
    const odd = decodeHeader(bad((b) => ((b[3] = 0xc1), (b[4] = 7), (b[5] = 9), (b[56] = 1), (b[60] = 2))));
    expect([odd.flags, odd.priority, odd.hopTtl, odd.subnetId, odd.fragmentId]).toEqual([0xc1, 7, 9, 1, 2]);
  });
});

describe('cross_lang_wire/event_frame.json (EventFrame)', () => {
  const v = loadFixture('cross_lang_wire/event_frame.json');
  const events = (v.events_utf8 as string[]).map(utf8);

  it('frames the fixture events to exactly its bytes', () => {
    expect(events).toHaveLength(2);
    expect(hex(frameEvents(events))).toBe(v.hex);
  });

  it('reads the fixture bytes back to the fixture events', () => {
    expect(unframeEvents(unhex(v.hex), 2).map(fromUtf8)).toEqual(v.events_utf8);
  });

  it('reads at most event_count frames and stops quietly at a truncated frame (wire.md §5)', () => {
    const bytes = unhex(v.hex);
    expect(unframeEvents(bytes, 1).map(fromUtf8)).toEqual([v.events_utf8[0]]);
    expect(unframeEvents(bytes.subarray(0, bytes.length - 1), 2).map(fromUtf8)).toEqual([v.events_utf8[0]]);
    expect(unframeEvents(bytes, 3).map(fromUtf8)).toEqual(v.events_utf8);
  });
});

describe('wire_test_vectors/aead_vector.json (packet AEAD, RFC 8439)', () => {
  const v = loadFixture('wire_test_vectors/aead_vector.json');

  it('seals to exactly ciphertext ‖ tag and opens back', () => {
    const aead = new ChaCha20Poly1305(unhex(v.key_hex));
    try {
      const pt = utf8(v.plaintext_utf8);
      const sealed = aead.seal(unhex(v.nonce_hex), pt, unhex(v.aad_hex));
      expect(hex(sealed)).toBe(v.ciphertext_and_tag_hex);
      expect(fromUtf8(aead.open(unhex(v.nonce_hex), unhex(v.ciphertext_and_tag_hex), unhex(v.aad_hex)))).toBe(v.plaintext_utf8);
      const aad = unhex(v.aad_hex);
      aad[0] = aad[0]! ^ 1;
      expect(() => aead.open(unhex(v.nonce_hex), sealed, aad)).toThrow(AuthenticationError);
    } finally {
      aead.dispose();
    }
  });
});

describe('cross_lang_wire/stream_window.json (StreamWindow, subprotocol 0x0B00)', () => {
  const v = loadFixture('cross_lang_wire/stream_window.json');
  const frame = { streamId: BigInt(v.fields.stream_id), totalConsumed: BigInt(v.fields.total_consumed), ackSeq: BigInt(v.fields.ack_seq) };

  it('encodes and decodes exactly', () => {
    expect(frame).toEqual({ streamId: 0x00ff00ff00ff00ffn, totalConsumed: 123456n, ackSeq: 99n });
    expect(hex(encodeStreamWindow(frame))).toBe(v.hex);
    expect(decodeStreamWindow(unhex(v.hex))).toEqual(frame);
  });

  it('ignores a frame whose length is not exactly 24 bytes', () => {
    const b = unhex(v.hex);
    expect(decodeStreamWindow(b.subarray(0, 23))).toBeNull();
    expect(decodeStreamWindow(Uint8Array.of(...b, 0))).toBeNull();
  });
});

describe('leaf_test_vectors/nack_payload.json (NackPayload: bytes 8..24 of StreamNack 0x0B01)', () => {
  const v = loadFixture('leaf_test_vectors/nack_payload.json');
  const nextExpected = BigInt(v.fields.next_expected);
  const missingBitmap = BigInt(v.fields.missing_bitmap);
  const streamId = 0x1122334455667788n;

  it('the NACK frame is stream_id ‖ the fixture payload', () => {
    const frame = encodeStreamNack({ streamId, nextExpected, missingBitmap });
    expect(hex(frame)).toBe('8877665544332211' + v.hex);
    expect(decodeStreamNack(Uint8Array.of(...frame.subarray(0, 8), ...unhex(v.hex)))).toEqual({ streamId, nextExpected, missingBitmap });
    expect(decodeStreamNack(unhex(v.hex))).toBeNull(); // the 16-byte payload alone is not a frame
  });

  it('names next_expected and next_expected + 1 + i for each set bit i as missing', () => {
    expect(missingBitmap).toBe(0b1011n);
    expect(nackMissing({ streamId, nextExpected, missingBitmap })).toEqual([nextExpected, nextExpected + 1n, nextExpected + 2n, nextExpected + 4n]);
  });

  it('StreamReset (0x0B02) is the stream id alone, 8 bytes (no Net fixture exists; wire.md §8)', () => {
    expect(hex(encodeStreamReset(streamId))).toBe('8877665544332211');
    expect(decodeStreamReset(unhex('8877665544332211'))).toBe(streamId);
    expect(decodeStreamReset(unhex('887766554433221100'))).toBeNull();
  });
});

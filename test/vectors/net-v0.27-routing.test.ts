// Net v0.27's routing-header vector (ai-2070/net, test/vectors/net-v0.27/README.md), wire.md §7,
// against net-mesh/core's encodeRoutingHeader / decodeRoutingHeader / ROUTING_HEADER_SIZE.
import { describe, expect, it } from 'vitest';
import { decodeRoutingHeader, encodeRoutingHeader, MalformedPacketError, ROUTING_HEADER_SIZE } from '../../ts/core/index.js';
import { hex, loadFixture, unhex } from './net-v0.27-fixtures.js';

describe('cross_lang_wire/routing_header.json (RoutingHeader, 18 bytes)', () => {
  const v = loadFixture('cross_lang_wire/routing_header.json');
  const fields = { ttl: v.fields.ttl, hopCount: v.fields.hop_count, flags: 0, srcId: Number(BigInt(v.fields.src_id)), destId: BigInt(v.fields.dest_id) };

  it('has the fields this test reads', () => {
    expect(Object.keys(v.fields).sort()).toEqual(['dest_id', 'flags', 'hop_count', 'src_id', 'ttl']);
    expect(v.fields.flags).toBe('NONE');
    expect(ROUTING_HEADER_SIZE).toBe(18);
  });

  it('encodes to exactly the fixture bytes and decodes back', () => {
    expect(fields).toEqual({ ttl: 16, hopCount: 0, flags: 0, srcId: 0x12345678, destId: 0xaabbccddeeff0011n });
    expect(hex(encodeRoutingHeader(fields))).toBe(v.hex);
    expect(decodeRoutingHeader(unhex(v.hex))).toEqual(fields);
  });

  it('reads only the first 18 bytes of a routed datagram, masks flags with 0x0F, refuses a bad magic or a short input', () => {
    const routed = Uint8Array.of(...unhex(v.hex), 0x45, 0x4e, 1, 0);
    expect(decodeRoutingHeader(routed)).toEqual(fields);
    const flagged = unhex(v.hex);
    flagged[4] = 0xf5;
    expect(decodeRoutingHeader(flagged).flags).toBe(0x05);
    expect(() => decodeRoutingHeader(unhex(v.hex).subarray(0, 17))).toThrow(MalformedPacketError);
    const bad = unhex(v.hex);
    bad[0] = 0x45;
    expect(() => decodeRoutingHeader(bad)).toThrow(MalformedPacketError);
  });
});

// Membership wire on 0x0A00 (channels.md §6): exact layouts, and every decode rule.
import { describe, expect, it } from 'vitest';
import { decodeMembership, encodeAck, encodeSubscribe, encodeUnsubscribe } from '../../ts/channels/membership-wire.js';
import { InvalidArgumentError, MalformedPacketError } from '../../ts/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const N = 0x0102030405060708n;

describe('encoders', () => {
  it('Subscribe without a token writes token_len 00 00 and no queue-group field', () => {
    expect(hex(encodeSubscribe({ nonce: N, channel: 'a/b' }))).toBe('00' + '0807060504030201' + '03' + '612f62' + '0000');
  });

  it('Subscribe with a token and a queue group', () => {
    const b = encodeSubscribe({ nonce: N, channel: 'x', token: new Uint8Array([9, 8, 7]), queueGroup: 'g1' });
    expect(hex(b)).toBe('00' + '0807060504030201' + '01' + '78' + '0300' + '090807' + '02' + '6731');
  });

  it('Unsubscribe and Ack', () => {
    expect(hex(encodeUnsubscribe({ nonce: N, channel: 'ab' }))).toBe('01' + '0807060504030201' + '02' + '6162');
    expect(hex(encodeAck({ nonce: N, accepted: false, reason: 3 }))).toBe('02' + '0807060504030201' + '00' + '03');
  });

  it('refuses invalid names, an empty queue group and unknown reasons', () => {
    expect(() => encodeSubscribe({ nonce: 1n, channel: 'A' })).toThrow(InvalidArgumentError);
    expect(() => encodeSubscribe({ nonce: 1n, channel: 'a', queueGroup: '' })).toThrow(InvalidArgumentError);
    expect(() => encodeAck({ nonce: 1n, accepted: false, reason: 5 })).toThrow(InvalidArgumentError);
  });
});

describe('decoder', () => {
  it('round-trips all three messages', () => {
    expect(decodeMembership(encodeSubscribe({ nonce: N, channel: 'a/b', token: new Uint8Array([1, 2]), queueGroup: 'wörk' }))).toEqual({
      kind: 'subscribe',
      nonce: N,
      channel: 'a/b',
      token: new Uint8Array([1, 2]),
      queueGroup: 'wörk',
    });
    expect(decodeMembership(encodeUnsubscribe({ nonce: N, channel: 'a' }))).toEqual({ kind: 'unsubscribe', nonce: N, channel: 'a' });
    expect(decodeMembership(encodeAck({ nonce: N, accepted: true, reason: 0 }))).toEqual({ kind: 'ack', nonce: N, accepted: true, reason: 0 });
  });

  const sub = (tail: number[]): Uint8Array => new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, ...tail]);

  it('Subscribe: zero bytes after the name, token_len 0, and qg_len 0 all mean "none"', () => {
    expect(decodeMembership(sub([]))).toMatchObject({ token: undefined, queueGroup: undefined });
    expect(decodeMembership(sub([0, 0]))).toMatchObject({ token: undefined, queueGroup: undefined });
    expect(decodeMembership(sub([0, 0, 0]))).toMatchObject({ token: undefined, queueGroup: undefined });
  });

  it.each([
    ['shorter than tag + nonce', new Uint8Array([0, 1, 2])],
    ['unknown tag', new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['name_len 0', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    ['truncated name', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0x61])],
    ['invalid name (uppercase)', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x41])],
    ['invalid name (//)', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0x61, 0x2f, 0x2f, 0x62])],
    ['Subscribe: exactly one byte after the name', sub([0])],
    ['Subscribe: token bytes truncated', sub([3, 0, 1, 2])],
    ['Subscribe: queue group truncated', sub([0, 0, 3, 0x61])],
    ['Subscribe: queue group not UTF-8', sub([0, 0, 1, 0xff])],
    ['Subscribe: trailing byte', sub([0, 0, 1, 0x61, 0])],
    ['Unsubscribe: trailing byte', new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0])],
    ['Ack: truncated', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 1])],
    ['Ack: trailing byte', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])],
    ['Ack: accepted 2', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0])],
    ['Ack: unknown reason 5', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])],
  ])('%s → MalformedPacketError', (_w, b) => {
    expect(() => decodeMembership(b)).toThrow(MalformedPacketError);
    try {
      decodeMembership(b);
    } catch (e) {
      expect((e as MalformedPacketError).code).toBe('MALFORMED_MEMBERSHIP');
    }
  });
});

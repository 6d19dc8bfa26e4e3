// Membership messages on subprotocol 0x0A00 (channels.md §6), one per packet:
//   Subscribe   00 · nonce u64 · name_len u8 · name · token_len u16 · token · [qg_len u8 · qg]
//   Unsubscribe 01 · nonce u64 · name_len u8 · name
//   Ack         02 · nonce u64 · accepted u8 · reason u8
// Decoders apply every rule of §6 and throw MalformedPacketError (code MALFORMED_MEMBERSHIP).
import { InvalidArgumentError, MalformedPacketError, type MembershipRejectReason } from '../errors.js';
import { requireU64 } from '../identity/bytes.js';
import { channelNameProblem, requireChannelName } from './name.js';

export const MEMBERSHIP_SUBPROTOCOL = 0x0a00;
const TAG_SUBSCRIBE = 0;
const TAG_UNSUBSCRIBE = 1;
const TAG_ACK = 2;

export const AckReason = Object.freeze({ OK: 0, Unauthorized: 1, UnknownChannel: 2, RateLimited: 3, TooManyChannels: 4 });
const REASON_NAMES: readonly (MembershipRejectReason | 'OK')[] = ['OK', 'Unauthorized', 'UnknownChannel', 'RateLimited', 'TooManyChannels'];

export function reasonName(code: number): MembershipRejectReason | 'OK' | undefined {
  return REASON_NAMES[code];
}

export type MembershipMessage =
  | { kind: 'subscribe'; nonce: bigint; channel: string; token: Uint8Array | undefined; queueGroup: string | undefined }
  | { kind: 'unsubscribe'; nonce: bigint; channel: string }
  | { kind: 'ack'; nonce: bigint; accepted: boolean; reason: number };

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function bad(why: string): never {
  throw new MalformedPacketError(`membership message: ${why}`, 'MALFORMED_MEMBERSHIP');
}

function header(tag: number, nonce: bigint, extra: number): { out: Uint8Array; dv: DataView } {
  const out = new Uint8Array(9 + extra);
  const dv = new DataView(out.buffer);
  out[0] = tag;
  dv.setBigUint64(1, requireU64(nonce, 'nonce'), true);
  return { out, dv };
}

export function encodeSubscribe(m: { nonce: bigint; channel: string; token?: Uint8Array; queueGroup?: string }): Uint8Array {
  const name = utf8.encode(requireChannelName(m.channel, 'channel'));
  const token = m.token ?? new Uint8Array(0);
  if (!(token instanceof Uint8Array) || token.length > 0xffff) throw new InvalidArgumentError('token must be a Uint8Array of at most 65535 bytes');
  let qg: Uint8Array | undefined;
  if (m.queueGroup !== undefined) {
    qg = utf8.encode(m.queueGroup);
    // Joining a group is never written as qg_len 0: pre-queue-group decoders reject the byte.
    if (qg.length < 1 || qg.length > 255) throw new InvalidArgumentError(`queueGroup must be 1–255 UTF-8 bytes, got ${qg.length}`);
  }
  const { out, dv } = header(TAG_SUBSCRIBE, m.nonce, 1 + name.length + 2 + token.length + (qg ? 1 + qg.length : 0));
  let p = 9;
  out[p++] = name.length;
  out.set(name, p);
  p += name.length;
  dv.setUint16(p, token.length, true);
  p += 2;
  out.set(token, p);
  p += token.length;
  if (qg) {
    out[p++] = qg.length;
    out.set(qg, p);
  }
  return out;
}

export function encodeUnsubscribe(m: { nonce: bigint; channel: string }): Uint8Array {
  const name = utf8.encode(requireChannelName(m.channel, 'channel'));
  const { out } = header(TAG_UNSUBSCRIBE, m.nonce, 1 + name.length);
  out[9] = name.length;
  out.set(name, 10);
  return out;
}

export function encodeAck(m: { nonce: bigint; accepted: boolean; reason: number }): Uint8Array {
  if (reasonName(m.reason) === undefined) throw new InvalidArgumentError(`unknown ack reason ${m.reason}`);
  const { out } = header(TAG_ACK, m.nonce, 2);
  out[9] = m.accepted ? 1 : 0;
  out[10] = m.reason;
  return out;
}

/** name_len u8 (1–255) · name (a valid channel name); returns the name and the offset after it. */
function readName(b: Uint8Array, at: number): [string, number] {
  if (at >= b.length) bad('truncated before the name length');
  const len = b[at]!;
  if (len === 0) bad('empty channel name');
  if (at + 1 + len > b.length) bad('truncated channel name');
  let name = '';
  for (let i = at + 1; i < at + 1 + len; i++) name += String.fromCharCode(b[i]!);
  const problem = channelNameProblem(name);
  if (problem !== null) bad(`channel name ${problem}`);
  return [name, at + 1 + len];
}

export function decodeMembership(b: Uint8Array): MembershipMessage {
  if (!(b instanceof Uint8Array)) throw new InvalidArgumentError('decodeMembership takes a Uint8Array');
  if (b.length < 9) bad(`${b.length} bytes is shorter than tag and nonce`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nonce = dv.getBigUint64(1, true);
  switch (b[0]) {
    case TAG_SUBSCRIBE: {
      const [channel, p0] = readName(b, 9);
      let p = p0;
      let token: Uint8Array | undefined;
      let queueGroup: string | undefined;
      if (p === b.length) return { kind: 'subscribe', nonce, channel, token, queueGroup }; // no token field at all
      if (p + 2 > b.length) bad('a single byte where the token length belongs');
      const tlen = dv.getUint16(p, true);
      p += 2;
      if (p + tlen > b.length) bad('token bytes truncated');
      if (tlen > 0) token = b.slice(p, p + tlen);
      p += tlen;
      if (p < b.length) {
        const qlen = b[p++]!;
        if (p + qlen > b.length) bad('queue-group name truncated');
        if (qlen > 0) {
          try {
            queueGroup = strictUtf8.decode(b.subarray(p, p + qlen));
          } catch {
            bad('queue-group name is not UTF-8');
          }
        }
        p += qlen;
      }
      if (p !== b.length) bad('trailing bytes after the queue group');
      return { kind: 'subscribe', nonce, channel, token, queueGroup };
    }
    case TAG_UNSUBSCRIBE: {
      const [channel, p] = readName(b, 9);
      if (p !== b.length) bad('trailing bytes after the channel name');
      return { kind: 'unsubscribe', nonce, channel };
    }
    case TAG_ACK: {
      if (b.length !== 11) bad(b.length < 11 ? 'truncated ack' : 'trailing bytes after the ack');
      const accepted = b[9]!;
      if (accepted > 1) bad(`accepted must be 0 or 1, got ${accepted}`);
      const reason = b[10]!;
      if (reasonName(reason) === undefined) bad(`unknown reason code ${reason}`);
      return { kind: 'ack', nonce, accepted: accepted === 1, reason };
    }
    default:
      bad(`unknown message tag ${b[0]}`);
  }
}

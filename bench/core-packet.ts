// Packet seal+open section of the core bench: the one-call main-thread API (the reference for the
// ratios), the same session's batch API, and a node:crypto packet path written the plain way as an
// external peer. (The engine in its core worker, where these batches run in a node, is measured by
// bench/node.ts and bench/streams.ts.)
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { openPacket, sealPacket, PacketSession, type SealHeader } from '../ts/core/packet.js';
import { AAD_SIZE, HEADER_SIZE, MAGIC, VERSION } from '../ts/core/header.js';
import { compareAsync, filledBytes, fmtMBps, fmtNum, fmtRatio, note, noteContention, pairedRatio, printTable, type Result } from './harness.js';

const SESSION_ID = 0x0123_4567_89ab_cdefn;
const STREAM_ID = 7n;
const SUBPROTOCOL = 0x0400;

/** One event per packet, so packets/s and events/s are the same figure. */
const EVENT_SIZES: readonly [string, number][] = [
  ['1 KiB', 1024],
  ['8 KiB*', 8104],
];
const BATCH_SIZES = [64, 256];

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * The external peer: the same packet (68-byte header, 56-byte AAD, prefix ‖ counter nonce, one
 * length-prefixed frame) sealed and opened with node:crypto, one cipher object per packet.
 */
class NodeCryptoPacketPath {
  private readonly prefix: number;
  private tx = 0n;
  private rxHighest = -1n;
  private readonly nonce = new Uint8Array(12);
  private readonly nonceView = new DataView(this.nonce.buffer);
  private readonly aad = new Uint8Array(AAD_SIZE);

  constructor(private readonly key: Uint8Array) {
    this.prefix = (Number(SESSION_ID & 0xffff_ffffn) ^ Number(SESSION_ID >> 32n)) >>> 0;
    this.nonceView.setUint32(0, this.prefix, true);
  }

  private buildAad(d: Uint8Array): Uint8Array {
    this.aad.set(d.subarray(0, 12), 0);
    this.aad.set(d.subarray(24, HEADER_SIZE), 12);
    this.aad[6] = 0;
    return this.aad;
  }

  seal(event: Uint8Array, sequence: bigint): Uint8Array {
    const counter = this.tx++;
    const plainLen = 4 + event.length;
    const d = new Uint8Array(HEADER_SIZE + plainLen + 16);
    const v = new DataView(d.buffer);
    v.setUint16(0, MAGIC, true);
    d[2] = VERSION;
    d[3] = 0x01; // RELIABLE
    v.setUint16(8, SUBPROTOCOL, true);
    v.setUint32(12, this.prefix, true);
    v.setBigUint64(16, counter, true);
    v.setBigUint64(24, SESSION_ID, true);
    v.setBigUint64(32, STREAM_ID, true);
    v.setBigUint64(40, sequence, true);
    v.setUint16(64, plainLen, true);
    v.setUint16(66, 1, true);
    this.nonceView.setBigUint64(4, counter, true);
    const plain = new Uint8Array(plainLen);
    new DataView(plain.buffer).setUint32(0, event.length, true);
    plain.set(event, 4);
    const c = createCipheriv('chacha20-poly1305', this.key, this.nonce, { authTagLength: 16 });
    c.setAAD(this.buildAad(d), { plaintextLength: plainLen });
    d.set(c.update(plain), HEADER_SIZE);
    c.final();
    d.set(c.getAuthTag(), HEADER_SIZE + plainLen);
    return d;
  }

  open(d: Uint8Array): Uint8Array[] {
    const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
    if (d.length < HEADER_SIZE + 16 || v.getUint16(0, true) !== MAGIC || d[2] !== VERSION) throw new Error('malformed');
    const plainLen = v.getUint16(64, true);
    if (d.length !== HEADER_SIZE + plainLen + 16) throw new Error('bad length');
    const counter = v.getBigUint64(16, true);
    this.nonceView.setBigUint64(4, counter, true);
    const dc = createDecipheriv('chacha20-poly1305', this.key, this.nonce, { authTagLength: 16 });
    dc.setAAD(this.buildAad(d), { plaintextLength: plainLen });
    dc.setAuthTag(d.subarray(HEADER_SIZE + plainLen));
    const plain = dc.update(d.subarray(HEADER_SIZE, HEADER_SIZE + plainLen));
    dc.final();
    if (counter <= this.rxHighest) throw new Error('replay');
    this.rxHighest = counter;
    const n = v.getUint16(66, true);
    const pv = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    const events: Uint8Array[] = [];
    for (let p = 0, k = 0; k < n && p + 4 <= plain.length; k++) {
      const len = pv.getUint32(p, true);
      events.push(plain.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return events;
  }
}

export async function packetSection(): Promise<void> {
  const key = filledBytes(32, 11);
  // One key both ways: the sender's TX key is the receiver's RX key.
  const tx = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
  const rx = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
  const batchTx = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
  const batchRx = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
  const peer = new NodeCryptoPacketPath(key);
  let seq = 0n;
  const header = (): SealHeader => ({ flags: 0x01, subprotocolId: SUBPROTOCOL, streamId: STREAM_ID, sequence: seq++ });

  // The peer writes the very same datagram: check it once so the comparison is like for like.
  {
    const probe = filledBytes(100, 5);
    const s = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
    const ours = sealPacket(s, { flags: 0x01, subprotocolId: SUBPROTOCOL, streamId: STREAM_ID, sequence: 0n }, [probe]);
    const theirs = new NodeCryptoPacketPath(key).seal(probe, 0n);
    s.dispose();
    if (hex(ours) !== hex(theirs)) console.log('  WARNING: node:crypto peer datagram differs from ours (the comparison is approximate)');
    const probeRx = new PacketSession({ txKey: key, rxKey: key, sessionId: SESSION_ID });
    const back = openPacket(probeRx, theirs).events[0]!;
    probeRx.dispose();
    if (hex(back) !== hex(probe)) console.log('  WARNING: our open of the peer datagram returned different bytes');
  }

  const rows: string[][] = [];
  const singleThreaded: Result[] = [];
  for (const [label, size] of EVENT_SIZES) {
    const event = filledBytes(size, size);
    const events = [event];

    const mainPerPacket = {
      name: 'main thread, one call per packet',
      fn: () => {
        const d = sealPacket(tx, header(), events);
        return openPacket(rx, d).events[0];
      },
      bytes: size,
    };
    const nodePerPacket = {
      name: 'node:crypto, one cipher per packet',
      fn: () => peer.open(peer.seal(event, seq++))[0],
      bytes: size,
    };
    const mainBatch = BATCH_SIZES.map((n) => {
      // Sequence numbers are fixed per record here; only the TX counter (nonce) must be fresh.
      const records = Array.from({ length: n }, () => ({ header: header(), events }));
      return {
        name: `main thread, batch of ${n}`,
        fn: () => {
          const sealed = batchTx.sealBatch(records).datagrams();
          const opened = batchRx.openBatch(sealed);
          let ok = 0;
          for (let i = 0; i < opened.count; i++) if (opened.status(i) >= 0 && opened.event(i, 0).length === size) ok++;
          if (ok !== n) throw new Error(`main batch: ${n - ok} of ${n} packets failed to open`);
          return ok;
        },
        bytes: size * n,
        packets: n,
      };
    });
    type Case = { name: string; fn: () => unknown; bytes: number; packets: number };
    const ref: Case = { ...mainPerPacket, packets: 1 };
    // Main-thread cases: CPU clock (single-threaded, so other processes' time is left out).
    const syncCases: Case[] = [ref, ...mainBatch, { ...nodePerPacket, packets: 1 }];

    const addRows = (cases: Case[], res: Result[], clock: string, refLabel: string): void => {
      const r0 = res.find((x) => x.name === ref.name)!;
      for (const c of cases) {
        const r = res.find((x) => x.name === c.name)!;
        rows.push([
          label,
          c.name,
          fmtNum(r.opsPerSec * c.packets),
          fmtMBps(r.mbPerSec),
          clock,
          r === r0 ? refLabel : fmtRatio(pairedRatio(r, r0, c.packets)),
        ]);
      }
    };
    const syncRes = await compareAsync(syncCases, { rounds: 9, roundMs: 80, warmupMs: 300, clock: 'cpu' });
    singleThreaded.push(...syncRes);
    addRows(syncCases, syncRes, 'cpu', '1.00× (reference)');
  }
  tx.dispose();
  rx.dispose();
  batchTx.dispose();
  batchRx.dispose();

  printTable(
    'Packet seal + open (one event per packet), packets/s and event-payload MB/s',
    ['event', 'path', 'packets/s', 'MB/s', 'clock', 'vs main one-call'],
    rows,
  );
  note('* 8104 B, the largest event one packet holds (8192 − 68-byte header − 16-byte tag − 4-byte frame prefix).');
  note('Each operation seals then opens (AEAD, header, AAD, framing, replay window); batches are timed');
  note('end to end. clock cpu: per CPU-second of this process.');
  noteContention(singleThreaded, 'cpu');
}

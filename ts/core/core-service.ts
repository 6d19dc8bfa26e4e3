// The batch service a core worker exposes (it runs on the main thread just the same, for tests
// and benches). Every method takes and returns whole batches in the packed formats of
// batch-format.ts: one message per batch, never one per packet.
import * as Comlink from 'comlink';
import { initCore } from './wasm.js';
import { blake3 } from './blake3.js';
import { PacketSession, type SealRecord as CoreSealRecord } from './session.js';
import { PacketStatus } from './packet-status.js';
import { PackWriter, Status, readSealRecords, unpackDatagrams, writeOpenRecord, type SealRecord } from './batch-format.js';
import { CapabilityFold } from '../fold/capability-fold.js';
import { serveBatchChannel } from './batch-channel.js';
import type { CapabilityQuery } from '../fold/query.js';

const SESSION_ID_OFFSET = 24;

function toStatus(s: number): number {
  if (s >= 0) return Status.OK;
  if (s === PacketStatus.AUTH_FAILED) return Status.AUTH;
  if (s === PacketStatus.REPLAY) return Status.REPLAY;
  if (s === PacketStatus.EVENT_TOO_LARGE) return Status.TOO_LARGE;
  return Status.MALFORMED;
}

export class CoreService {
  private readonly sessions = new Map<number, PacketSession>();
  private readonly bySessionId = new Map<bigint, number>();
  private fold: CapabilityFold | undefined;

  async init(module: WebAssembly.Module): Promise<void> {
    await initCore(module);
  }

  async initFromBase64(b64: string): Promise<void> {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    await initCore(await WebAssembly.compile(bytes));
  }

  ping(): string {
    return 'pong';
  }

  /** Takes the worker's end of the data-path port (batch-channel.ts). */
  attachBatchPort(port: MessagePort): void {
    serveBatchChannel(port as never, this);
  }

  addSession(localId: number, sessionId: bigint, txKey: Uint8Array, rxKey: Uint8Array): void {
    this.removeSession(localId);
    this.sessions.set(localId, new PacketSession({ txKey, rxKey, sessionId }));
    this.bySessionId.set(sessionId, localId);
  }

  removeSession(localId: number): void {
    const s = this.sessions.get(localId);
    if (!s) return;
    this.sessions.delete(localId);
    if (this.bySessionId.get(s.sessionId) === localId) this.bySessionId.delete(s.sessionId);
    s.dispose();
  }

  /** Seals every record (one packet each) with its session; one core call per run of one session. */
  sealBatch(req: Uint8Array): Uint8Array {
    const w = new PackWriter(Math.ceil(req.length * 1.1) + 1024);
    const countAt = w.reserveU32();
    let count = 0;
    let run: SealRecord[] = [];
    const flush = () => {
      if (run.length === 0) return;
      const session = this.sessions.get(run[0]!.localSession);
      if (!session) {
        for (let i = 0; i < run.length; i++) {
          w.i32(Status.UNKNOWN_SESSION);
          w.u32(0);
        }
      } else {
        const recs: CoreSealRecord[] = run.map((r) => ({
          header: { flags: r.flags, priority: r.priority, subprotocolId: r.subprotocol, channelHash: r.channelHash, streamId: r.streamId, sequence: r.sequence, originHash: r.originHash },
          events: r.events,
        }));
        const b = session.sealBatch(recs);
        for (let i = 0; i < b.count; i++) {
          const d = b.datagram(i);
          w.i32(Status.OK);
          w.u32(d.length);
          w.bytes(d);
        }
      }
      count += run.length;
      run = [];
    };
    for (const r of readSealRecords(req)) {
      if (run.length && run[0]!.localSession !== r.localSession) flush();
      run.push(r);
    }
    flush();
    w.patchU32(countAt, count);
    const out = w.finish();
    return Comlink.transfer(out, [out.buffer]);
  }

  /** Opens datagrams with the session their session_id names; one core call per run of one session. */
  openBatch(req: Uint8Array): Uint8Array {
    const dgs = unpackDatagrams(req);
    const w = new PackWriter(req.length + dgs.length * 64);
    w.u32(dgs.length);
    let start = 0;
    while (start < dgs.length) {
      const local = this.lookup(dgs[start]!);
      let end = start + 1;
      while (end < dgs.length && this.lookup(dgs[end]!) === local) end++;
      const run = dgs.slice(start, end);
      const session = local === undefined ? undefined : this.sessions.get(local);
      if (!session) {
        for (let i = 0; i < run.length; i++) {
          writeOpenRecord(w, { status: run[i]!.length < 68 ? Status.MALFORMED : Status.UNKNOWN_SESSION, localSession: 0, flags: 0, subprotocol: 0, channelHash: 0, streamId: 0n, sequence: 0n, originHash: 0n, plaintextLen: 0 }, []);
        }
      } else {
        const b = session.openBatch(run);
        for (let i = 0; i < b.count; i++) {
          const s = b.status(i);
          const ok = s >= 0;
          writeOpenRecord(
            w,
            {
              status: toStatus(s),
              localSession: local!,
              flags: ok ? b.flags(i) : 0,
              subprotocol: ok ? b.subprotocolId(i) : 0,
              channelHash: ok ? b.channelHash(i) : 0,
              streamId: ok ? b.streamId(i) : 0n,
              sequence: ok ? b.sequence(i) : 0n,
              originHash: ok ? b.originHash(i) : 0n,
              plaintextLen: ok ? b.payload(i).length : 0,
            },
            ok ? b.events(i) : [],
          );
        }
      }
      start = end;
    }
    const out = w.finish();
    return Comlink.transfer(out, [out.buffer]);
  }

  private lookup(d: Uint8Array): number | undefined {
    if (d.length < SESSION_ID_OFFSET + 8) return undefined;
    const dv = new DataView(d.buffer, d.byteOffset + SESSION_ID_OFFSET, 8);
    return this.bySessionId.get(dv.getBigUint64(0, true));
  }

  /** Applies announcement JSON texts to this worker's capability fold; returns the fold size. */
  foldApply(announcements: string[], opts: { trusted?: boolean; nowMs?: number } = {}): number {
    this.fold ??= new CapabilityFold();
    for (const a of announcements) this.fold.applyAnnouncementJson(a, opts);
    return this.fold.size;
  }

  /** Answers a capability query on this worker's fold; the ids come back in one transferred buffer. */
  foldQuery(query: CapabilityQuery): BigUint64Array {
    const ids = (this.fold ??= new CapabilityFold()).queryIds(query);
    const out = ids.slice();
    return Comlink.transfer(out, [out.buffer]);
  }

  /** Hashes many buffers in one call; the digests come back in one transferred buffer. */
  blake3Batch(inputs: Uint8Array[], outLen = 32): Uint8Array {
    const out = new Uint8Array(inputs.length * outLen);
    for (let i = 0; i < inputs.length; i++) out.set(blake3(inputs[i]!, outLen), i * outLen);
    return Comlink.transfer(out, [out.buffer]);
  }
}

// The parent's handle on a relay-peer process (bench/relay-peer.ts): starts it, reads its contact
// line, and sends one command at a time, each answered by one line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface PeerContact {
  address: string;
  nodeId: bigint;
  publicKey: Uint8Array;
}

export class RelayPeerProcess {
  private readonly lines: AsyncIterator<string>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly proc: ChildProcess,
    readonly contact: PeerContact,
    lines: AsyncIterator<string>,
  ) {
    this.lines = lines;
  }

  /** Runs `script` (a bundled relay-peer.mjs) with its own engine placement. */
  static async start(script: string, psk: string, engine: 'worker' | 'inline'): Promise<RelayPeerProcess> {
    const proc = spawn(process.execPath, [script, psk, engine], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error('relay peer exited before printing its contact line');
    const c = JSON.parse(first.value) as { address: string; nodeId: string; key: string };
    return new RelayPeerProcess(proc, { address: c.address, nodeId: BigInt(c.nodeId), publicKey: Uint8Array.from(Buffer.from(c.key, 'hex')) }, lines);
  }

  /** Sends one command and resolves with its reply line (commands run one after another). */
  command(line: string): Promise<string> {
    const run = this.queue.then(async () => {
      this.proc.stdin!.write(`${line}\n`);
      const r = await this.lines.next();
      if (r.done) throw new Error(`relay peer exited during "${line}"`);
      if (r.value.startsWith('error')) throw new Error(`relay peer: ${line} → ${r.value}`);
      return r.value;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async connect(to: PeerContact): Promise<void> {
    await this.command(`connect ${to.address} ${to.nodeId} ${Buffer.from(to.publicKey).toString('hex')}`);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.stdin!.write('exit\n');
    const t = setTimeout(() => this.proc.kill(), 3000);
    await exited;
    clearTimeout(t);
  }
}

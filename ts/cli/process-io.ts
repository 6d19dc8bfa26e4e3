// The CliIo of the `net-mesh` process: stdout / stderr text, stdin and stdout as bytes (with
// backpressure: a write resolves once the bytes are handed on), and a stop signal from SIGINT /
// SIGTERM whose handlers exist only once a long-running verb asks for it (other verbs keep the
// default: the signal ends the process).
import type { CliIo } from './command.js';

let stop: AbortController | undefined;
let stdinUsed = false;
let stdoutGuarded = false;

function stopSignal(): AbortSignal {
  if (!stop) {
    const ac = new AbortController();
    stop = ac;
    // Once each: a second Ctrl-C during shutdown ends the process the default way.
    process.once('SIGINT', () => ac.abort('SIGINT'));
    process.once('SIGTERM', () => ac.abort('SIGTERM'));
  }
  return stop.signal;
}

function writeOut(bytes: Uint8Array): Promise<void> {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    // EPIPE and friends also arrive as 'error' events; the write callback below reports them.
    process.stdout.on('error', () => {});
  }
  return new Promise((resolve, reject) => {
    process.stdout.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  get stdoutIsTTY() {
    return process.stdout.isTTY === true;
  },
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
  get env() {
    return process.env;
  },
  stdin() {
    stdinUsed = true;
    return process.stdin;
  },
  writeOut,
  stopSignal,
};

/** After a verb: stdin left half-read must not keep the process alive. */
export function releaseProcessIo(): void {
  if (stdinUsed) process.stdin.destroy();
}

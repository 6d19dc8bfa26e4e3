// A forged-msg1 flooder for the hardening tests and bench:handshake, run as its own process:
// node flooder.mjs <host:port> <template hex> <max packets> <max ms> <sockets>
// Each datagram is the template (a HANDSHAKE packet header and a 48-byte msg1) with random Noise
// bytes, sent round-robin from `sockets` source ports; prints "sent <n>" when done.
import { createSocket } from 'node:dgram';
import { randomFillSync } from 'node:crypto';

const [target, templateHex, maxText, msText, socketsText] = process.argv.slice(2);
const [host, portText] = target.split(':');
const port = Number(portText);
const template = Buffer.from(templateHex, 'hex');
const max = Number(maxText);
const end = Date.now() + Number(msText);
const sockets = await Promise.all(
  Array.from({ length: Number(socketsText) }, () => new Promise((r) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => r(s));
  })),
);
let sent = 0;
let inFlight = 0;
function burst() {
  while (inFlight < 256 && sent < max) {
    const b = Buffer.from(template);
    randomFillSync(b, 68, b.length - 68);
    inFlight++;
    sockets[sent % sockets.length].send(b, port, host, () => inFlight--);
    sent++;
  }
  if (sent < max && Date.now() < end) setImmediate(burst);
  else setTimeout(() => {
    for (const s of sockets) s.close();
    console.log(`sent ${sent}`);
  }, 50);
}
burst();

// Datagrams the kernel dropped for want of receive-buffer room, system-wide (Linux
// /proc/net/snmp, Udp RcvbufErrors; 0 where the counter cannot be read). A transfer test uses the
// difference over its run to tell real losses (a receiver that fell behind on a loaded machine)
// from spurious retransmits.
import { readFileSync } from 'node:fs';

export function kernelUdpRcvbufErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    if (lines.length < 2) return 0;
    const names = lines[0]!.trim().split(/\s+/);
    const values = lines[1]!.trim().split(/\s+/);
    const i = names.indexOf('RcvbufErrors');
    const v = i > 0 ? Number(values[i]) : NaN;
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}

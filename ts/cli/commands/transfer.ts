// `net-mesh transfer` (meshos-cli.md §3.4): the seven verbs, one group.
import type { Command } from '../command.js';
import { cancelCommand, lsCommand, statusCommand } from './transfer-admin.js';
import { recvBlobCommand, recvDirCommand } from './transfer-recv.js';
import { sendBlobCommand, sendDirCommand } from './transfer-send.js';

export const transferCommand: Command = {
  name: 'transfer',
  summary: 'content-addressed blobs and directory trees: send, receive, list, cancel',
  details:
    'send-blob / send-dir chunk local data into refs (--store keeps the chunks where a `net-mesh node --store` serves them);\n' +
    'recv-blob / recv-dir / ls / status / cancel attach to a running node (--node-addr, --node-pubkey, --node-id, --psk-hex, --identity).',
  commands: [sendBlobCommand, recvBlobCommand, sendDirCommand, recvDirCommand, lsCommand, statusCommand, cancelCommand],
};

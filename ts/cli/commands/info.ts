// `net-mesh info`: this build's version and a fresh node's identity and address.
import { MeshNode } from '../../node/mesh-node.js';
import type { Command } from '../command.js';
import { VERSION } from '../version.js';

export const infoCommand: Command = {
  name: 'info',
  summary: "print this build's version and a fresh node's id and address",
  positionals: [],
  async run(ctx) {
    const node = await MeshNode.create({ psk: '00'.repeat(32) });
    try {
      const info = { version: VERSION, node_id: node.nodeId.toString(16).padStart(16, '0'), address: node.address };
      ctx.result(info, () => `net-mesh ${VERSION}\nnode id   ${info.node_id}\naddress   ${info.address}\n`);
    } finally {
      await node.close();
    }
  },
};

// The `net-mesh` executable.
import { main } from './index.js';
import { releaseProcessIo } from './process-io.js';

process.exitCode = await main();
releaseProcessIo();

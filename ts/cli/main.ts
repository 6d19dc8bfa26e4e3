// The `net-mesh` executable.
import { main } from './index.js';

process.exitCode = await main();

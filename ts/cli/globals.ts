// The global options of every verb (meshos-cli.md §3.1).
import type { OptionSpec } from './args.js';
import { OUTPUT_FORMATS } from './output.js';

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'config', kind: 'string', value: '<path>', description: 'config file (env NET_MESH_CONFIG; default <config dir>/net-mesh/config.toml)' },
  { name: 'profile', kind: 'string', value: '<name>', description: 'config profile (env NET_MESH_PROFILE; default "default")' },
  { name: 'output', kind: 'string', value: '<format>', choices: OUTPUT_FORMATS, description: 'json | yaml | ndjson | table | text (default: table on a TTY, else json)' },
  { name: 'quiet', short: 'q', kind: 'boolean', description: 'errors only; no progress' },
  { name: 'verbose', short: 'v', kind: 'count', description: 'more logging (-v info, -vv debug, -vvv trace; env NET_MESH_LOG)' },
  { name: 'no-color', kind: 'boolean', description: 'no colour (env NO_COLOR)' },
  { name: 'timeout', kind: 'string', value: '<dur>', description: 'operation timeout: 30, 30s, 1m, 500ms (default 30s)' },
  { name: 'help', short: 'h', kind: 'boolean', description: 'show help' },
  { name: 'version', short: 'V', kind: 'boolean', description: 'show the version' },
];

// Output formats (meshos-cli.md §3.6): one-shot results as pretty JSON for json / table / text
// (a command may give a human rendering for table / text), one compact line for ndjson, YAML for
// yaml. The default is table when stdout is a TTY, json otherwise; streaming commands default to
// text on a TTY and ndjson otherwise.
import { toJson, toYaml } from './render-value.js';

export const OUTPUT_FORMATS = ['json', 'yaml', 'ndjson', 'table', 'text'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function resolveFormat(requested: OutputFormat | undefined, stdoutIsTTY: boolean, streaming = false): OutputFormat {
  if (requested) return requested;
  if (streaming) return stdoutIsTTY ? 'text' : 'ndjson';
  return stdoutIsTTY ? 'table' : 'json';
}

/** True for the formats meant for people (progress may be drawn, `text` renderers are used). */
export function isHumanFormat(f: OutputFormat): boolean {
  return f === 'table' || f === 'text';
}

/** The text printed for one result value. `human` renders table / text when given. */
export function formatResult(value: unknown, format: OutputFormat, human?: (v: unknown) => string): string {
  switch (format) {
    case 'ndjson':
      return toJson(value) + '\n';
    case 'yaml':
      return toYaml(value);
    case 'table':
    case 'text':
      if (human) return human(value);
      return toJson(value, 2) + '\n';
    default:
      return toJson(value, 2) + '\n';
  }
}

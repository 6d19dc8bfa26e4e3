// Public surface of the tools folder (rpc-tools.md §7–§8, sdk.md "Wire codecs and tool formats"),
// re-exported by ts/index.ts: the descriptor converters, `toolFormats` and the types of the node's
// tool methods. The descriptor builder stays internal.
import { parseAnthropicCall, parseGeminiCall, parseMcpCall, parseOpenAICall, toAnthropic, toGemini, toMcp, toOpenAI } from './formats.js';
import { encodeToolEvent, isTerminal, MISSING_TERMINAL_EVENT, parseToolEvent, toolEventToJSON } from './events.js';

/** Provider tool formats and the streaming ToolEvent envelope (rpc-tools.md §7, §7.1). */
export const toolFormats = Object.freeze({
  toOpenAI,
  toAnthropic,
  toMcp,
  toGemini,
  parseOpenAICall,
  parseAnthropicCall,
  parseMcpCall,
  parseGeminiCall,
  parseToolEvent,
  isTerminal,
  toolEventToJSON,
  encodeToolEvent,
  MISSING_TERMINAL_EVENT,
});

export { toolDescriptorFromJSON, toolDescriptorToJSON } from './descriptor.js';
export type { ToolDescriptor, ToolDescriptorJSON } from './descriptor.js';
export type { ToolCallSpec, LowerableTool } from './formats.js';
export type { ToolEvent } from './events.js';
export type { ToolInfo, ToolFilter, ToolListChange } from './discovery.js';
export type { ToolWatch, WatchToolsOptions } from './watch.js';

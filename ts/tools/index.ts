// AI tools: descriptors, provider formats, tool events, discovery types.
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

export { toolDescriptorFromJSON, toolDescriptorToJSON, makeToolDescriptor } from './descriptor.js';
export type { ToolDescriptor, ToolDescriptorJSON, ToolDescriptorInit } from './descriptor.js';
export type { ToolCallSpec, LowerableTool } from './formats.js';
export type { ToolEvent } from './events.js';
export type { ToolInfo, ToolFilter, ToolListChange } from './discovery.js';
export type { ToolWatch, WatchToolsOptions } from './watch.js';

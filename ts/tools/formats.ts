// Provider tool formats (rpc-tools.md §7.1): a descriptor lowered to the OpenAI, Anthropic, MCP
// and Gemini tool definitions, and a provider's tool call parsed back into
// { name, argumentsJson, providerCallId? } for callTool. Provider objects are plain JSON values.
import { InvalidArgumentError, ToolCallParseError } from '../errors.js';
import type { ToolDescriptor } from './descriptor.js';

/** A provider's tool call, ready for `callTool(…, name, JSON.parse(argumentsJson))`. */
export interface ToolCallSpec {
  name: string;
  /** The arguments as JSON text (OpenAI's verbatim; the others re-serialized). */
  argumentsJson: string;
  /** OpenAI `id` / Anthropic `tool_use` id; MCP and Gemini calls have none. */
  providerCallId?: string;
}

/** What `toolFormats.toOpenAI` & co. read: a `ToolDescriptor`, or just these fields (`inputSchema` may be a parsed object). */
export type LowerableTool = Pick<ToolDescriptor, 'toolId'> & {
  description?: string | null;
  inputSchema?: string | object | null;
};

const EMPTY_OBJECT_SCHEMA = (): Record<string, unknown> => ({ type: 'object', properties: {} });

/** S of §7.1: the parsed input schema, or `{"type":"object","properties":{}}` when absent or unparseable. */
function schemaOf(desc: LowerableTool): unknown {
  const s = desc.inputSchema;
  if (s === undefined || s === null) return EMPTY_OBJECT_SCHEMA();
  if (typeof s !== 'string') return s;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return EMPTY_OBJECT_SCHEMA();
  }
}

function base(desc: LowerableTool): { name: string; description: string } {
  if (typeof desc !== 'object' || desc === null || typeof desc.toolId !== 'string') throw new InvalidArgumentError('toolId: a tool descriptor with a string toolId is required');
  return { name: desc.toolId, description: desc.description ?? '' };
}

export function toOpenAI(desc: LowerableTool): Record<string, unknown> {
  const { name, description } = base(desc);
  // strict is true whenever a schema was given, even one that failed to parse (Net v0.27 rule).
  const strict = desc.inputSchema !== undefined && desc.inputSchema !== null;
  return { type: 'function', function: { name, description, parameters: schemaOf(desc), strict } };
}

export function toAnthropic(desc: LowerableTool): Record<string, unknown> {
  const { name, description } = base(desc);
  return { name, description, input_schema: schemaOf(desc) };
}

export function toMcp(desc: LowerableTool): Record<string, unknown> {
  const { name, description } = base(desc);
  return { name, description, inputSchema: schemaOf(desc) };
}

export function toGemini(desc: LowerableTool): Record<string, unknown> {
  const { name, description } = base(desc);
  return { name, description, parameters: schemaOf(desc) };
}

// ---- provider tool calls ---------------------------------------------------------------------

function objectOf(json: unknown, what: string): Record<string, unknown> {
  let v = json;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new ToolCallParseError(`${what} is not JSON`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ToolCallParseError(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function nameOf(o: Record<string, unknown>, what: string): string {
  if (!('name' in o) || o.name === undefined) throw new ToolCallParseError(`${what} is missing field \`name\``);
  if (typeof o.name !== 'string') throw new ToolCallParseError(`${what} field \`name\` must be a string`);
  return o.name;
}

function serialized(o: Record<string, unknown>, key: string, what: string): string {
  if (!(key in o) || o[key] === undefined) throw new ToolCallParseError(`${what} is missing field \`${key}\``);
  return JSON.stringify(o[key]);
}

function withId(spec: ToolCallSpec, id: unknown): ToolCallSpec {
  if (typeof id === 'string') spec.providerCallId = id;
  return spec;
}

/** One OpenAI `tool_calls[]` entry: `function.name`, `function.arguments` (JSON text, kept verbatim), `id`. */
export function parseOpenAICall(json: unknown): ToolCallSpec {
  const o = objectOf(json, 'OpenAI tool call');
  if (!('function' in o) || o.function === undefined) throw new ToolCallParseError('OpenAI tool call is missing field `function`');
  const fn = objectOf(o.function, 'OpenAI tool call field `function`');
  const name = nameOf(fn, 'OpenAI tool call function');
  const args = fn.arguments;
  if (typeof args !== 'string') throw new ToolCallParseError('OpenAI tool call field `function.arguments` must be a JSON string');
  try {
    JSON.parse(args);
  } catch (e) {
    throw new ToolCallParseError(`OpenAI tool call arguments are not valid JSON: ${(e as Error).message}`);
  }
  return withId({ name, argumentsJson: args }, o.id);
}

/** One Anthropic `tool_use` content block: `name`, `input` (any JSON, re-serialized), `id`. */
export function parseAnthropicCall(json: unknown): ToolCallSpec {
  const o = objectOf(json, 'Anthropic tool_use block');
  const name = nameOf(o, 'Anthropic tool_use block');
  return withId({ name, argumentsJson: serialized(o, 'input', 'Anthropic tool_use block') }, o.id);
}

/** MCP `tools/call` params: `name`, `arguments`; the JSON-RPC id lives one layer up. */
export function parseMcpCall(json: unknown): ToolCallSpec {
  const o = objectOf(json, 'MCP tools/call params');
  const name = nameOf(o, 'MCP tools/call params');
  return { name, argumentsJson: serialized(o, 'arguments', 'MCP tools/call params') };
}

/** One Gemini `functionCall`: `name`, `args`; Gemini calls carry no id. */
export function parseGeminiCall(json: unknown): ToolCallSpec {
  const o = objectOf(json, 'Gemini functionCall');
  const name = nameOf(o, 'Gemini functionCall');
  return { name, argumentsJson: serialized(o, 'args', 'Gemini functionCall') };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolDescriptorFromJSON, toolDescriptorToJSON, toolFormats, type ToolDescriptor } from '../../ts/index.js';
import { InvalidArgumentError, ToolCallParseError, ToolEventParseError } from '../../ts/errors.js';

const load = (f: string) => JSON.parse(readFileSync(new URL(`../vectors/${f}`, import.meta.url), 'utf8'));
const formats = load('net-v0.27/cross_lang_tool_formats/golden_vectors.json');
const events = load('net-v0.27/cross_lang_tool_formats/tool_event_vectors.json');

type Spec = { name: string; arguments_json?: string; arguments_parsed?: unknown; provider_call_id: string | null };
function expectSpec(got: ReturnType<typeof toolFormats.parseOpenAICall>, want: Spec): void {
  expect(got.name).toBe(want.name);
  if (want.arguments_json !== undefined) expect(got.argumentsJson).toBe(want.arguments_json);
  if (want.arguments_parsed !== undefined) expect(JSON.parse(got.argumentsJson)).toEqual(want.arguments_parsed);
  expect(got.providerCallId ?? null).toBe(want.provider_call_id);
}

describe('provider lowering (Net tests/cross_lang_tool_formats/golden_vectors.json)', () => {
  for (const c of formats.descriptors) {
    it(c.name, () => {
      const d = toolDescriptorFromJSON(c.input);
      expect(toolFormats.toOpenAI(d)).toEqual(c.lowered_openai);
      expect(toolFormats.toAnthropic(d)).toEqual(c.lowered_anthropic);
      expect(toolFormats.toMcp(d)).toEqual(c.lowered_mcp);
      expect(toolFormats.toGemini(d)).toEqual(c.lowered_gemini);
    });
  }

  it('OpenAI strict is true for any schema text, even one that does not parse (which lowers to the empty object schema)', () => {
    const d: Pick<ToolDescriptor, 'toolId' | 'description' | 'inputSchema'> = { toolId: 'x', description: null, inputSchema: '{not json' };
    expect(toolFormats.toOpenAI(d)).toEqual({ type: 'function', function: { name: 'x', description: '', parameters: { type: 'object', properties: {} }, strict: true } });
    expect(toolFormats.toGemini(d)).toEqual({ name: 'x', description: '', parameters: { type: 'object', properties: {} } });
  });
});

describe('provider tool calls', () => {
  const cases: [string, (j: unknown) => ReturnType<typeof toolFormats.parseOpenAICall>][] = [
    ['lower_openai_cases', toolFormats.parseOpenAICall],
    ['lower_anthropic_cases', toolFormats.parseAnthropicCall],
    ['lower_mcp_cases', toolFormats.parseMcpCall],
    ['lower_gemini_cases', toolFormats.parseGeminiCall],
  ];
  for (const [key, parse] of cases) {
    for (const c of formats[key]) {
      it(`${key}: ${c.name}`, () => {
        expectSpec(parse(c.reply_json), c.expected_spec);
        expectSpec(parse(JSON.stringify(c.reply_json)), c.expected_spec); // JSON text works too
      });
    }
  }

  const byProvider = { openai: toolFormats.parseOpenAICall, anthropic: toolFormats.parseAnthropicCall, mcp: toolFormats.parseMcpCall, gemini: toolFormats.parseGeminiCall } as const;
  for (const c of formats.error_cases) {
    it(`error: ${c.name}`, () => {
      expect(() => byProvider[c.provider as keyof typeof byProvider](c.reply_json)).toThrow(ToolCallParseError);
    });
  }

  it('rejects non-string names and arguments, with the TOOL_CALL_PARSE code', () => {
    const bad: [keyof typeof byProvider, unknown][] = [
      ['openai', { function: { name: 7, arguments: '{}' } }],
      ['openai', { function: { name: 'x', arguments: { a: 1 } } }],
      ['openai', { function: 'x' }],
      ['anthropic', { input: {} }],
      ['mcp', { name: ['x'], arguments: {} }],
      ['mcp', { name: 'x' }],
      ['gemini', 'not json'],
      ['gemini', [1, 2]],
    ];
    for (const [p, j] of bad) {
      try {
        byProvider[p](j);
        throw new Error(`${p} accepted ${JSON.stringify(j)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(ToolCallParseError);
        expect((e as ToolCallParseError).code).toBe('TOOL_CALL_PARSE');
      }
    }
  });
});

describe('ToolEvent (Net tests/cross_lang_tool_formats/tool_event_vectors.json)', () => {
  for (const c of events.cases) {
    it(c.name, () => {
      const ev = toolFormats.parseToolEvent(c.wire);
      expect(toolFormats.isTerminal(ev)).toBe(c.is_terminal);
      expect(toolFormats.toolEventToJSON(ev)).toEqual(c.wire);
      expect(JSON.parse(toolFormats.encodeToolEvent(ev))).toEqual(c.wire);
      expect(toolFormats.parseToolEvent(JSON.stringify(c.wire))).toEqual(ev);
    });
  }

  it('uses camelCase and a bigint call id in the SDK, exact above 2^53', () => {
    expect(toolFormats.parseToolEvent({ type: 'start', tool_id: 'w', call_id: 42 })).toEqual({ type: 'start', toolId: 'w', callId: 42n });
    const ev = toolFormats.parseToolEvent('{"type":"start","tool_id":"w","call_id":18446744073709551615}');
    expect(ev).toEqual({ type: 'start', toolId: 'w', callId: 18446744073709551615n });
    expect(toolFormats.encodeToolEvent(ev)).toBe('{"type":"start","tool_id":"w","call_id":18446744073709551615}');
    expect(toolFormats.parseToolEvent(new TextEncoder().encode('{"type":"result","data":null}'))).toEqual({ type: 'result', data: null });
  });

  it('refuses to encode data JSON cannot carry, with a typed error', () => {
    expect(() => toolFormats.encodeToolEvent({ type: 'result', data: { n: 1n } })).toThrow(InvalidArgumentError);
  });

  it('the missing-terminal event is the exact shape Net synthesizes', () => {
    const synth = events.cases.find((c: { name: string }) => c.name === 'error_missing_terminal_synthesized').wire;
    expect(toolFormats.toolEventToJSON(toolFormats.MISSING_TERMINAL_EVENT)).toEqual(synth);
  });

  it('rejects malformed events with TOOL_EVENT_PARSE', () => {
    const bad = ['{', '[]', { type: 'nope' }, { type: 'start' }, { type: 'start', tool_id: 'x', call_id: -1 }, { type: 'start', tool_id: 'x', call_id: 1.5 }, '{"type":"start","tool_id":"x","call_id":18446744073709551616}', { type: 'delta' }, { type: 'error', code: 'c' }, { type: 'progress', pct: 'x' }, { type: 'progress', message: 3 }, new Uint8Array([0xff])];
    for (const b of bad) {
      try {
        toolFormats.parseToolEvent(b);
        throw new Error(`accepted ${String(b)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(ToolEventParseError);
        expect((e as ToolEventParseError).code).toBe('TOOL_EVENT_PARSE');
      }
    }
  });
});

describe('ToolDescriptor JSON', () => {
  const full = {
    tool_id: 'web_search',
    name: 'Web search',
    version: '2.1.0',
    description: 'Search.',
    input_schema: '{"type":"object"}',
    output_schema: null,
    requires: ['net'],
    estimated_time_ms: 500,
    stateless: false,
    streaming: true,
    tags: ['web'],
    node_count: 3,
  };

  it('converts between snake_case wire JSON and the camelCase SDK shape, keys in §7 order', () => {
    const d = toolDescriptorFromJSON(full);
    expect(d).toEqual({ toolId: 'web_search', name: 'Web search', version: '2.1.0', description: 'Search.', inputSchema: '{"type":"object"}', outputSchema: null, requires: ['net'], estimatedTimeMs: 500, stateless: false, streaming: true, tags: ['web'], nodeCount: 3 });
    const back = toolDescriptorToJSON(d);
    expect(back).toEqual(full);
    expect(Object.keys(back)).toEqual(Object.keys(full));
    expect(toolDescriptorFromJSON(JSON.stringify(full))).toEqual(d);
  });

  it('applies the builder defaults to missing fields', () => {
    expect(toolDescriptorFromJSON({ tool_id: 'ping' })).toEqual({ toolId: 'ping', name: 'ping', version: '1.0.0', description: null, inputSchema: null, outputSchema: null, requires: [], estimatedTimeMs: 0, stateless: true, streaming: false, tags: [], nodeCount: 0 });
  });

  it('names the bad field', () => {
    expect(() => toolDescriptorFromJSON({ name: 'x' })).toThrow(/tool_id/);
    expect(() => toolDescriptorFromJSON({ ...full, estimated_time_ms: -1 })).toThrow(/estimated_time_ms/);
    expect(() => toolDescriptorFromJSON({ ...full, tags: 'web' })).toThrow(InvalidArgumentError);
    expect(() => toolDescriptorFromJSON({ ...full, streaming: 'yes' })).toThrow(/streaming/);
    expect(() => toolDescriptorFromJSON('{')).toThrow(InvalidArgumentError);
  });
});

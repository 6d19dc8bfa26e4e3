// The capability data model: tag grammar (fold.md §2.1), typed fields lowered to tags exactly as
// the Net tag codec does (§2.2), decoding back, reserved-tag builders and substrate tags.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../ts/errors.js';
import { Tag, hasTagSemantic, parseTagParts } from '../../ts/fold/tag.js';
import {
  causalRangeTag,
  causalTag,
  decodeCapabilities,
  forkOfTag,
  heatTag,
  lowerCapabilities,
  mergeSubstrateTags,
  scopeRegionTag,
} from '../../ts/fold/capabilities.js';
import { compareUtf8, sortedUnique } from '../../ts/fold/byte-order.js';
import { membershipOf } from '../../ts/fold/membership.js';

describe('tag grammar', () => {
  it('classifies per the permissive parser', () => {
    expect(parseTagParts('hardware.gpu')).toEqual({ kind: 'axis-present', axis: 'hardware', key: 'gpu' });
    expect(parseTagParts('software.a:b=c')).toEqual({ kind: 'axis-value', axis: 'software', key: 'a', value: 'b=c', separator: ':' });
    expect(parseTagParts('software.a=b:c')).toEqual({ kind: 'axis-value', axis: 'software', key: 'a', value: 'b:c', separator: '=' });
    expect(parseTagParts('dataforts:x')).toEqual({ kind: 'reserved', prefix: 'dataforts:', body: 'x' });
    expect(parseTagParts('dataforts.blob.serve')).toEqual({ kind: 'axis-present', axis: 'dataforts', key: 'blob.serve' });
    expect(parseTagParts('gpu:nvidia')).toEqual({ kind: 'legacy' });
    expect(parseTagParts('nrpc:svc')).toEqual({ kind: 'legacy' });
    expect(parseTagParts('other.x=1')).toEqual({ kind: 'legacy' });
    expect(parseTagParts('')).toBeUndefined();
  });

  it('renders byte-for-byte and compares structurally or semantically', () => {
    const a = Tag.parse('hardware.gpu.vendor:nvidia');
    expect(a.toString()).toBe('hardware.gpu.vendor:nvidia');
    expect(a.separator).toBe(':');
    expect(a.equals('hardware.gpu.vendor=nvidia')).toBe(false);
    expect(a.semanticEquals('hardware.gpu.vendor=nvidia')).toBe(true);
    expect(Tag.parse('gpu').semanticEquals('hardware.gpu')).toBe(false);
    expect(hasTagSemantic(['hardware.memory_gb=64'], 'hardware.memory_gb:64')).toBe(true);
    expect(hasTagSemantic(['model:x'], 'software.model.0.id=x')).toBe(false);
  });

  it('the user parser refuses reserved prefixes and empty tags, naming the tag', () => {
    for (const t of ['causal:ab', 'dataforts:x', 'fork-of:h', 'heat:h=0.5', 'scope:tenant:t']) {
      expect(() => Tag.parseUser(t)).toThrow(InvalidArgumentError);
      expect(() => Tag.parseUser(t)).toThrow(t);
      expect(Tag.parse(t).kind).toBe('reserved');
    }
    expect(() => Tag.parseUser('')).toThrow(InvalidArgumentError);
    expect(() => Tag.parse('')).toThrow(InvalidArgumentError);
    expect(() => Tag.parseUser('\ud800x')).toThrow(/surrogate/);
    expect(Tag.parseUser('dataforts.blob.serve').kind).toBe('axis-present');
    expect(() => lowerCapabilities({ tags: ['fine', 'scope:region:x'] })).toThrow(/scope:region:x/);
  });

  it('sorts by UTF-8 bytes', () => {
    expect(sortedUnique(['b', 'a', 'b', '\u{1F600}', '\uE000', 'é'])).toEqual(['a', 'b', 'é', '\uE000', '\u{1F600}']);
    expect(compareUtf8('\uE000', '\u{1F600}')).toBeLessThan(0);
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
  });
});

describe('typed fields → tags (fold.md §2.2)', () => {
  it('lowers every field with `=`, omitting zero, empty and absent ones', () => {
    const l = lowerCapabilities({
      cpuCores: 8,
      cpuThreads: 0,
      memoryGb: 32,
      storageGb: 0,
      networkGbps: 25,
      gpu: { vendor: 'amd', model: 'MI300', vramGb: 192, computeUnits: 0, tensorCores: 0, fp16Tflops: 1307.4 },
      limits: { maxConcurrentRequests: 4, rateLimitRpm: 0, maxInputBytes: 2 ** 40 },
      software: {
        os: 'linux',
        osVersion: '',
        cudaVersion: '12.4',
        runtimes: { node: '22', 'bad.name': 'x', 'bad=name': 'y', '': 'z' },
        frameworks: { vllm: '0.6' },
        drivers: { amdgpu: '6.8' },
      },
      models: [
        { id: 'qwen', family: 'qwen', parametersB: 7.25, contextLength: 32768, quantization: 'int4', tokensPerSec: 0, loaded: true },
        { id: 'emb', modalities: ['embedding'], loaded: false },
        { id: 'none', modalities: [] },
      ],
      tools: [
        { id: 'search', name: 'Search', requires: ['net', 'disk'], estimatedTimeMs: 250, stateless: false, inputSchema: { type: 'object' }, streaming: true, tags: [' a ', 'b'] },
        { id: 'calc', version: '2.0.0', description: 'adds', outputSchema: '{"type":"number"}' },
      ],
      region: 'eu-west',
      tenants: ['acme', ''],
      subnetLocal: true,
      tags: ['inference'],
      metadata: { note: 'hello' },
    });
    expect(l.tags).toEqual(
      [
        'hardware.cpu_cores=8',
        'hardware.memory_gb=32',
        'hardware.network_gbps=25',
        'hardware.gpu',
        'hardware.gpu.vendor=amd',
        'hardware.gpu.model=MI300',
        'hardware.gpu.vram_gb=192',
        'hardware.gpu.fp16_tflops_x10=13074',
        'hardware.limits.max_concurrent_requests=4',
        `hardware.limits.max_input_bytes=${2 ** 40}`,
        'software.os=linux',
        'software.cuda_version=12.4',
        'software.runtime.node=22',
        'software.framework.vllm=0.6',
        'software.driver.amdgpu=6.8',
        'software.model.0.id=qwen',
        'software.model.0.family=qwen',
        'software.model.0.parameters_b_x10=72',
        'software.model.0.context_length=32768',
        'software.model.0.quantization=int4',
        'software.model.0.modalities=text',
        'software.model.0.loaded=true',
        'software.model.1.id=emb',
        'software.model.1.modalities=embedding',
        'software.model.2.id=none',
        'software.tool.0.tool_id=search',
        'software.tool.0.name=Search',
        'software.tool.0.version=1.0.0',
        'software.tool.0.requires=net,disk',
        'software.tool.0.estimated_time_ms=250',
        'software.tool.0.stateless=false',
        'software.tool.1.tool_id=calc',
        'software.tool.1.version=2.0.0',
        'software.tool.1.stateless=true',
        'scope:region:eu-west',
        'scope:tenant:acme',
        'scope:subnet-local',
        'inference',
      ].sort(),
    );
    expect({ ...l.metadata }).toEqual({
      note: 'hello',
      'tool::calc::description': 'adds',
      'tool::calc::output_schema': '{"type":"number"}',
      'tool::search::input_schema': '{"type":"object"}',
      'tool::search::streaming': '1',
      'tool::search::tags': ' a ,b',
    });
    expect(Object.keys(l.metadata)).toEqual(Object.keys(l.metadata).sort());
    // A GPU without a vendor emits no vendor tag; the projection reads it as `unknown`.
    expect(lowerCapabilities({ gpu: {} }).tags).toEqual(['hardware.gpu']);
    expect(membershipOf(lowerCapabilities({ gpu: {} }).tags).synthetic).toEqual(new Set(['gpu:present', 'gpu:vendor:unknown']));
  });

  it('validates numbers, ids and enums with errors naming the field', () => {
    expect(() => lowerCapabilities({ cpuCores: 1.5 })).toThrow(/cpuCores/);
    expect(() => lowerCapabilities({ memoryGb: 2 ** 32 })).toThrow(/memoryGb/);
    expect(() => lowerCapabilities({ models: [{ id: '' }] })).toThrow(/models\[0\]\.id/);
    expect(() => lowerCapabilities({ models: [{ id: 'x', modalities: ['smell' as never] }] })).toThrow(/smell/);
    expect(() => lowerCapabilities({ tools: [{ id: 'x', estimatedTimeMs: -1 }] })).toThrow(/estimatedTimeMs/);
    expect(() => lowerCapabilities({ gpu: { fp16Tflops: Number.POSITIVE_INFINITY } })).toThrow(/fp16Tflops/);
    expect(() => lowerCapabilities({ metadata: { k: 5 as never } })).toThrow(/metadata/);
  });

  it('decodes back to the typed view (unknown keys ignored, bad numbers = 0, last wins)', () => {
    const caps = {
      cpuCores: 8,
      memoryGb: 32,
      gpu: { vendor: 'nvidia' as const, model: 'H100', vramGb: 80, fp16Tflops: 98.9 },
      limits: { maxBatchSize: 16 },
      software: { os: 'linux', runtimes: { python: '3.12' } },
      models: [{ id: 'm', family: 'f', parametersB: 70, contextLength: 8192, modalities: ['text' as const, 'code' as const], loaded: true }],
      tools: [{ id: 't', name: 'T', requires: ['x'], estimatedTimeMs: 5, stateless: false, description: 'd', tags: ['p', ' q '] }],
      region: 'eu',
      tags: ['inference'],
    };
    const l = lowerCapabilities(caps);
    const back = decodeCapabilities([...l.tags, 'hardware.unknown_key=1', 'hardware.cpu_threads=lots'], l.metadata);
    expect(back).toMatchObject({
      cpuCores: 8,
      cpuThreads: 0,
      memoryGb: 32,
      gpu: { vendor: 'nvidia', model: 'H100', vramGb: 80, fp16Tflops: 98.9 },
      limits: { maxBatchSize: 16 },
      software: { os: 'linux', runtimes: { python: '3.12' } },
      models: [{ id: 'm', family: 'f', parametersB: 70, contextLength: 8192, modalities: ['text', 'code'], loaded: true }],
      tools: [{ id: 't', name: 'T', version: '1.0.0', requires: ['x'], estimatedTimeMs: 5, stateless: false, description: 'd', tags: ['p', 'q'] }],
      region: 'eu',
      tags: ['inference'],
    });
    expect(decodeCapabilities(['hardware.gpu.vendor=Matrox']).gpu!.vendor).toBe('unknown');
  });

  it('builds reserved tags; empty hashes produce nothing', () => {
    expect(causalTag('ab')).toBe('causal:ab');
    expect(causalTag('ab', 7n)).toBe('causal:ab:7');
    expect(causalRangeTag('ab', 1, 5)).toBe('causal:ab[1..5]');
    expect(causalRangeTag('ab', 5, 5)).toBeUndefined();
    expect(causalTag('')).toBeUndefined();
    expect(forkOfTag('h')).toBe('fork-of:h');
    expect(heatTag('h', 0.5)).toBe('heat:h=0.50');
    expect(heatTag('h', 7)).toBe('heat:h=1.00');
    expect(heatTag('h', -1)).toBe('heat:h=0.00');
    expect(heatTag('h', Number.NaN)).toBeUndefined();
    expect(scopeRegionTag('')).toBeUndefined();
  });

  it('adds substrate tags at announce time: nrpc, ai-tool, exactly one nat', () => {
    const base = lowerCapabilities({ tags: ['nat:old'], tools: [{ id: 'a' }] });
    const merged = mergeSubstrateTags(base, { rpcServices: ['echo'], tools: [{ id: 'a' }, { id: 'b', description: 'B' }], natClass: 'full-cone' });
    expect(merged.tags.filter((t) => t.startsWith('nat:'))).toEqual(['nat:full-cone']);
    expect(merged.tags).toContain('nrpc:echo');
    expect(merged.tags).toContain('ai-tool:a');
    expect(merged.tags).toContain('ai-tool:b');
    expect(merged.tags).toContain('software.tool.1.tool_id=b');
    expect(merged.tags.filter((t) => t.endsWith('tool_id=a')).length).toBe(1);
    expect(merged.metadata['tool::b::description']).toBe('B');
  });
});

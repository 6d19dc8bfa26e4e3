// Python (Pydantic v2) bindings (rpc-tools.md §9.6): `<basename>/{models.py, models.pyi,
// call.py, __init__.py}` per tool, a root `__init__.py` and `_meta.json`.
import { isPythonKeyword, lowerPython, pyString, type PyDecl, type PyModule } from './python-lower.js';
import { HEADER_LINE, generatedFromLine, sourceLine, type GenMeta, type GeneratedFile, type ToolModel } from './tool-model.js';

/** The package directory of a tool: its basename, with `_` appended when that is a Python keyword. */
export function pythonPackage(m: ToolModel): string {
  return isPythonKeyword(m.module) ? `${m.module}_` : m.module;
}

/** Renders every model; a tool whose schema Python cannot express throws (the caller skips it). */
export function renderPythonTool(m: ToolModel, meta: GenMeta): GeneratedFile[] {
  const mod = lowerPython(m);
  const pkg = pythonPackage(m);
  return [
    { path: `${pkg}/models.py`, contents: modelsPy(m, mod, meta) },
    { path: `${pkg}/models.pyi`, contents: modelsPyi(m, mod, meta) },
    { path: `${pkg}/call.py`, contents: callPy(m, mod, meta) },
    { path: `${pkg}/__init__.py`, contents: initPy(m) },
  ];
}

export function renderPythonRoot(models: readonly ToolModel[], meta: GenMeta): GeneratedFile[] {
  const pkgs = models.map(pythonPackage);
  const root = [docstring([HEADER_LINE]), ...pkgs.map((p) => `from . import ${p} as ${p}`)].join('\n') + '\n';
  const metaJson = { format_version: meta.formatVersion, source: meta.sourceLabel, captured_at: meta.capturedAt, language: 'python', modules: pkgs };
  return [
    { path: '__init__.py', contents: root },
    { path: '_meta.json', contents: JSON.stringify(metaJson, null, 2) + '\n' },
  ];
}

/** A docstring; backslashes and triple quotes in the text are escaped. */
export function docstring(lines: string[], indent = ''): string {
  const esc = lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"'));
  if (esc.length === 1) return `${indent}"""${esc[0]}${esc[0]!.endsWith('"') ? ' ' : ''}"""`;
  return [`${indent}"""${esc[0]}`, ...esc.slice(1).map((l) => (l ? `${indent}${l}` : '')), `${indent}"""`].join('\n');
}

function header(m: ToolModel, meta: GenMeta): string {
  return docstring([HEADER_LINE, '', sourceLine(m.desc), generatedFromLine(meta)]);
}

function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

function importLines(mod: PyModule, stub: boolean): string[] {
  const typing = (['Any', 'Literal'] as const).filter((n) => mod.uses.has(n));
  const pydantic = ['BaseModel', ...(stub ? [] : (['ConfigDict', 'Field'] as const).filter((n) => mod.uses.has(n)))];
  const out: string[] = [];
  if (typing.length > 0) out.push(`from typing import ${typing.join(', ')}`);
  if (mod.decls.some((d) => d.kind === 'class')) out.push('', `from pydantic import ${pydantic.join(', ')}`);
  return out;
}

function classPy(d: Extract<PyDecl, { kind: 'class' }>): string {
  const body: string[] = [];
  if (d.doc !== undefined) body.push(docstring(d.doc.split(/\r\n|\r|\n/), '    '), '');
  const config: string[] = [];
  if (d.extra) config.push(`extra=${pyString(d.extra)}`);
  if (d.fields.some((f) => f.alias !== undefined)) config.push('populate_by_name=True');
  if (config.length > 0) body.push(`    model_config = ConfigDict(${config.join(', ')})`, '');
  for (const f of d.fields) {
    let line = `    ${f.attr}: ${f.type}`;
    if (f.alias !== undefined) line += f.required ? ` = Field(alias=${pyString(f.alias)})` : ` = Field(default=None, alias=${pyString(f.alias)})`;
    else if (!f.required) line += ' = None';
    body.push(line);
  }
  while (body.at(-1) === '') body.pop();
  if (body.length === 0) body.push('    pass');
  return [`class ${d.name}(${d.bases.join(', ')}):`, ...body].join('\n');
}

function modelsPy(m: ToolModel, mod: PyModule, meta: GenMeta): string {
  const out = [header(m, meta), '', 'from __future__ import annotations', '', ...importLines(mod, false)];
  for (const d of mod.decls) {
    out.push('', '');
    out.push(d.kind === 'class' ? classPy(d) : `${comment(d.comment)}\n${d.name} = ${d.expr}`);
  }
  if (mod.cyclic) {
    out.push('', '');
    for (const d of mod.decls) if (d.kind === 'class') out.push(`${d.name}.model_rebuild()`);
  }
  return out.join('\n') + '\n';
}

function modelsPyi(m: ToolModel, mod: PyModule, meta: GenMeta): string {
  const out = [header(m, meta), '', ...importLines(mod, true)];
  for (const d of mod.decls) {
    out.push('', '');
    if (d.kind === 'alias') {
      out.push(`${d.name} = ${d.expr}`);
      continue;
    }
    const fields = d.fields.map((f) => `    ${f.attr}: ${f.type}${f.required ? '' : ' = None'}`);
    out.push([`class ${d.name}(${d.bases.join(', ')}):`, ...(fields.length > 0 ? fields : ['    ...'])].join('\n'));
  }
  return out.join('\n') + '\n';
}

function callPy(m: ToolModel, mod: PyModule, meta: GenMeta): string {
  const d = m.desc;
  const fn = `call_${m.module}`;
  const tags = d.tags.length === 1 ? `(${pyString(d.tags[0]!)},)` : `(${d.tags.map(pyString).join(', ')})`;
  const send = mod.requestIsModel ? 'input.model_dump(exclude_none=True, by_alias=True)' : 'cast(dict[str, Any], input)';
  const ret = mod.responseIsModel ? `${m.responseName}.model_validate(raw)` : `cast(${m.responseName}, raw)`;
  const needsCast = !mod.requestIsModel || !mod.responseIsModel;
  return [
    header(m, meta),
    '',
    'from __future__ import annotations',
    '',
    'from dataclasses import dataclass',
    `from typing import Any, Final, Protocol${needsCast ? ', cast' : ''}`,
    '',
    `from .models import ${m.requestName}, ${m.responseName}`,
    '',
    '',
    'class MeshCaller(Protocol):',
    '    """Anything that can call a mesh tool by id (an nRPC client)."""',
    '',
    '    async def call(self, tool_id: str, input: dict[str, Any]) -> dict[str, Any]: ...',
    '',
    '',
    '@dataclass(frozen=True)',
    'class ToolMeta:',
    '    tool_id: str',
    '    version: str',
    '    description: str | None',
    '    streaming: bool',
    '    stateless: bool',
    '    estimated_time_ms: int',
    '    tags: tuple[str, ...]',
    '',
    '',
    `${m.metaName}: Final = ToolMeta(`,
    `    tool_id=${pyString(d.toolId)},`,
    `    version=${pyString(d.version)},`,
    `    description=${d.description === null ? 'None' : pyString(d.description)},`,
    `    streaming=${d.streaming ? 'True' : 'False'},`,
    `    stateless=${d.stateless ? 'True' : 'False'},`,
    `    estimated_time_ms=${d.estimatedTimeMs},`,
    `    tags=${tags},`,
    ')',
    `TOOL_ID: Final = ${m.metaName}.tool_id`,
    `VERSION: Final = ${m.metaName}.version`,
    '',
    '',
    `async def ${fn}(mesh: MeshCaller, input: ${m.requestName}) -> ${m.responseName}:`,
    `    raw = await mesh.call(TOOL_ID, ${send})`,
    `    return ${ret}`,
  ].join('\n') + '\n';
}

function initPy(m: ToolModel): string {
  const fn = `call_${m.module}`;
  const names = [m.requestName, m.responseName, fn, m.metaName, 'TOOL_ID', 'VERSION'];
  return [
    docstring([HEADER_LINE]),
    '',
    `from .call import TOOL_ID, VERSION, ${m.metaName}, ${fn}`,
    `from .models import ${m.requestName}, ${m.responseName}`,
    '',
    `__all__ = [${names.map(pyString).join(', ')}]`,
  ].join('\n') + '\n';
}

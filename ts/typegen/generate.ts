// `typegen generate` without the I/O (rpc-tools.md §9.7): skip schema-less tools (warn), warn
// when nothing is usable, refuse id collisions, skip tools whose schema is unsupported (warn),
// render. The CLI writes the files and prints the result.
import { TypegenError } from '../errors.js';
import type { ToolDescriptor } from '../tools/descriptor.js';
import { basename, collisions, pascal } from './naming.js';
import { renderPythonRoot, renderPythonTool } from './python.js';
import { UnsupportedSchema } from './schema.js';
import { buildToolModel, type GenMeta, type GeneratedFile, type ToolModel } from './tool-model.js';
import { renderTypeScript } from './typescript.js';

export type Language = 'ts' | 'python';

export interface Generated {
  files: GeneratedFile[];
  /** Tools bindings were generated for. */
  toolCount: number;
  /** Tool ids left out (no input schema, or a schema outside the supported subset). */
  skipped: string[];
}

export function generateBindings(descriptors: readonly ToolDescriptor[], language: Language, meta: GenMeta, warn: (message: string) => void): Generated {
  const skipped: string[] = [];
  const usable = descriptors.filter((d) => {
    if (d.inputSchema !== null) return true;
    warn(`tool \`${d.toolId}\` has no input schema; binding skipped`);
    skipped.push(d.toolId);
    return false;
  });
  if (usable.length === 0) warn('no tools to generate (after filters and schema skips); only index and metadata files will be written');
  refuseCollisions(usable.map((d) => d.toolId));

  const models: ToolModel[] = [];
  const toolFiles: GeneratedFile[] = [];
  for (const d of usable) {
    try {
      const m = buildToolModel(d);
      if (language === 'python') toolFiles.push(...renderPythonTool(m, meta));
      models.push(m);
    } catch (e) {
      if (!(e instanceof UnsupportedSchema)) throw e;
      warn(`tool \`${d.toolId}\`: unsupported schema (${e.message}); binding skipped`);
      skipped.push(d.toolId);
    }
  }
  const files = language === 'ts' ? renderTypeScript(models, meta) : [...toolFiles, ...renderPythonRoot(models, meta)];
  return { files, toolCount: models.length, skipped };
}

/**
 * Two ids with the same basename would overwrite each other's files; two with the same
 * Pascal name would export the same identifiers from the index. Either refuses the run (exit 2).
 */
function refuseCollisions(ids: string[]): void {
  const clashes = [...collisions(ids, basename).map(([k, v]) => [`module \`${k}\``, v] as const), ...collisions(ids, pascal).map(([k, v]) => [`name prefix \`${k}\``, v] as const)];
  if (clashes.length === 0) return;
  const detail = clashes.map(([what, v]) => `${what} ← ${v.map((id) => `\`${id}\``).join(', ')}`).join('; ');
  throw new TypegenError('TYPEGEN_COLLISION', `tool ids collide after sanitization and would overwrite each other's generated code: ${detail}. Rename a tool, or narrow the set with --tags / --tools.`, 2);
}

// Emits the declarations of the package entry points into dist/types/ (mirroring ts/) with the
// repository's own TypeScript and tsconfig.json, and keeps only the .d.ts files those entries'
// declarations reach: internals that no public type mentions are not shipped. Fails when a
// shipped declaration imports a package the consumer will not have (not a dependency, not a
// built-in). Cached on a hash of ts/, tsconfig.json and this script; `force` re-emits.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function sourceHash(root) {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(relative(root, p)).update('\0').update(readFileSync(p));
    }
  };
  walk(join(root, 'ts'));
  for (const f of [join(root, 'tsconfig.json'), join(root, 'package.json'), fileURLToPath(import.meta.url)]) h.update(readFileSync(f));
  return h.digest('hex');
}

/** Every .d.ts under ts/ (ambient module declarations the sources rely on). */
function ambientDeclarations(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...ambientDeclarations(p));
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The emitted file a relative specifier names, if any. */
function resolveEmitted(files, from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.m?js$/, (e) => (e === '.mjs' ? '.d.mts' : '.d.ts')), `${base}.d.ts`, join(base, 'index.d.ts')];
  return candidates.find((c) => files.has(c));
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export async function buildTypes({ root, entries, outDir, force = false, log = () => {} }) {
  const hashFile = join(root, 'dist', '.types-hash');
  const hash = sourceHash(root);
  if (!force && existsSync(outDir) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) return;
  const { default: ts } = await import('typescript');
  const srcRoot = join(root, 'ts');
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const options = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    removeComments: false,
    rootDir: srcRoot,
    outDir,
  };
  const program = ts.createProgram({ rootNames: [...entries.map((e) => join(root, e)), ...ambientDeclarations(srcRoot)], options });
  const emitted = new Map();
  const result = program.emit(undefined, (name, text) => emitted.set(resolve(name), text), undefined, true);
  if (result.diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    throw new Error(`declaration emit failed:\n${ts.formatDiagnostics(result.diagnostics, host)}`);
  }

  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const allowed = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }));
  const builtins = new Set((await import('node:module')).builtinModules);
  const keep = new Set();
  const problems = [];
  const queue = entries.map((e) => join(outDir, relative(srcRoot, join(root, e)).replace(/\.ts$/, '.d.ts')));
  while (queue.length > 0) {
    const file = queue.pop();
    if (keep.has(file)) continue;
    const text = emitted.get(file);
    if (text === undefined) {
      problems.push(`${relative(root, file)} was not emitted`);
      continue;
    }
    keep.add(file);
    const info = ts.preProcessFile(text, true, true);
    for (const { fileName: spec } of [...info.importedFiles, ...info.referencedFiles]) {
      if (spec.startsWith('.')) {
        const target = resolveEmitted(emitted, file, spec);
        if (target) queue.push(target);
        else problems.push(`${relative(root, file)} imports ${spec}, which has no declaration`);
      } else if (!spec.startsWith('node:') && !builtins.has(spec) && !allowed.has(packageName(spec))) {
        problems.push(`${relative(root, file)} imports ${spec}, which is not a dependency of the package`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`declarations are not self-contained:\n  ${problems.join('\n  ')}`);

  rmSync(outDir, { recursive: true, force: true });
  for (const file of keep) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, emitted.get(file));
  }
  writeFileSync(hashFile, hash);
  log(`wrote ${keep.size} declaration files to ${relative(root, outDir)}/ (of ${emitted.size} emitted)`);
}

#!/usr/bin/env node
// Generates docs/api.md, the API reference, from the TSDoc comments of the package's public
// exports: the TypeScript compiler API walks what each entry point exports (aliases resolved to
// their declarations) and prints each name's comment, signature and public members.
//
//   node scripts/api-docs.mjs           write docs/api.md
//   node scripts/api-docs.mjs --check   exit 1 when a public export has no TSDoc comment or
//                                       docs/api.md is not what the sources generate
// test/package/api-docs.test.ts runs the same check in `npm test`.
//
// A name's comment is its declaration's; a comment on the re-export in the entry file (e.g.
// `/** ... */ MeshNode,` in ts/index.ts) stands in when the declaration has none.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'docs', 'api.md');

/** Entry points in the order they are documented; `net-mesh` lists only what core lacks. */
const ENTRIES = [
  ['net-mesh/core', 'ts/core/index.ts'],
  ['net-mesh', 'ts/index.ts'],
  ['net-mesh/cli', 'ts/cli/index.ts'],
];

function oneLine(text) {
  return text.replace(/\s+/g, ' ').trim();
}

/** Types as a reader wants them: TypeScript 5.7's default type argument of Uint8Array left out. */
function clean(text) {
  return text.replace(/Uint8Array<ArrayBufferLike>/g, 'Uint8Array');
}

function typeText(checker, type, decl, flags) {
  return clean(checker.typeToString(type, decl, flags));
}

function signatureText(checker, sig, decl, flags) {
  return clean(checker.signatureToString(sig, decl, flags));
}

function kindOf(ts, sym) {
  const f = sym.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'export';
}

function docOf(ts, checker, sym) {
  const text = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
  const tags = sym
    .getJsDocTags(checker)
    .map((t) => `@${t.name}${t.text ? ` ${ts.displayPartsToString(t.text)}` : ''}`)
    .join('\n');
  return [text, tags].filter(Boolean).join('\n\n');
}

function isPublicMember(ts, member) {
  if (member.name.startsWith('#') || member.name.startsWith('__')) return false;
  if ((member.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal'))) return false;
  return (member.declarations ?? []).every((d) => !(ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)));
}

function memberLine(ts, checker, member, decl, prefix) {
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  const type = checker.getTypeOfSymbolAtLocation(member, decl);
  let sig;
  if (member.flags & ts.SymbolFlags.Method) {
    sig = type
      .getCallSignatures()
      .map((s) => `${prefix}${member.name}${signatureText(checker, s, decl, flags)}`)
      .join('`, `');
  } else if (member.flags & ts.SymbolFlags.Constructor) {
    return null;
  } else {
    const ro = ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly || (member.flags & ts.SymbolFlags.GetAccessor && !(member.flags & ts.SymbolFlags.SetAccessor));
    const opt = member.flags & ts.SymbolFlags.Optional ? '?' : '';
    const text = typeText(checker, type, decl, flags);
    sig = `${prefix}${ro ? 'readonly ' : ''}${member.name}${opt}: ${opt ? text.replace(/ \| undefined$/, '') : text}`;
  }
  const doc = oneLine(docOf(ts, checker, member));
  return `- \`${sig}\`${doc ? ` — ${doc}` : ''}`;
}

/** The name reaches the entry point through a type-only export (`export type { X }`) somewhere on its alias chain. */
function isTypeOnlyExport(ts, checker, alias) {
  for (let a = alias; a && a.flags & ts.SymbolFlags.Alias; a = checker.getImmediateAliasedSymbol(a)) {
    if ((a.declarations ?? []).some((d) => ts.isTypeOnlyImportOrExportDeclaration(d))) return true;
  }
  return false;
}

function render(ts, checker, name, sym, alias) {
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  const kind = kindOf(ts, sym);
  const decl = sym.declarations?.[0];
  const doc = docOf(ts, checker, sym) || docOf(ts, checker, alias);
  const lines = [`### \`${name}\` (${kind})`, ''];
  if (doc) lines.push(doc, '');
  const members = [];
  if (kind === 'function') {
    for (const s of checker.getTypeOfSymbolAtLocation(sym, decl).getCallSignatures()) members.push(`- \`${name}${signatureText(checker, s, decl, flags)}\``);
  } else if (kind === 'const') {
    members.push(`- \`const ${name}: ${typeText(checker, checker.getTypeOfSymbolAtLocation(sym, decl), decl, flags)}\``);
  } else if (kind === 'type') {
    members.push(`- \`type ${name} = ${typeText(checker, checker.getDeclaredTypeOfSymbol(sym), decl, flags | ts.TypeFormatFlags.InTypeAlias)}\``);
  } else if (kind === 'class' || kind === 'interface') {
    const heritage = (decl.heritageClauses ?? []).map((h) => oneLine(h.getText())).join(' ');
    if (heritage) lines.push(`\`${kind} ${name} ${heritage}\``, '');
    if (kind === 'class') {
      // A class without a public constructor (private, or created by a factory) shows none, and so
      // does a class exported as a type only (the node hands out its instances, e.g. MeshOs).
      const ctor = sym.members?.get(ts.InternalSymbolName.Constructor);
      const hidden =
        isTypeOnlyExport(ts, checker, alias) ||
        (ctor?.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
      if (!hidden) {
        for (const s of checker.getTypeOfSymbolAtLocation(sym, decl).getConstructSignatures()) {
          const text = signatureText(checker, s, decl, flags | ts.TypeFormatFlags.WriteArrowStyleSignature);
          members.push(`- \`new ${name}${text.slice(0, text.lastIndexOf(' => '))}\``);
        }
      }
      for (const m of sym.exports?.values() ?? []) {
        if (m.flags & ts.SymbolFlags.Prototype || !isPublicMember(ts, m) || !m.declarations?.length) continue;
        const line = memberLine(ts, checker, m, m.declarations[0], 'static ');
        if (line) members.push(line);
      }
    }
    for (const m of sym.members?.values() ?? []) {
      if (!isPublicMember(ts, m) || !m.declarations?.length) continue;
      const line = memberLine(ts, checker, m, m.declarations[0], '');
      if (line) members.push(line);
    }
  }
  lines.push(...members);
  return { text: lines.join('\n').trimEnd(), documented: doc.length > 0 };
}

/** The reference as markdown, and the public names that have no TSDoc comment. */
export async function generateApiDocs() {
  const { default: ts } = await import('typescript');
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram({ rootNames: ENTRIES.map(([, f]) => join(root, f)), options });
  const checker = program.getTypeChecker();
  const undocumented = [];
  const seen = new Set();
  const out = [
    '# net-mesh API reference',
    '',
    'Generated by `node scripts/api-docs.mjs` from the TSDoc comments of the public exports; do not edit by hand.',
    '`net-mesh` re-exports everything of `net-mesh/core`; its section lists only the rest.',
  ];
  for (const [entry, file] of ENTRIES) {
    const sf = program.getSourceFile(join(root, file));
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf));
    const items = [];
    for (const alias of exports.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }))) {
      const sym = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
      if (seen.has(sym)) continue;
      seen.add(sym);
      const r = render(ts, checker, alias.name, sym, alias);
      if (!r.documented) undocumented.push(`${entry}: ${alias.name}`);
      items.push(r.text);
    }
    out.push('', `## \`${entry}\``, '', items.join('\n\n'));
  }
  return { markdown: `${out.join('\n')}\n`, undocumented };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown, undocumented } = await generateApiDocs();
  if (undocumented.length > 0) process.stderr.write(`public exports without a TSDoc comment:\n  ${undocumented.join('\n  ')}\n`);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {}
    if (current !== markdown) process.stderr.write('docs/api.md is out of date: run node scripts/api-docs.mjs\n');
    process.exit(undocumented.length === 0 && current === markdown ? 0 : 1);
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, markdown);
  process.stderr.write(`wrote docs/api.md\n`);
  process.exit(undocumented.length === 0 ? 0 : 1);
}

// The runtime an artifact ships, as JavaScript: every module of runtime/ (tests aside)
// through esbuild without bundling — one .js per .ts, its relative imports unchanged, so
// runtime/wasm/index.js still imports ../core/dtype.js — and its .d.ts from TypeScript's
// isolated declarations (each export carries its type, so no checker and no lib files
// load). bin/build.mjs writes the result to dist/runtime/ once, at `prepare` or when a
// runtime source is newer; the artifact writer, when it runs from the TypeScript sources
// (vitest), makes the same files in memory through this same function, so tests ship the
// bytes users ship.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/** TypeScript (ts-morph's, a dependency), loaded when first needed: it takes half a second. */
let typescript;
const tsApi = () => (typescript ??= createRequire(import.meta.url)('ts-morph').ts);

/** runtime/'s modules, relative to it ('/'-separated), sorted: tests do not ship. */
export function runtimeSources(runtimeDir) {
  return readdirSync(runtimeDir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(/[\\/]/).join('/'))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts'))
    .sort();
}

/**
 * The built runtime: `files`, 'wasm/index.js' → its bytes and 'wasm/index.d.ts' beside
 * each, sorted by name; and `problems`, the modules whose .d.ts could not be made from
 * their text alone (an export without a written type), each with why. A problem leaves
 * that module without a .d.ts rather than failing the build: one target's runtime in
 * progress must not stop the CLI, or another target's artifacts, from building; the
 * artifact writer refuses to ship a folder with a problem. Deterministic: the same
 * sources give the same bytes.
 */
export function buildRuntime(runtimeDir) {
  const sources = runtimeSources(runtimeDir);
  const result = buildSync({
    entryPoints: sources.map((p) => join(runtimeDir, p)),
    outbase: runtimeDir, outdir: '/out', write: false,
    bundle: false, format: 'esm', platform: 'neutral', target: 'es2022',
    // Non-ASCII as written (≥, →) rather than \u escapes; no minifying: a user reads this code.
    charset: 'utf8', logLevel: 'warning',
  });
  const files = new Map();
  const problems = [];
  for (const f of result.outputFiles) files.set(relative('/out', f.path).split(/[\\/]/).join('/'), f.contents);
  for (const p of sources) {
    try {
      files.set(p.replace(/\.ts$/, '.d.ts'), new TextEncoder().encode(declarations(p, readFileSync(join(runtimeDir, p), 'utf8'))));
    } catch (e) {
      problems.push({ file: p, message: e.message });
    }
  }
  return { files: new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), problems };
}

/** A module's .d.ts from its text alone; refuses an export whose type it would have to infer. */
export function declarations(fileName, source) {
  const ts = tsApi();
  const r = ts.transpileDeclaration(source, {
    fileName, reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, declaration: true, isolatedDeclarations: true, strict: true },
  });
  const problem = r.diagnostics?.[0];
  if (problem) throw new Error(`${fileName}: no declarations without a type checker: ${ts.flattenDiagnosticMessageText(problem.messageText, ' ')}`);
  return r.outputText;
}

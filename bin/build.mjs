// Builds the CLI into dist/: compiler/cli/main.ts and everything of kiln it imports,
// bundled by esbuild into ES modules, so that `kiln` starts from plain JavaScript instead
// of transpiling ~300 TypeScript files on every start. Packages stay in node_modules
// (`packages: 'external'`), and each dynamic import() becomes a chunk of its own, loaded
// when first used: the wasm backend and artifact writer, which bring binaryen and
// TypeScript, cost nothing to commands that do not compile.
//
//   node bin/build.mjs      (npm's `prepare` runs it: `npm install` and `npm ci` build)
//
// dist/kiln.js is the entry; dist/inputs.json lists kiln's source files it was built from,
// which bin/kiln.mjs compares with the entry's time to rebuild after an edit. Chunks sit
// beside the entry in dist/ itself.
//
// dist/lib/ is kiln as a library (package.json's exports '.': `import { compile } from
// 'kiln'`): compiler/index.ts bundled the same way but platform-neutral (node: modules
// stay imports, for the parts that need Node: ONNX external data, the Deno bridge), and
// its .d.ts in dist/lib/types/ (bin/types.mjs), rebuilt only when a file they are made of
// is newer. binaryen, ts-morph and TypeScript stay external: compile() loads binaryen when
// it compiles for wasm, and the library never reaches ts-morph or TypeScript.
//
// dist/runtime/ is the runtime artifacts ship (bin/runtime.mjs): one .js and one .d.ts per
// module of runtime/, unbundled, listed in dist/runtime/files.json. The artifact writer,
// bundled into a chunk in dist/, copies them from there; its sources count as inputs, so
// an edit to the runtime rebuilds dist/ like any other.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
export const ENTRY = join(DIST, 'kiln.js');
export const INPUTS = join(DIST, 'inputs.json');
const RUNTIME = join(ROOT, 'runtime');
export const DIST_RUNTIME = join(DIST, 'runtime');
export const DIST_LIB = join(DIST, 'lib');
const LIB_TYPES = join(DIST_LIB, 'types');
const EXTERNAL = ['binaryen', 'ts-morph', 'typescript', 'esbuild'];

/**
 * Bundles the CLI into dist/. Every file is written under a temporary name and renamed
 * into place, the entry last, so a `kiln` started meanwhile (tests spawn many at once,
 * and each may rebuild) sees the old build or the new one, never half of one. Chunk names
 * carry a hash of their contents, so two builds of the same sources write the same files.
 * `clean` empties dist/ first (the prepare step); a rebuild on start leaves old chunks,
 * which a running kiln may still import.
 */
export async function buildCli({ clean = false } = {}) {
  const { build } = await import('esbuild');
  const common = { write: false, metafile: true, bundle: true, splitting: true, format: 'esm', logLevel: 'warning', legalComments: 'none' };
  const [result, lib] = await Promise.all([
    build({ ...common, entryPoints: { kiln: join(ROOT, 'compiler', 'cli', 'main.ts') }, outdir: DIST, platform: 'node', target: 'node20', external: EXTERNAL }),
    build({
      ...common, entryPoints: { index: join(ROOT, 'compiler', 'index.ts'), node: join(ROOT, 'compiler', 'node.ts') }, outdir: DIST_LIB, platform: 'neutral', target: 'es2022',
      mainFields: ['module', 'main'], external: [...EXTERNAL, 'node:*'],
    }),
  ]);
  // Its TypeScript (half a second to load) is loaded only when the runtime is rebuilt.
  const { buildRuntime, runtimeSources } = await import('./runtime.mjs');
  const sources = runtimeInputs(runtimeSources(RUNTIME));
  const runtime = clean || runtimeStale(sources) ? buildRuntime(RUNTIME) : undefined;
  if (clean) rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const files = [...lib.outputFiles, ...result.outputFiles].sort((a, b) => Number(a.path === ENTRY) - Number(b.path === ENTRY));
  // kiln's own sources only: bundled packages move when kiln is installed as a dependency
  // (hoisted beside it), and `npm install`, which changes them, rebuilds through prepare.
  const bundled = [result, lib].flatMap((r) => Object.keys(r.metafile.inputs)).map((p) => relative(ROOT, join(process.cwd(), p))).filter((p) => !p.split(/[\\/]/).includes('node_modules'));
  if (runtime) writeRuntime(runtime, clean);
  const types = await libTypes(clean);
  writeAtomically(INPUTS, JSON.stringify([...new Set([...bundled, ...sources, ...types])], null, 1) + '\n');
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeAtomically(f.path, f.contents);
  }
}

/**
 * dist/lib/types/: the library's .d.ts (bin/types.mjs), when `clean` or when one of the
 * sources listed in its files.json is newer than it. Returns those sources (for inputs.json).
 */
async function libTypes(clean) {
  const list = join(LIB_TYPES, 'files.json');
  const built = statSync(list, { throwIfNoEntry: false })?.mtimeMs;
  if (!clean && built !== undefined) {
    const { sources } = JSON.parse(readFileSync(list, 'utf8'));
    if (sources.every((p) => (statSync(join(ROOT, p), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= built)) return sources;
  }
  const { buildTypes, typeClosure } = await import('./types.mjs');
  const entries = ['compiler/index.ts', 'compiler/node.ts'];
  const sources = ['bin/types.mjs', ...new Set(entries.flatMap((e) => typeClosure(ROOT, e)))];
  for (const entry of entries) {
    for (const [name, text] of buildTypes(ROOT, entry)) {
      mkdirSync(dirname(join(LIB_TYPES, name)), { recursive: true });
      writeAtomically(join(LIB_TYPES, name), text);
    }
  }
  writeAtomically(list, JSON.stringify({ sources }, null, 1) + '\n');
  return sources;
}

/**
 * dist/runtime/: each built file, then files.json, what the artifact writer ships from:
 * the files, and the modules left without a .d.ts. `prepare` warns of those; a rebuild on
 * start stays quiet (its stderr is the command's), and compiling for that target says why.
 */
function writeRuntime({ files, problems }, warn) {
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(DIST_RUNTIME, name)), { recursive: true });
    writeAtomically(join(DIST_RUNTIME, name), bytes);
  }
  if (warn) for (const p of problems) console.error(`kiln build: warning: runtime/${p.file}: no .d.ts, so artifacts cannot ship it: ${p.message}`);
  writeAtomically(join(DIST_RUNTIME, 'files.json'), JSON.stringify({ files: [...files.keys()], problems }, null, 1) + '\n');
}

/**
 * The runtime's sources and its folders, relative to the repository (and bin/runtime.mjs): the artifact ships
 * modules the CLI never imports (runtime/webgpu), and a folder's time moves when a module
 * is added, removed or renamed.
 */
function runtimeInputs(modules) {
  const sources = modules.map((p) => `runtime/${p}`);
  // The build's own script too: a change to how the runtime is built rebuilds it.
  return ['bin/runtime.mjs', ...new Set(['runtime', ...sources.map((p) => dirname(p))]), ...sources];
}

/** Whether dist/runtime/ is missing or older than one of `inputs`. */
function runtimeStale(inputs) {
  const built = statSync(join(DIST_RUNTIME, 'files.json'), { throwIfNoEntry: false })?.mtimeMs;
  return built === undefined || inputs.some((p) => statSync(join(ROOT, p)).mtimeMs > built);
}

function writeAtomically(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli({ clean: true });

// The runtime an artifact ships, as built JavaScript (bin/runtime.mjs): never transpiled
// per compile. From the bundled CLI (dist/), the files `prepare` or bin/kiln.mjs's
// rebuild wrote to dist/runtime/, beside this code's chunk; bin/kiln.mjs rebuilds them
// when a runtime source is newer. From the TypeScript sources (vitest, tsx), built once
// per process by the same function into memory, so tests ship the CLI's bytes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRuntime, type RuntimeProblem } from '../../bin/runtime.mjs';

/** This module runs as TypeScript (tests) rather than as the dist/ bundle. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

interface Built {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly problems: readonly RuntimeProblem[];
}

let built: Built | undefined;

/**
 * The runtime's files for an artifact whose target needs runtime `folders` (wasm: core and
 * wasm), as [path under runtime/, bytes], sorted: each module's .js and .d.ts. Refuses
 * folders where a module has no .d.ts (bin/runtime.mjs says why).
 */
export function runtimeFiles(folders: readonly string[]): [string, Uint8Array][] {
  built ??= FROM_SOURCES ? buildRuntime(join(import.meta.dirname, '..', '..', 'runtime')) : readBuilt(builtDir());
  const inFolders = (name: string) => folders.includes(name.split('/')[0]);
  const problem = built.problems.find((p) => inFolders(p.file));
  if (problem) throw new Error(`kiln: runtime/${problem.file} has no declarations to ship: ${problem.message}`);
  return [...built.files].filter(([name]) => inFolders(name));
}

/** dist/runtime/: beside the CLI's chunks (dist/), or one up from the library's (dist/lib/). */
function builtDir(): string {
  const beside = join(import.meta.dirname, 'runtime');
  return existsSync(beside) ? beside : join(import.meta.dirname, '..', 'runtime');
}

/** dist/runtime/'s files, as its files.json lists them. */
function readBuilt(dir: string): Built {
  let list: { files: string[]; problems: RuntimeProblem[] };
  try {
    list = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as typeof list;
  } catch (e) {
    throw new Error(`kiln: the built runtime is missing from ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)}); run \`npm run prepare\``);
  }
  return { files: new Map(list.files.map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))])), problems: list.problems };
}

// The library's .d.ts (dist/lib/types/): TypeScript's declaration emit over only the files
// the public API's types reach, not the ~300 the compiler is made of. The closure is found
// by following the imports of each file's isolated declarations (TypeScript's per-file
// transpileDeclaration: no checker, milliseconds), then one program over just those files
// (`noResolve`: a function body's dynamic import() of the compiler is not followed; the
// declarations never need it) emits them with the checker, which infers what the isolated
// pass cannot (ir/opcodes.ts's tables). Type-checking the whole project (`tsc --noEmit`)
// takes 45 s here (23 s CPU); this takes 1-2 s of CPU, most of it loading TypeScript.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ts = () => createRequire(import.meta.url)('ts-morph').ts;

/** Repository-relative paths of the .ts files whose declarations `entry`'s declarations reach, `entry` first. */
export function typeClosure(root, entry) {
  const t = ts();
  const seen = new Set();
  const todo = [entry];
  while (todo.length) {
    const file = todo.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    const out = t.transpileDeclaration(readFileSync(join(root, file), 'utf8'), {
      fileName: file, compilerOptions: { module: t.ModuleKind.ES2022, target: t.ScriptTarget.ES2022, declaration: true, isolatedDeclarations: true, strict: true },
    }).outputText;
    for (const [, spec] of out.matchAll(/(?:from\s+|import\()'(\.{1,2}\/[^']+)'/g))
      todo.push(relative(root, join(root, dirname(file), spec)).split(/[\\/]/).join('/').replace(/\.js$/, '.ts'));
  }
  return [...seen];
}

/** 'compiler/index.d.ts' → its text, for `entry` and every file its types reach. */
export function buildTypes(root, entry) {
  const t = ts();
  const files = typeClosure(root, entry);
  const program = t.createProgram(files.map((f) => join(root, f)), {
    declaration: true, emitDeclarationOnly: true, noResolve: true, strict: true, skipLibCheck: true, types: [],
    target: t.ScriptTarget.ES2022, module: t.ModuleKind.NodeNext, moduleResolution: t.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'], rootDir: root, outDir: join(root, '.types'),
  });
  const out = new Map();
  program.emit(undefined, (name, text) => out.set(relative(join(root, '.types'), name).split(/[\\/]/).join('/'), text), undefined, true);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

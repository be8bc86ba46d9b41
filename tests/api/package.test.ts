// kiln as a package, built (dist/lib/, dist/runtime/) and reached through package.json's
// exports: by its own name from a script in this repository (self-reference), as an installed
// copy from another project (the files `npm pack` would ship, nothing more), and what
// importing it loads. Also runs docs/api.md's example, so the documentation cannot rot.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/kiln.js';

const HEAVY = /\/node_modules\/(binaryen|ts-morph|typescript|tsx)\//;
const dirs: string[] = [];

/** A fresh folder: under the repository (tmp/ is ignored) for self-reference, elsewhere for an installed copy. */
function folder(inRepo: boolean): string {
  const base = inRepo ? join(ROOT, 'tmp') : tmpdir();
  mkdirSync(base, { recursive: true });
  const d = mkdtempSync(join(base, 'kiln-api-'));
  dirs.push(d);
  return d;
}

/** Runs `script` (ES module text) with node in `dir`; every URL Node resolves is written to `resolved.log`. */
function node(dir: string, script: string): { status: number | null; stdout: string; stderr: string; resolved: string[] } {
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(join(dir, 'resolved.log'))}, r.url + '\\n');
  return r;
}\n`);
  writeFileSync(join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  writeFileSync(join(dir, 'resolved.log'), '');
  writeFileSync(join(dir, 'main.mjs'), script);
  const r = spawnSync(process.execPath, ['--import', './register.mjs', 'main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, resolved: readFileSync(join(dir, 'resolved.log'), 'utf8').split('\n').filter(Boolean) };
}

const RUN_MODEL = `import { compile } from 'kiln';
const hlo = 'HloModule m\\nENTRY e {\\n  x = f32[3] parameter(0)\\n  ROOT y = f32[3] multiply(x, x)\\n}';
const exe = await compile(hlo);
const { y } = await exe.run([new Float32Array([1, 2, 3])]);
await exe.dispose();
console.log(exe.backend, y.dtype, JSON.stringify(y.dims), Array.from(y.data).join(','));
`;

beforeAll(() => {
  // dist/ as the sources are now (what prepare and bin/kiln.mjs build).
  const r = spawnSync(process.execPath, ['-e', "import('./bin/build.mjs').then((b) => b.buildCli())"], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
});
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe("the package by its own name (package.json's exports)", () => {
  it("import('kiln') loads no binaryen, ts-morph, TypeScript or tsx; compiling for wasm loads binaryen", () => {
    const dir = folder(true);
    const imported = node(dir, "const t = performance.now();\nconst kiln = await import('kiln');\nconsole.log(Object.keys(kiln).sort().join(','), (performance.now() - t).toFixed(1));\n");
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout.split(' ')[0]).toBe('KilnError,Tensor,clearExecutables,compile,fromOnnx,grad,jit,jvp,nn,numpy,optim,random,setBackend,setCacheDir,treeMap,valueAndGrad,vjp,vmap');
    expect(imported.resolved.some((u) => u.endsWith('/dist/lib/index.js'))).toBe(true);
    expect(imported.resolved.filter((u) => HEAVY.test(u))).toEqual([]);
    const ran = node(dir, RUN_MODEL);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout.trim()).toBe('wasm f32 [3] 1,4,9');
    expect(ran.resolved.some((u) => /\/node_modules\/binaryen\//.test(u))).toBe(true);
    expect(ran.resolved.filter((u) => /\/node_modules\/(ts-morph|typescript|tsx)\//.test(u))).toEqual([]);
  });

  it('runs on webgpu from the built package (the Deno host found from dist/lib/), and the process exits after dispose', (ctx) => {
    const r = node(folder(true), `import { compile, KilnError } from 'kiln';
try {
  const exe = await compile('HloModule m\\nENTRY e {\\n  x = f32[3] parameter(0)\\n  ROOT y = f32[3] multiply(x, x)\\n}', { backend: 'webgpu' });
  const { y } = await exe.run([new Float32Array([1, 2, 3])]);
  await exe.dispose();
  console.log(Array.from(y.data).join(','));
} catch (e) {
  if (!(e instanceof KilnError) || e.code !== 5) throw e;
  console.log('unavailable: ' + e.message);
}
`);
    expect(r.status, r.stderr).toBe(0);
    if (r.stdout.startsWith('unavailable')) ctx.skip();
    expect(r.stdout.trim()).toBe('1,4,9');
  });

  it("'kiln/runtime' and its targets resolve to the built runtime, without the compiler", () => {
    const dir = folder(true);
    const r = node(dir, `import * as runtime from 'kiln/runtime';
import { loadModel } from 'kiln/runtime/wasm';
import * as gpu from 'kiln/runtime/webgpu';
import * as cuda from 'kiln/runtime/cuda';
console.log(Object.keys(runtime).sort().join(','), typeof loadModel, typeof gpu.loadModel, runtime.wasm.loadModel === loadModel, runtime.cuda.loadModel === cuda.loadModel);\n`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ARRAY_OF,ELEMENT_BYTES,cuda,elementCount,wasm,webgpu function function true true');
    expect(r.resolved.filter((u) => u.includes('/dist/') && !u.includes('/dist/runtime/'))).toEqual([]);
  });

  it("runs docs/api.md's examples and prints what the page says", () => {
    const doc = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
    const examples = [...doc.matchAll(/## [^\n]*example\n[\s\S]*?```js\n([\s\S]*?)```[\s\S]*?```text\n([\s\S]*?)```/g)];
    expect(examples.length).toBe(2);
    for (const [, code, printed] of examples) {
      const r = node(folder(true), code);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(printed);
    }
  });
});

describe('in a browser bundle', () => {
  it("esbuild bundles import { compile } from 'kiln' for the browser, node: modules left out; binaryen stays a lazy chunk", async () => {
    const { build } = await import('esbuild');
    const dir = folder(true);
    writeFileSync(join(dir, 'app.mjs'), "import { compile } from 'kiln';\nexport const run = (hlo) => compile(hlo, { backend: 'wasm' });\n");
    const r = await build({
      entryPoints: [join(dir, 'app.mjs')], outdir: join(dir, 'out'), bundle: true, splitting: true, format: 'esm',
      platform: 'browser', external: ['node:*'], write: false, metafile: true, logLevel: 'silent',
    });
    const outputs = r.metafile.outputs;
    const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint?.endsWith('app.mjs'))!;
    expect(entry).toBeDefined();
    const eager = new Set<string>();
    const walk = (f: string) => { if (eager.has(f)) return; eager.add(f); for (const i of outputs[f]?.imports ?? []) if (i.kind === 'import-statement') walk(i.path); };
    walk(entry);
    expect(eager.size).toBeGreaterThan(1);
    expect([...eager].filter((f) => f.startsWith('node:'))).toEqual([]);
    const eagerInputs = [...eager].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {}));
    expect(eagerInputs.filter((i) => /node_modules\/binaryen\//.test(i))).toEqual([]);
    expect(Object.values(outputs).some((o) => Object.keys(o.inputs).some((i) => /node_modules\/binaryen\//.test(i)))).toBe(true);
  });
});

describe('an installed copy, from another project', () => {
  it("npm pack's files, installed beside kiln's dependencies: import { compile } from 'kiln' runs a model", () => {
    // What `npm pack` would put in the tarball (no scripts: dist/ is built above), copied as
    // npm would unpack it; the dependencies linked from this repository's node_modules.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', shell: process.platform === 'win32' });
    expect(pack.status, pack.stderr).toBe(0);
    const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/lib/index.js', 'dist/lib/types/compiler/index.d.ts', 'dist/runtime/index.js', 'dist/runtime/wasm/index.d.ts']));
    const project = folder(false);
    const kiln = join(project, 'node_modules', 'kiln');
    for (const f of files) {
      mkdirSync(dirname(join(kiln, f)), { recursive: true });
      cpSync(join(ROOT, f), join(kiln, f));
    }
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies)) {
      mkdirSync(dirname(join(project, 'node_modules', dep)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
    }
    writeFileSync(join(project, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    const r = node(project, RUN_MODEL);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('wasm f32 [3] 1,4,9');
    // Node resolves to real paths (a temporary folder may sit behind a symlink, as on macOS).
    expect(r.resolved.some((u) => u.includes(`${realpathSync(project)}/node_modules/kiln/dist/lib/index.js`))).toBe(true);
    // The types, as a TypeScript app sees them through exports: right where right, an error where not (not `any`).
    writeFileSync(join(project, 'app.ts'), `import { compile, KilnError, type Executable, type Output } from 'kiln';
import { wasm, type TypedArray } from 'kiln/runtime';
import { grad, jit, numpy as np, type Tensor } from 'kiln';
const g: Tensor = grad((x: Tensor) => np.sum(np.square(x)))(np.ones([2]));
const y: Tensor = jit((x: Tensor) => np.add(x, 1))(np.ones([2]));
// @ts-expect-error: the gradient of a function of a tensor is a tensor, not a number
const n: number = grad((x: Tensor) => np.sum(x))(np.ones([2]));
void g; void y; void n;
const exe: Executable = await compile('HloModule m', { backend: 'wasm', threads: 2 });
const out: Record<string, Output> = await exe.run({ x: new Float32Array(3) });
const data: TypedArray = out.y.data;
const code: 2 | 3 | 4 | 5 | 70 = new KilnError(3, 'error', 'x').code;
// @ts-expect-error: a model is a string, a Uint8Array or a Module
await compile(42);
// @ts-expect-error: no such backend
await compile('', { backend: 'cuda' });
void wasm.loadModel; void data; void code;
`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['ES2022', 'DOM'] },
      files: ['app.ts'],
    }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});

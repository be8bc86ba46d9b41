// `kiln compile --target cuda` as users run it: the folder's files, the manifest, the same
// bytes every time, --arch and --no-ptx, and its own model.js loaded in Node through the
// fake driver (tests/cuda/fake_libcuda.cpp) running the folder's model.cu on the CPU. Also
// `run`, `compare` and `bench --backend cuda-cpu`, `--backend cuda` where there is no
// driver (exit code 5, one line saying why) and through the fake driver (KILN_CUDA_DRIVER).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cudaModelId } from '../../compiler/cuda/backends.js';
import { compileForCuda, writeFiles } from '../../compiler/cuda/cpu_backend.js';
import { loadModule } from '../../compiler/load.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import type { CudaManifest } from '../../runtime/cuda/manifest.js';
import { identifier } from '../../targets/cuda/names.js';
import { noGxx, noNvcc } from '../cuda/cuda_cases.js';
import { buildFakeDriver, buildFakeKernels } from '../cuda/fake_driver.js';
import { KILN, kiln, ROOT } from './kiln.js';

const LENET = join(ROOT, 'examples', 'lenet5.hlo');
const MLP = join(ROOT, 'examples', 'mlp.hlo');
const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-cuda-'));
const haveRealDriver = /libcuda\.so\.1\b/.test(spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '');

const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/')).sort();
const manifestOf = (folder: string): CudaManifest => JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8')) as CudaManifest;
const leaves = (l: Literal): ArrayLiteral[] => ('data' in l ? [l] : l.elements.flatMap(leaves));

/** `kiln ARGS` with `env` added to this process's. */
function kilnWith(args: readonly string[], env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [KILN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function compileTo(name: string, ...flags: string[]): string {
  const out = join(dir, name);
  const r = kiln(['compile', LENET, '--target', 'cuda', '-o', out, ...flags]);
  expect(r.status, r.stderr).toBe(0);
  return out;
}

describe('kiln compile --target cuda', () => {
  let lenet = '';
  beforeAll(() => { lenet = compileTo('lenet5'); }, 120_000);

  it('writes CUDA C, the manifest, the weights, the PTX (where nvcc is), the runtime and the wrapper', () => {
    const files = filesUnder(lenet);
    const expected = ['model.cu', 'model.h', 'model.json', 'weights.bin', 'model.js', 'model.d.ts', 'package.json', ...(noNvcc ? [] : ['model.ptx'])];
    for (const f of expected) expect(files).toContain(f);
    if (noNvcc) expect(files).not.toContain('model.ptx');
    for (const f of ['runtime/cuda/index.js', 'runtime/cuda/index.d.ts', 'runtime/cuda/driver.js', 'runtime/cuda/manifest.js', 'runtime/core/dtype.js'])
      expect(files).toContain(f);
    expect(files.filter((f) => f.startsWith('runtime/') && !/^runtime\/(core|cuda)\//.test(f))).toEqual([]);
    const h = readFileSync(join(lenet, 'model.h'), 'utf8');
    for (const fn of ['kiln_lenet5_create', 'kiln_lenet5_run', 'kiln_lenet5_destroy']) expect(h).toContain(`${fn}(`);
    const dts = readFileSync(join(lenet, 'model.d.ts'), 'utf8');
    expect(dts).toMatch(/export declare function load\(opts\?: \{/);
    expect(dts).toMatch(/image: Float32Array;/);
    expect(dts).toMatch(/logits: Float32Array;/);
    expect(JSON.parse(readFileSync(join(lenet, 'package.json'), 'utf8'))).toMatchObject({ type: 'module', main: 'model.js', dependencies: { koffi: '^2' } });
  });

  it('model.json is the compiler\'s manifest, naming model.ptx when built', () => {
    const m = loadModule(LENET);
    const man = manifestOf(lenet);
    expect(man).toMatchObject({ format: 'kiln-cuda/1', name: 'lenet5', id: 'lenet5', arch: 'sm_90', weights: 'weights.bin' });
    expect(man.ptx).toBe(noNvcc ? undefined : 'model.ptx');
    expect(readFileSync(join(lenet, 'weights.bin')).byteLength).toBe(man.constantsBytes);
    expect(man.inputs.map((t) => t.name)).toEqual(m.entry.params.map((p) => p.name));
    expect(man.outputs.map((t) => t.name)).toEqual(['logits']);
    if (!noNvcc) expect(readFileSync(join(lenet, 'model.ptx'), 'utf8')).toMatch(/\.target sm_90/);
  });

  it('model.cu has one __global__ per kernel, named after its fusion', () => {
    const cu = readFileSync(join(lenet, 'model.cu'), 'utf8');
    const man = manifestOf(lenet);
    const globals = [...cu.matchAll(/^extern "C" __global__ void (?:__launch_bounds__\([^)]*\) )?(\w+)\(/gm)].map((x) => x[1]);
    expect(globals).toEqual(man.kernels.map((k) => k.entry));
    expect(cu.match(/__global__/g)).toHaveLength(man.kernels.length);
    expect(man.kernels.map((k) => k.source)).toEqual(expect.arrayContaining(['fusion', 'fusion.1']));
    for (const k of man.kernels) expect(k.entry).toMatch(new RegExp(`^lenet5_k\\d+_${identifier(k.source)}$`));
  });

  it('gives the same bytes for the same input', () => {
    const again = compileTo('lenet5-again');
    const files = filesUnder(lenet);
    expect(filesUnder(again)).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(lenet, f))), f).toBe(true);
  });

  it('--no-ptx writes no model.ptx and names none; --arch names the architecture and builds for it', () => {
    const plain = compileTo('lenet5-no-ptx', '--no-ptx', '--arch', 'sm_80');
    expect(filesUnder(plain)).not.toContain('model.ptx');
    expect(manifestOf(plain).ptx).toBeUndefined();
    expect(manifestOf(plain).arch).toBe('sm_80');
    expect(readFileSync(join(plain, 'model.cu'))).toEqual(readFileSync(join(lenet, 'model.cu')));
    if (noNvcc) return;
    const sm80 = compileTo('lenet5-sm80', '--arch', 'sm_80');
    expect(readFileSync(join(sm80, 'model.ptx'), 'utf8')).toMatch(/\.target sm_80/);
  });

  it('refuses flags of other targets, and --arch elsewhere (exit code 2)', () => {
    for (const args of [['--target', 'cuda', '--threads'], ['--target', 'cuda', '--arch', 'ninety'], ['--target', 'wasm', '--arch', 'sm_90'], ['--target', 'wgsl', '--no-ptx']]) {
      const r = kiln(['compile', MLP, '-o', join(dir, 'refused'), ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
  });

  it('without nvcc writes no model.ptx and warns once', async () => {
    vi.resetModules();
    vi.doMock('../../compiler/cuda/nvcc.js', async (original) => ({ ...(await original<object>()), cudaTool: () => undefined }));
    try {
      const { buildCudaArtifact } = await import('../../compiler/artifact/cuda.js');
      const warnings: string[] = [];
      const art = await buildCudaArtifact(loadModule(MLP), { warn: (line) => warnings.push(line) });
      expect([...art.files.keys()]).not.toContain('model.ptx');
      expect(art.manifest.ptx).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^no nvcc .*nvcc -ptx -arch=sm_90/);
    } finally {
      vi.doUnmock('../../compiler/cuda/nvcc.js');
      vi.resetModules();
    }
  });
});

describe.skipIf(noGxx !== undefined || noNvcc !== undefined)('a CUDA folder through the fake driver', () => {
  let work = '';
  let library = '';
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kiln-cli-cuda-fake-'));
    // The folder's package.json asks for koffi; kiln's node_modules has it, one folder up, as an `npm install` there would.
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
    library = await buildFakeDriver(work);
  }, 120_000);

  it("the folder's own model.js loads model.json, model.ptx and weights.bin and runs", async () => {
    const folder = join(work, 'mlp');
    const r = kiln(['compile', MLP, '--target', 'cuda', '-o', folder]);
    expect(r.status, r.stderr).toBe(0);
    // The fake runs the folder's own model.cu, built for the CPU.
    const kernels = await buildFakeKernels([join(folder, 'model.cu')], join(work, 'mlp.so'));
    const m = loadModule(MLP);
    const args = randomInputs(m.entry.params.map((p) => p.shape), 3) as ArrayLiteral[];
    const inputs = Object.fromEntries(m.entry.params.map((p, i) => [p.name, [...args[i].data as Float64Array]]));
    writeFileSync(join(work, 'inputs.json'), JSON.stringify(inputs));
    const script = `
      import { readFileSync } from 'node:fs';
      import { load } from ${JSON.stringify(pathToFileURL(join(folder, 'model.js')).href)};
      const raw = JSON.parse(readFileSync(${JSON.stringify(join(work, 'inputs.json'))}, 'utf8'));
      const model = await load({ library: ${JSON.stringify(library)} });
      const out = await model.run(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Float32Array.from(v)])));
      console.log(JSON.stringify({ device: model.deviceName, out: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]])) }));
      model.dispose();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, KILN_FAKE_CUDA_KERNELS: kernels } });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(run.stdout) as { device: string; out: Record<string, number[]> };
    expect(got.device).toMatch(/Fake CUDA device/);
    const want = leaves(interpret(m, args));
    Object.values(got.out).forEach((values, k) => values.forEach((v, i) => expect(v).toBeCloseTo(Number(want[k].data[i]), 5)));
  }, 120_000);

  it('kiln run and compare --backend cuda run through KILN_CUDA_DRIVER', async () => {
    // The cuda backend names the first model of a process `<module>_0`: the fake's kernels must carry that id.
    const m = loadModule(MLP);
    const folder = join(work, 'backend');
    writeFiles(folder, compileForCuda(m, cudaModelId(m, 0)).artifact);
    const kernels = await buildFakeKernels([join(folder, 'model.cu')], join(work, 'backend.so'));
    const env = { KILN_CUDA_DRIVER: library, KILN_FAKE_CUDA_KERNELS: kernels };
    const ran = kilnWith(['run', MLP, '--random', '1', '--backend', 'cuda'], env);
    expect(ran.status, ran.stderr).toBe(0);
    const reference = kiln(['run', MLP, '--random', '1', '--backend', 'cuda-cpu']);
    expect(ran.stdout).toBe(reference.stdout);
    const compared = kilnWith(['compare', MLP, '--random', '1', '--backend', 'cuda'], env);
    expect(compared.status, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/0 out of tolerance\s+ok/);
  }, 120_000);
});

describe('run, compare and bench on the CUDA backends', () => {
  it.skipIf(noGxx !== undefined)('--backend cuda-cpu runs, compares with the interpreter and benches', () => {
    const ran = kiln(['run', MLP, '--random', '1', '--backend', 'cuda-cpu']);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^0: f32\[2,4\] \{/);
    const compared = kiln(['compare', MLP, '--random', '1', '--backend', 'cuda-cpu']);
    expect(compared.status, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/0 out of tolerance\s+ok/);
    const bench = kiln(['bench', MLP, '--random', '1', '--backend', 'cuda-cpu', '--reps', '2', '--warmup', '0', '--json']);
    expect(bench.status, bench.stderr).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({ backend: 'cuda-cpu', reps: 2 });
  }, 120_000);

  it.skipIf(haveRealDriver || noNvcc !== undefined)('--backend cuda without an NVIDIA driver: exit code 5 and one line saying why', () => {
    for (const command of ['run', 'compare', 'bench']) {
      const r = kilnWith([command, MLP, '--backend', 'cuda'], { KILN_CUDA_DRIVER: undefined });
      expect(r.status, r.stderr).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^kiln ${command}: unavailable: backend cuda is not available here: no NVIDIA driver: libcuda\\.so\\.1 could not be loaded`));
    }
  });
});

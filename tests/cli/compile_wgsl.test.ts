// `kiln compile --target wgsl` as users run it, and the folder it writes run outside kiln:
// Deno imports the folder's own model.js, which fetches its shaders and weights beside it
// and runs them through the runtime it ships on navigator.gpu (lavapipe without a GPU).
// Also: `run`, `compare` and `bench --backend webgpu`, and exit code 5 where no WebGPU
// adapter can be had. The Deno parts are skipped, saying why, where WebGPU is unavailable.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildWebGpuArtifact } from '../../compiler/artifact/webgpu.js';
import { loadModule } from '../../compiler/load.js';
import { randomInputs } from '../../compiler/random.js';
import { denoBinary } from '../../compiler/webgpu/bridge.js';
import { webgpuUnavailable } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import { KILN, kiln, ROOT } from './kiln.js';

const MLP = join(ROOT, 'examples', 'mlp.hlo');
const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-wgsl-'));
const WHY_NOT = await webgpuUnavailable();
if (WHY_NOT) console.warn(`tests/cli/compile_wgsl: WebGPU parts skipped: ${WHY_NOT}`);

/** A model with constants (so weights.bin) and two named outputs. */
const AFFINE = `HloModule affine
ENTRY main {
  x = f32[2,3] parameter(0)
  w = f32[3,4] constant({ { 1, -2, 0.5, 3 }, { 0.25, 1, -1, 2 }, { -0.5, 0.75, 2, -3 } })
  d = f32[2,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  b = f32[4] constant({ 0.5, -1, 2, 0.25 })
  bb = f32[2,4] broadcast(b), dimensions={1}
  y = f32[2,4] add(d, bb)
  zero = f32[] constant(0)
  zz = f32[2,4] broadcast(zero), dimensions={}
  relu = f32[2,4] maximum(y, zz)
  ROOT t = (f32[2,4], f32[2,4]) tuple(y, relu)
}
`;

const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/')).sort();

/** Runs `script` in Deno as a user would: WebGPU on Vulkan (lavapipe here), reading files only. */
function deno(script: string, env: Record<string, string> = {}) {
  const r = spawnSync(denoBinary()!, ['run', '--quiet', '--no-lock', '--no-config', '--allow-read', '--allow-env', script], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, DENO_WEBGPU_BACKEND: 'vulkan', XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'kiln-deno-')), DENO_NO_UPDATE_CHECK: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Deno script that loads `folder` through its model.js on navigator.gpu and prints its outputs for the inputs in `inputs/`. */
const RUNNER = (folder: string) => `
const mod = await import(${JSON.stringify(pathToFileURL(join(folder, 'model.js')).href)});
const ARRAY = { f32: Float32Array, s32: Int32Array, u32: Uint32Array, u8: Uint8Array, pred: Uint8Array };
const adapter = await navigator.gpu.requestAdapter();
const device = await adapter.requestDevice();
const model = await mod.load(device);
const inputs = {};
for (const [i, t] of mod.manifest.inputs.entries())
  inputs[t.name] = new ARRAY[t.dtype]((await Deno.readFile(${JSON.stringify(join(folder, 'inputs'))} + '/' + i + '.bin')).buffer);
const out = await model.run(inputs);
model.dispose();
console.log(JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]))));
`;

const leaves = (l: Literal): ArrayLiteral[] => ('data' in l ? [l] : l.elements.flatMap(leaves));

describe('kiln compile --target wgsl', () => {
  it('writes shaders, model.json, the webgpu runtime and the wrapper, the same bytes twice and as the writer from the sources', () => {
    const a = join(dir, 'a'), b = join(dir, 'b');
    for (const out of [a, b]) {
      const r = kiln(['compile', MLP, '--target', 'wgsl', '-o', out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const files = filesUnder(a);
    expect(files).toEqual(filesUnder(b));
    for (const f of files) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    expect(files.filter((f) => f.startsWith('shaders/')).length).toBeGreaterThan(0);
    expect(files).toEqual(expect.arrayContaining(['model.json', 'model.js', 'model.d.ts', 'package.json', 'runtime/webgpu/index.js', 'runtime/webgpu/index.d.ts', 'runtime/core/dtype.js']));
    expect(files.some((f) => f.startsWith('runtime/wasm/'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(a, 'model.json'), 'utf8')) as { format: string; outputs: { name: string }[]; shaders: { file: string }[] };
    expect(manifest.format).toBe('kiln-webgpu/1');
    expect(manifest.outputs.map((t) => t.name)).toEqual(['probs']);
    expect(manifest.shaders.map((s) => s.file).sort()).toEqual(files.filter((f) => f.startsWith('shaders/')));
    const types = readFileSync(join(a, 'model.d.ts'), 'utf8');
    expect(types).toContain('export declare function load(device: GPUDevice, read?: (name: string) => Promise<Uint8Array>): Promise<CompiledModel>;');
    expect(types).toMatch(/interface Outputs \{[^}]*\n\s*probs: Float32Array;/);
    // The CLI (dist/runtime/) ships the bytes the artifact writer makes from the sources.
    const art = buildWebGpuArtifact(loadModule(MLP));
    expect([...art.files.keys()].sort()).toEqual(files);
    for (const [name, bytes] of art.files) expect(Buffer.from(bytes).equals(readFileSync(join(a, name))), name).toBe(true);
  });

  it('refuses a model with f64 values: exit code 4, naming the kernel', () => {
    const f64 = join(dir, 'f64.hlo');
    writeFileSync(f64, 'HloModule d\nENTRY main {\n  x = f64[4] parameter(0)\n  ROOT y = f64[4] negate(x)\n}\n');
    const r = kiln(['compile', f64, '--target', 'wgsl', '-o', join(dir, 'f64')]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^kiln compile: not compiled: k0_y: f64 buffer y: WGSL has no 64-bit floats/);
  });

  it("refuses wasm's options: exit code 2", () => {
    const r = kiln(['compile', MLP, '--target', 'wgsl', '--weights-file', '-o', join(dir, 'opt')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--weights-file applies to --target wasm only');
  });

  it.skipIf(WHY_NOT)('runs in Deno through its own model.js and navigator.gpu, matching the interpreter', { timeout: 90_000 }, () => {
    const src = join(dir, 'affine.hlo'), out = join(dir, 'affine');
    writeFileSync(src, AFFINE);
    expect(kiln(['compile', src, '--target', 'wgsl', '-o', out]).status).toBe(0);
    expect(filesUnder(out)).toContain('weights.bin');
    const m = loadModule(src);
    const args = randomInputs(m.entry.params.map((p) => p.shape), 7) as ArrayLiteral[];
    mkdirSync(join(out, 'inputs'));
    args.forEach((a, i) => writeFileSync(join(out, 'inputs', `${i}.bin`), Float32Array.from(a.data as Float64Array)));
    writeFileSync(join(dir, 'run_affine.mjs'), RUNNER(out));
    const r = deno(join(dir, 'run_affine.mjs'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, number[]>;
    expect(Object.keys(got)).toEqual(['y', 'relu']);
    const want = leaves(interpret(m, args));
    Object.values(got).forEach((values, k) => values.forEach((v, i) => expect(v).toBeCloseTo(Number(want[k].data[i]), 5)));
  });
});

describe('kiln run, compare and bench --backend webgpu', () => {
  /** kiln with extra environment variables. */
  const kilnEnv = (args: readonly string[], env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [KILN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 100_000, env: { ...process.env, ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it.skipIf(WHY_NOT)('compare matches the interpreter; bench measures compile, load and runs', { timeout: 90_000 }, () => {
    const c = kiln(['compare', MLP, '--backend', 'webgpu', '--random', '1']);
    expect(c.status).toBe(0);
    expect(c.stdout).toMatch(/^output 0 f32\[2,4\]: .* ok$/m);
    const b = kiln(['bench', MLP, '--backend', 'webgpu', '--reps', '3', '--warmup', '1', '--json']);
    expect(b.status).toBe(0);
    const r = JSON.parse(b.stdout) as { backend: string; compileMs: number; loadMs: number; medianMs: number };
    expect(r.backend).toBe('webgpu');
    for (const t of [r.compileMs, r.loadMs, r.medianMs]) expect(t).toBeGreaterThan(0);
  });

  it.each([
    ['run', ['--random', '1']], ['compare', ['--random', '1']], ['bench', ['--reps', '1']],
  ])('%s exits 5 and says why where no WebGPU adapter can be had', (command, rest) => {
    // dx12 is no backend on Linux: Deno starts and finds no adapter. A missing deno binary is the other case.
    const noAdapter = kilnEnv([command, MLP, '--backend', 'webgpu', ...rest], { DENO_WEBGPU_BACKEND: 'dx12' });
    expect(noAdapter.status).toBe(5);
    expect(noAdapter.stderr).toMatch(new RegExp(`^kiln ${command}: unavailable: backend webgpu is not available here: (no WebGPU adapter|no deno binary)`));
    const noDeno = kilnEnv([command, MLP, '--backend', 'webgpu', ...rest], { KILN_DENO: join(dir, 'no-deno') });
    expect(noDeno.status).toBe(5);
    expect(noDeno.stderr).toContain('no deno binary');
  });
});

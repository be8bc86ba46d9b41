// Relaxed SIMD: dots and convolutions accumulate with muladd, which the wasm target renders
// as f32x4.relaxed_madd when asked (an fma on CPUs with one) and as mul + add otherwise.
// Both builds must match the interpreter; an artifact built with --relaxed-simd carries
// both, and its runtime loads the one the engine can run (checked in child processes with
// the engine feature off and on, whatever Node version runs the tests).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArtifact } from '../../compiler/artifact/index.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { loadModule } from '../../compiler/load.js';
import { inputBytes } from '../../compiler/program_io.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral } from '../../ir/literal.js';
import { hasRelaxedSimd, loadModel } from '../../runtime/wasm/index.js';
import { compileWasm, gainsFromRelaxedSimd } from '../../targets/wasm/index.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

/** f32x4.relaxed_madd: the SIMD prefix 0xfd, then 0x105 as a LEB128. */
const RELAXED_MADD = Buffer.from([0xfd, 0x85, 0x02]);
const hasRelaxedMadd = (wasm: Uint8Array): boolean => Buffer.from(wasm).includes(RELAXED_MADD);

/** HLO text, and whether its lowering has an f32x4 muladd for relaxed SIMD to fuse. */
const CASES: Record<string, [string, boolean]> = {
  // Odd sizes: the register tile's row and column tails, and a K that is no multiple of 4.
  'dot 37x53 · 53x29': [`HloModule d
ENTRY main {
  a = f32[37,53] parameter(0)
  b = f32[53,29] parameter(1)
  ROOT d = f32[37,29] dot(a, b), lhs_contracting_dims={1}, rhs_contracting_dims={0}
}`, true],
  'batched dot + bias + relu': [`HloModule bd
ENTRY main {
  a = f32[3,9,20] parameter(0)
  b = f32[3,20,12] parameter(1)
  c = f32[12] parameter(2)
  d = f32[3,9,12] dot(a, b), lhs_batch_dims={0}, rhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_contracting_dims={1}
  cb = f32[3,9,12] broadcast(c), dimensions={2}
  s = f32[3,9,12] add(d, cb)
  z = f32[3,9,12] broadcast(f32[] constant(0)), dimensions={}
  ROOT r = f32[3,9,12] maximum(s, z)
}`, true],
  'convolution 3x3 SAME, NHWC': [`HloModule c
ENTRY main {
  x = f32[2,9,11,5] parameter(0)
  w = f32[3,3,5,8] parameter(1)
  ROOT y = f32[2,9,11,8] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
}`, true],
  // Feature groups run in the tiled kernel's spatial mode, a row tile per group.
  'grouped convolution, NCHW': [`HloModule g
ENTRY main {
  x = f32[1,8,7,7] parameter(0)
  w = f32[8,4,3,3] parameter(1)
  ROOT y = f32[1,8,5,5] convolution(x, w), window={size=3x3}, dim_labels=bf01_oi01->bf01, feature_group_count=2
}`, true],
};

describe('relaxed SIMD', () => {
  it('is on in this test run (vitest.config.ts gives Node 20 the engine flag)', () => {
    expect(hasRelaxedSimd()).toBe(true);
  });

  for (const [name, [text, vector]] of Object.entries(CASES)) {
    it(`${name}: the relaxed and the plain build both match the interpreter`, async () => {
      const m = parseHlo(text, name);
      const { program } = compileProgram(m);
      expect(gainsFromRelaxedSimd(program)).toBe(vector);
      const args = randomInputs(m.entry.params.map((p) => p.shape), 5) as ArrayLiteral[];
      const want = (interpret(m, args) as ArrayLiteral).data as Float64Array;
      const inputs = inputBytes(program, args).map(({ bytes }) => new Float32Array(bytes.buffer));
      for (const relaxedSimd of [false, true]) {
        const art = compileWasm(program, { relaxedSimd });
        expect(hasRelaxedMadd(art.wasm), `${name} relaxed=${relaxedSimd}`).toBe(relaxedSimd && vector);
        const model = await loadModel(art.wasm, art.manifest);
        const got = (await model.run(inputs))[art.manifest.outputs[0].name] as Float32Array;
        model.dispose();
        const bad = [...want].flatMap((w, i) => (Math.abs(got[i] - w) <= 1e-5 + 1e-5 * Math.abs(w) ? [] : [`[${i}] ${got[i]} vs ${w}`]));
        expect(bad.slice(0, 5), `${name} relaxed=${relaxedSimd}`).toEqual([]);
      }
    });
  }

  it('leaves a program without dots or convolutions to one module', () => {
    const m = parseHlo(`HloModule e
ENTRY main {
  a = f32[64] parameter(0)
  b = f32[64] parameter(1)
  p = f32[64] multiply(a, b)
  ROOT s = f32[64] add(p, a)
}`);
    // An HLO multiply feeding an HLO add is two roundings in HLO: never fused.
    expect(gainsFromRelaxedSimd(compileProgram(m).program)).toBe(false);
    const art = buildArtifact(m, { relaxedSimd: true });
    expect([...art.files.keys()]).not.toContain('model.relaxed.wasm');
    expect(art.manifest.modules).toEqual({ simd128: 'model.wasm' });
  });

  it('artifacts: --relaxed-simd adds model.relaxed.wasm beside model.wasm, one weights.bin, the same bytes every time', () => {
    const a = buildArtifact(loadModule(join(EXAMPLES, 'lenet5.hlo')), { relaxedSimd: true });
    const b = buildArtifact(loadModule(join(EXAMPLES, 'lenet5.hlo')), { relaxedSimd: true });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [file, bytes] of a.files) expect(Buffer.from(bytes).equals(Buffer.from(b.files.get(file)!)), file).toBe(true);
    expect(a.manifest.modules).toEqual({ simd128: 'model.wasm', relaxedSimd: 'model.relaxed.wasm' });
    expect(a.manifest.memory.constantsEmbedded).toBe(false);
    expect(a.files.get('weights.bin')!.byteLength).toBe(a.manifest.memory.constantsBytes);
    expect(hasRelaxedMadd(a.files.get('model.relaxed.wasm')!)).toBe(true);
    expect(hasRelaxedMadd(a.files.get('model.wasm')!)).toBe(false);
    // Both modules, the runtime and the wrapper, without weights.
    expect(a.codeBytes).toBeLessThan(64 * 1024);
  });

  it('artifacts: wasmFile() picks the module the engine runs, and the other one fails with a clear error', () => {
    const m = loadModule(join(EXAMPLES, 'mlp.hlo'));
    const art = buildArtifact(m, { relaxedSimd: true });
    const dir = mkdtempSync(join(tmpdir(), 'kiln-relaxed-'));
    for (const [name, bytes] of art.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const inputs = randomInputs(m.entry.params.map((p) => p.shape), 9) as ArrayLiteral[];
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(m.entry.params.map((_, i) => Array.from(inputs[i].data as Float64Array))));
    writeFileSync(join(dir, 'run.mjs'), `
      import { readFileSync } from 'node:fs';
      import { load, manifest, wasmFile } from './model.js';
      const weights = readFileSync('./weights.bin');
      const feeds = JSON.parse(readFileSync('./inputs.json', 'utf8'));
      const inputs = Object.fromEntries(manifest.inputs.map((t, i) => [t.name, Float32Array.from(feeds[i])]));
      const report = { picked: wasmFile(), loads: {} };
      for (const file of ['model.wasm', 'model.relaxed.wasm']) {
        try {
          const model = await load(readFileSync(file), weights);
          report.loads[file] = Array.from(Object.values(await model.run(inputs))[0]);
          model.dispose();
        } catch (e) { report.loads[file] = String(e.message); }
      }
      console.log(JSON.stringify(report));`);
    const want = Array.from((interpret(m, inputs) as ArrayLiteral).data as Float64Array);
    const close = (got: unknown) => {
      expect(Array.isArray(got), String(got)).toBe(true);
      (got as number[]).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(want[i])));
    };
    const run = (flag: string) => {
      const r = spawnSync(process.execPath, [flag, 'run.mjs'], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { picked: string; loads: Record<string, unknown> };
    };
    const without = run('--no-experimental-wasm-relaxed-simd');
    expect(without.picked).toBe('model.wasm');
    close(without.loads['model.wasm']);
    expect(without.loads['model.relaxed.wasm']).toMatch(/cannot compile the module.*load model\.wasm instead/);
    const withIt = run('--experimental-wasm-relaxed-simd');
    expect(withIt.picked).toBe('model.relaxed.wasm');
    close(withIt.loads['model.relaxed.wasm']);
    close(withIt.loads['model.wasm']);
  });
});

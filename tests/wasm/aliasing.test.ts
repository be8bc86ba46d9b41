// Donated inputs on the wasm runtime: a train step whose new weights and optimiser state
// alias the old (compile option `aliases`), run five times through runStaged with only the
// batch written, the state never copied in or out and the memory never grown, against five
// steps through run() with the state passed back by hand.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { prepareWasm } from '../../compiler/wasm_backend.js';
import { WASM_TARGET } from '../../targets/wasm/target.js';
import type { TypedArray } from '../../runtime/wasm/index.js';

// Linear regression with momentum: g = xᵀ(xw - y)/8, v' = 0.9v + g, w' = w - 0.05v', loss = Σ(xw - y)².
const STEP = `HloModule train_step
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY step {
  w = f32[16,4] parameter(0)
  v = f32[16,4] parameter(1)
  x = f32[8,16] parameter(2)
  y = f32[8,4] parameter(3)
  p = f32[8,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  e = f32[8,4] subtract(p, y)
  e2 = f32[8,4] multiply(e, e)
  z = f32[] constant(0)
  loss = f32[] reduce(e2, z), dimensions={0,1}, to_apply=add
  gt = f32[16,4] dot(x, e), lhs_contracting_dims={0}, rhs_contracting_dims={0}
  inv = f32[] constant(0.125)
  binv = f32[16,4] broadcast(inv), dimensions={}
  g = f32[16,4] multiply(gt, binv)
  mu = f32[] constant(0.9)
  bmu = f32[16,4] broadcast(mu), dimensions={}
  mv = f32[16,4] multiply(bmu, v)
  nv = f32[16,4] add(mv, g)
  lr = f32[] constant(0.05)
  blr = f32[16,4] broadcast(lr), dimensions={}
  s = f32[16,4] multiply(blr, nv)
  nw = f32[16,4] subtract(w, s)
  ROOT t = (f32[16,4], f32[16,4], f32[]) tuple(nw, nv, loss)
}`;
const ALIASES = [{ output: 0, param: 0 }, { output: 1, param: 1 }];
const STEPS = 5;

const fill = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
const batches = Array.from({ length: STEPS }, (_, s) => ({
  x: fill(8 * 16, (i) => Math.sin(i * 0.37 + s)),
  y: fill(8 * 4, (i) => Math.cos(i * 0.91 - s)),
}));
const w0 = fill(16 * 4, (i) => ((i % 7) - 3) / 10);
const v0 = new Float32Array(16 * 4);

describe('donated inputs on the wasm runtime', () => {
  it('puts the new weights and state in the old ones\u2019 bytes, the weights with no copy', async () => {
    const m = parseHlo(STEP);
    // With it, w' is written over w; v' comes out of the gradient's dot fusion (kOutput), which
    // cannot write over v (the tiled dot keeps partial sums in its output before the epilogue
    // reads v), so one in-module copy puts it in v's bytes after the step.
    const { program } = compileProgram(m, { target: WASM_TARGET, aliases: ALIASES });
    expect(program.kernels.filter((k) => k.name.endsWith('_copy'))).toHaveLength(1);
    const { model } = await prepareWasm(m, { aliases: ALIASES });
    const { inputs, outputs } = model.manifest;
    expect(outputs.map((o) => o.aliases)).toEqual(['w', 'v', undefined]);
    expect(outputs.slice(0, 2).map((o) => o.offset)).toEqual(inputs.slice(0, 2).map((i) => i.offset));
    const plain = await prepareWasm(m);
    expect(plain.model.manifest.outputs.some((o) => 'aliases' in o)).toBe(false);
    expect(model.manifest.memory.arenaBytes).toBeLessThanOrEqual(plain.model.manifest.memory.arenaBytes);
  });

  it('runs five steps through runStaged, writing only the batch, as five through run()', async () => {
    const m = parseHlo(STEP);
    // The reference: run() on a model without aliases, the state passed back by hand.
    const plain = (await prepareWasm(m)).model;
    let state: Record<string, TypedArray> = { w: w0, v: v0 };
    const want: Record<string, TypedArray>[] = [];
    for (const batch of batches) {
      const out = await plain.run({ ...state, ...batch });
      want.push(out);
      state = { w: out.nw, v: out.nv };
    }

    const { model } = await prepareWasm(m, { aliases: ALIASES });
    const bytes = model.memory.buffer.byteLength;
    const w = model.view('w'), v = model.view('v');
    for (let s = 0; s < STEPS; s++) {
      // The state goes in once; later steps write only the batch, and read nothing but the loss.
      await model.runStaged(s === 0 ? { w: w0, v: v0, ...batches[s] } : batches[s]);
      expect(model.memory.buffer.byteLength).toBe(bytes);
      expect(model.view('loss', 'output')[0]).toBe(want[s].loss[0]);
      expect(model.view('nw', 'output').byteOffset).toBe(w.byteOffset);
      // The views made before the first step still see the state: it never moved.
      expect([...(w as Float32Array)]).toEqual([...(want[s].nw as Float32Array)]);
      expect([...(v as Float32Array)]).toEqual([...(want[s].nv as Float32Array)]);
    }
    expect(want[STEPS - 1].loss[0]).toBeLessThan(want[0].loss[0]);

    // run() on the aliased model: the same values, every input copied in and outputs out.
    const again = await model.run({ w: w0, v: v0, ...batches[0] });
    expect([...(again.nw as Float32Array)]).toEqual([...(want[0].nw as Float32Array)]);
    expect(again.nw.buffer).not.toBe(model.memory.buffer);
  });

  it('refuses staged inputs and views the model has not', async () => {
    const { model } = await prepareWasm(parseHlo(STEP), { aliases: ALIASES });
    await expect(model.runStaged({ q: new Float32Array(1) })).rejects.toThrow(/has no input 'q'/);
    await expect(model.runStaged({ x: new Float32Array(3) })).rejects.toThrow(/x/);
    expect(() => model.view('nw', 'input')).toThrow(/has no input 'nw' \(w, v, x, y\)/);
    expect(() => model.view('nope')).toThrow(/no input or output 'nope'/);
    expect(model.view('x')).toBeInstanceOf(Float32Array);
    expect(model.view('x').length).toBe(8 * 16);
  });
});

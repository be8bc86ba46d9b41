// Row kernels (passes/lower/row_kernel.ts): a kRow fusion becomes one kernel that passes
// over each row, against the interpreter on the kernel IR executor and on wasm, with
// vectors and without (a scalar description, and a GPU-like one).
import { describe, expect, it } from 'vitest';
import { kernelsBackend, type Backend } from '../../compiler/backend.js';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { prepareKernels } from '../../compiler/kernels_backend.js';
import { randomInputs } from '../../compiler/random.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { TargetDescription } from '../../ir/target.js';
import { WASM_TARGET } from '../../targets/wasm/target.js';
import { REDUCERS } from '../passes/helpers.js';

/** LayerNorm (scale, shift) → GELU (erf form) → softmax, as bench's chain, on rows of `n` (a tail when n % 4 ≠ 0). */
const chain = (n: number) => `HloModule chain
${REDUCERS}
ENTRY e {
  x = f32[3,5,${n}] parameter(0)
  g = f32[${n}] parameter(1)
  b = f32[${n}] parameter(2)
  zero = f32[] constant(0)
  s = f32[3,5] reduce(x, zero), dimensions={2}, to_apply=add
  len = f32[] constant(${n})
  lb = f32[3,5] broadcast(len), dimensions={}
  mean = f32[3,5] divide(s, lb)
  mb = f32[3,5,${n}] broadcast(mean), dimensions={0,1}
  d = f32[3,5,${n}] subtract(x, mb)
  d2 = f32[3,5,${n}] multiply(d, d)
  v = f32[3,5] reduce(d2, zero), dimensions={2}, to_apply=add
  var = f32[3,5] divide(v, lb)
  eps = f32[] constant(1e-5)
  eb = f32[3,5] broadcast(eps), dimensions={}
  ve = f32[3,5] add(var, eb)
  r = f32[3,5] rsqrt(ve)
  rb = f32[3,5,${n}] broadcast(r), dimensions={0,1}
  gb = f32[3,5,${n}] broadcast(g), dimensions={2}
  bb = f32[3,5,${n}] broadcast(b), dimensions={2}
  nd = f32[3,5,${n}] multiply(d, rb)
  sc = f32[3,5,${n}] multiply(nd, gb)
  y = f32[3,5,${n}] add(sc, bb)
  rt = f32[] constant(1.41421354)
  rtb = f32[3,5,${n}] broadcast(rt), dimensions={}
  one = f32[] constant(1)
  ob = f32[3,5,${n}] broadcast(one), dimensions={}
  half = f32[] constant(0.5)
  hb = f32[3,5,${n}] broadcast(half), dimensions={}
  yr = f32[3,5,${n}] divide(y, rtb)
  er = f32[3,5,${n}] erf(yr)
  e1 = f32[3,5,${n}] add(er, ob)
  ye = f32[3,5,${n}] multiply(y, e1)
  ge = f32[3,5,${n}] multiply(ye, hb)
  ninf = f32[] constant(-inf)
  mx = f32[3,5] reduce(ge, ninf), dimensions={2}, to_apply=max
  mxb = f32[3,5,${n}] broadcast(mx), dimensions={0,1}
  sh = f32[3,5,${n}] subtract(ge, mxb)
  ex = f32[3,5,${n}] exponential(sh)
  se = f32[3,5] reduce(ex, zero), dimensions={2}, to_apply=add
  seb = f32[3,5,${n}] broadcast(se), dimensions={0,1}
  ROOT p = f32[3,5,${n}] divide(ex, seb)
}`;

/** A residual add whose sum is also an output, with the row's max and mean as outputs too (a multi-output row fusion). */
const RESIDUAL = `HloModule residual
${REDUCERS}
ENTRY e {
  x = f32[6,50] parameter(0)
  y = f32[6,50] parameter(1)
  xy = f32[6,50] add(x, y)
  h = f32[6,50] exponential(xy)
  zero = f32[] constant(0)
  s = f32[6] reduce(h, zero), dimensions={1}, to_apply=add
  ninf = f32[] constant(-inf)
  mx = f32[6] reduce(h, ninf), dimensions={1}, to_apply=max
  mb = f32[6,50] broadcast(mx), dimensions={0}
  sb = f32[6,50] broadcast(s), dimensions={0}
  hm = f32[6,50] subtract(h, mb)
  o = f32[6,50] divide(hm, sb)
  t = f32[6,50] tanh(h)
  ROOT r = (f32[6,50], f32[6,50], f32[6], f32[6]) tuple(o, t, mx, s)
}`;

const CASES: Record<string, string> = { 'chain, rows of 64': chain(64), 'chain, rows of 37 (a tail)': chain(37), 'multi-output residual': RESIDUAL };

/** wasm's description with scalar code only, and a GPU-like one (loop kernels, no CPU schedule). */
const SCALAR: TargetDescription = { ...WASM_TARGET, capabilities: { ...WASM_TARGET.capabilities, vectorLanes: 1 } };
const GPU: TargetDescription = { ...WASM_TARGET, name: 'gpu-test', schedule: { kind: 'gpu', workgroupSize: 64, rowWidth: 16, dot: { tileM: 32, tileN: 32, tileK: 8 } } };

function check(got: Literal, want: Literal, what: string): void {
  const d = compareLiterals(got, want);
  expect(d.every((x) => x.ok), `${what}: ${JSON.stringify(d)}`).toBe(true);
}

describe('row kernels', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(`${name}: one row kernel, matching the interpreter on kernels, wasm, scalar and GPU-like descriptions`, async () => {
      const m: Module = parseHlo(text, name);
      const { program } = compileProgram(m);
      const rowKernels = program.kernels.filter((k) => 'passes' in k.schedule);
      expect(rowKernels).toHaveLength(1);
      expect(rowKernels[0].schedule.lanes).toBe(4);
      const args = randomInputs(m.entry.params.map((p) => p.shape), 7);
      const want = interpret(m, args);
      for (const backend of [kernelsBackend, wasmBackend] as Backend[]) check(await (await backend.prepare(m)).run(args), want, `${name} on ${backend.name}`);
      for (const target of [SCALAR, GPU]) check(await prepareKernels(m, target).run(args), want, `${name} under ${target.name} lanes ${target.capabilities.vectorLanes}`);
    });
  }

  it('computes sibling reductions of one input (a multi-output kInput fusion) in one kernel', async () => {
    const m = parseHlo(`HloModule siblings
${REDUCERS}
ENTRY e {
  x = f32[64,24] parameter(0)
  zero = f32[] constant(0)
  s = f32[24] reduce(x, zero), dimensions={0}, to_apply=add
  x2 = f32[64,24] multiply(x, x)
  q = f32[24] reduce(x2, zero), dimensions={0}, to_apply=add
  ninf = f32[] constant(-inf)
  r = f32[64] reduce(x, ninf), dimensions={1}, to_apply=max
  r2 = f32[64] reduce(x, zero), dimensions={1}, to_apply=add
  ROOT t = (f32[24], f32[24], f32[64], f32[64]) tuple(s, q, r, r2)
}`);
    // Four reductions, two output spaces: two kernels (four before sibling fusion).
    expect(compileProgram(m).program.kernels).toHaveLength(2);
    const args = randomInputs(m.entry.params.map((p) => p.shape), 5);
    const want = interpret(m, args);
    for (const backend of [kernelsBackend, wasmBackend] as Backend[]) check(await (await backend.prepare(m)).run(args), want, `siblings on ${backend.name}`);
  });

  it('keeps the chain in one kernel of five passes over each row, with two scratch rows', () => {
    const { program } = compileProgram(parseHlo(chain(768)));
    expect(program.kernels).toHaveLength(1);
    const [k] = program.kernels;
    expect(k.schedule).toMatchObject({ rows: 15, passes: 5, lanes: 4 });
    // Scratch rows for the GELU output (read by the max and by exp) and for exp (read by the sum and the divide).
    expect(k.body.filter((s) => s.k === 'array').map((s) => (s as { name: string }).name).sort()).toEqual(['row_ex', 'row_ge']);
  });
});

// The target description drives the pipeline and lowering (ir/target.ts): the same
// module compiled for descriptions other than wasm's gets the passes, kernels and limits
// those descriptions ask for, and still computes what the interpreter does.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { prepareKernels } from '../../compiler/kernels_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Program } from '../../ir/kernel/kernel.js';
import { stmtExprs, walkExpr, walkStmts } from '../../ir/kernel/walk.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import type { TargetDescription } from '../../ir/target.js';
import { TooLarge } from '../../ir/limits.js';
import { WASM_TARGET } from '../../targets/wasm/target.js';
import { DEFAULT_TARGET, TARGETS } from '../../compiler/targets.js';
import { loadCases, runCase } from '../golden/harness.js';

/** A GPU-like description (WebGPU's default limits); not a target kiln has, only what one may say. */
const GPU: TargetDescription = {
  name: 'gpu-test',
  capabilities: { vectorLanes: 4, int64: false, float64: false, f16: false, subgroups: false },
  limits: {
    maxWorkgroupInvocations: 256, workgroupMemoryBytes: 16384, maxStorageBindings: 8,
    maxBindingBytes: 2 ** 27, maxMemoryBytes: 2 ** 30, maxMemoryReason: 'the test GPU holds 1 GiB',
  },
  schedule: { kind: 'gpu', workgroupSize: 64, rowWidth: 16, dot: { tileM: 32, tileN: 32, tileK: 8 } },
  hlo: { explicitConvPadding: false, convKernelLayout: 'as-given', rowFusion: true },
};

/** wasm's description with scalar code only. */
const SCALAR: TargetDescription = { ...WASM_TARGET, capabilities: { ...WASM_TARGET.capabilities, vectorLanes: 1 } };

/** A dot with a fused bias, a padded NCHW convolution and a max pool: every tiled template's candidates. */
const MODEL = `
HloModule m
max {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = f32[] maximum(a, b)
}
ENTRY main {
  x = f32[1,3,10,10] parameter(0)
  w = f32[8,3,3,3] parameter(1)
  a = f32[9,20] parameter(2)
  b = f32[20,12] parameter(3)
  y = f32[1,8,10,10] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01
  ninf = f32[] constant(-inf)
  pool = f32[1,8,5,5] reduce-window(y, ninf), window={size=1x1x2x2 stride=1x1x2x2}, to_apply=max
  d = f32[9,12] dot(a, b), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  one = f32[] constant(1)
  ones = f32[9,12] broadcast(one), dimensions={}
  e = f32[9,12] add(d, ones)
  ROOT t = (f32[1,8,5,5], f32[9,12]) tuple(pool, e)
}`;

/** Which tiled templates made kernels: `mr` (dot, and convolution), `conv`, `window`. */
const tiledKeys = (p: Program): string[] => [...new Set(p.kernels.flatMap((k) => ['mr', 'conv', 'window'].filter((key) => key in k.schedule)))].sort();

/** The entry's opcodes, with fusions' bodies in place of the fusions. */
const opcodes = (m: Module): string[] => m.entry.instructions.flatMap((i) => (i.opcode === 'fusion' ? i.attrs.calls.instructions : [i])).map((i) => i.opcode);

/** Whether any value in the program's kernels is a vector. */
function hasVectors(p: Program): boolean {
  let found = false;
  for (const k of p.kernels) walkStmts(k.body, (s) => stmtExprs(s).forEach((e) => walkExpr(e, (x) => { if (x.type.lanes > 1) found = true; })));
  return found;
}

/** Runs the program for `target` on the kernel IR executor and compares with the interpreter. */
async function expectComputes(target: TargetDescription): Promise<void> {
  const m = parseHlo(MODEL);
  let seed = 3;
  const args = m.entry.params.map((p) => {
    const shape = p.shape as ArrayShape;
    return arrayLiteral(shape, Array.from({ length: shape.dims.reduce((a, b) => a * b, 1) }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1));
  });
  const got = await prepareKernels(m, target).run(args);
  for (const diff of compareLiterals(got, interpret(m, args), { rtol: 1e-5, atol: 1e-6 })) expect(diff.ok, JSON.stringify(diff)).toBe(true);
}

describe('target descriptions', () => {
  it("wasm's description is the default, and its pipeline has both convolution passes", () => {
    const m = parseHlo(MODEL);
    const fromDefault = compileProgram(m), fromWasm = compileProgram(m, { target: WASM_TARGET });
    expect(fromWasm.program).toEqual(fromDefault.program);
    expect(tiledKeys(fromWasm.program)).toEqual(['conv', 'mr', 'window']);
    // conv-padding's pad and conv-layout's transpose of the (parameter) kernel.
    expect(opcodes(fromWasm.optimized)).toEqual(expect.arrayContaining(['pad', 'transpose']));
  });

  it('a GPU schedule gets loop kernels only (no CPU tiles or row chunks), and none of the CPU layout passes', async () => {
    const { program, optimized } = compileProgram(parseHlo(MODEL), { target: GPU });
    expect(tiledKeys(program)).toEqual([]);
    expect(program.kernels.every((k) => (k.schedule.chunks ?? 1) === 1)).toBe(true);
    const ops = opcodes(optimized);
    expect(ops).not.toContain('pad');
    expect(ops).not.toContain('transpose');
    await expectComputes(GPU);
  });

  it('vectorLanes 1 gives scalar code only', async () => {
    const { program } = compileProgram(parseHlo(MODEL), { target: SCALAR });
    expect(tiledKeys(program)).toEqual([]);
    expect(hasVectors(program)).toBe(false);
    expect(hasVectors(compileProgram(parseHlo(MODEL)).program)).toBe(true);
    await expectComputes(SCALAR);
    // A row reduction, which on 4 lanes reads its row in vectors.
    const rows = parseHlo(`HloModule r
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = f32[] add(a, b)
}
ENTRY main {
  x = f32[3,32] parameter(0)
  z = f32[] constant(0)
  ROOT s = f32[3] reduce(x, z), dimensions={1}, to_apply=add
}`);
    expect(hasVectors(compileProgram(rows, { target: SCALAR }).program)).toBe(false);
    expect(hasVectors(compileProgram(rows).program)).toBe(true);
  });

  it('a CPU schedule with other row chunks splits loop kernels as it says', () => {
    const wide = parseHlo('HloModule w\nENTRY main {\n  x = f32[2,4096] parameter(0)\n  ROOT y = f32[2,4096] negate(x)\n}');
    const chunks = (t: TargetDescription) => compileProgram(wide, { target: t }).program.kernels[0].schedule.chunks;
    expect(chunks(WASM_TARGET)).toBe(4);
    const cpu = WASM_TARGET.schedule.kind === 'cpu' ? WASM_TARGET.schedule : undefined;
    expect(chunks({ ...WASM_TARGET, schedule: { ...cpu!, chunk: 512 } })).toBe(8);
    expect(chunks({ ...WASM_TARGET, schedule: { ...cpu!, minRows: 2 } })).toBe(1);
  });

  it.each(Object.entries(TARGETS))('the table\'s %s description is consistent', (name, { description: t }) => {
    expect(t.name).toBe(name);
    expect(t.limits.maxBindingBytes).toBeLessThanOrEqual(t.limits.maxMemoryBytes);
    if (t.schedule.kind === 'gpu') {
      const { workgroupSize, dot } = t.schedule;
      expect(workgroupSize).toBeLessThanOrEqual(t.limits.maxWorkgroupInvocations);
      expect(dot.tileK * (dot.tileM + dot.tileN) * 4).toBeLessThanOrEqual(t.limits.workgroupMemoryBytes);
    } else {
      // The CPU templates compute in 4-lane vectors: their column tiles are whole vectors.
      for (const n of [t.schedule.dot.nr, t.schedule.conv.nr, t.schedule.conv.pnr]) expect(n % 4).toBe(0);
    }
    expect(TARGETS[DEFAULT_TARGET]).toBeDefined();
  });

  it("refuses a program larger than the target's memory, saying why", () => {
    const big = parseHlo('HloModule b\nENTRY main {\n  x = f32[1024,1024,512] parameter(0)\n  ROOT y = f32[1024,1024,512] negate(x)\n}');
    expect(() => compileProgram(big, { target: GPU })).toThrow(TooLarge);
    expect(() => compileProgram(big, { target: GPU })).toThrow(/needs 2 GiB; the test GPU holds 1 GiB/);
    expect(() => compileProgram(big, { target: GPU, memoryLimit: 2 ** 20 })).toThrow(/the limit is 1 MiB/);
  });

  // Every golden case on the kernel IR executor, lowered for descriptions wasm's values
  // never exercise: loop kernels only (GPU), scalar code only.
  it.each([['GPU', GPU], ['scalar', SCALAR]] as const)('the golden cases compute under the %s description', async (name, target) => {
    const backend = { name, unavailable: async () => undefined, prepare: async (m: Module) => prepareKernels(m, target) };
    for (const c of loadCases())
      for (const d of await runCase(backend, c)) expect(d, `${c.name} output ${d.index}`).toMatchObject({ ok: true });
  });
});

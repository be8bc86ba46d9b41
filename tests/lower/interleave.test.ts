// Pads in vectors (passes/lower/pad_rows.ts, elemental_interleave.ts): a pad root written in
// row segments, and a pad with interior padding along the vector dim (a transposed
// convolution's interleave) picked by a run-time branch on the lanes' residue. Each case runs
// on the kernel IR interpreter, which checks every access's bounds, against the HLO
// interpreter, bit for bit (pads only move values).
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { inputBytes, readOutput } from '../../compiler/program_io.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import { printKernel } from '../../ir/kernel/print.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import type { ArrayShape } from '../../ir/shape.js';

function run(text: string): { kernels: string; same: boolean } {
  const m = parseHlo(text);
  const args = m.entry.params.map((p, k) => {
    const s = p.shape as ArrayShape;
    return arrayLiteral(s, Array.from({ length: s.dims.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37 + k * 11) % 29) - 14));
  });
  const { program } = compileProgram(m);
  const mem = allocateMemory(program);
  for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
  runProgram(program, mem);
  const got = readOutput(program, 0, mem.arena), want = interpret(m, args) as ArrayLiteral;
  const same = got.data.length === want.data.length && Array.from(want.data as ArrayLike<number>).every((v, i) => Object.is(Number(got.data[i]), Number(v)));
  return { kernels: program.kernels.map(printKernel).join('\n'), same };
}

const padDim = (n: number, low: number, high: number, interior: number): number => low + high + n + Math.max(n - 1, 0) * interior;

describe('pads in vectors', () => {
  it('an interior pad along the vector dim, every step, low and high (negative too), summed with another and a row pad', () => {
    for (const step of [2, 3, 4, 5])
      for (const n of [1, 3, 8, 13])
        for (const low of [-1, 0, 1, step - 1, step + 2])
          for (const high of [-1, 0, 2]) {
            const w = padDim(n, low, high, step - 1);
            if (w < 1) continue;
            const text = `HloModule m
ENTRY e {
  x = f32[2,3,${n}] parameter(0)
  y = f32[2,4,${w}] parameter(1)
  z = f32[] constant(0.5)
  p = f32[2,4,${w}] pad(x, z), padding=0_0x1_0x${low}_${high}_${step - 1}
  ROOT s = f32[2,4,${w}] add(p, y)
}`;
            const r = run(text);
            expect(r.same, `step ${step} n ${n} pad ${low}_${high}\n${r.kernels}`).toBe(true);
            if (step <= 4 && w >= 8) expect(r.kernels, `step ${step} n ${n}`).toContain('let rho');
          }
  });

  it('a pad root in row segments: low and high along the rows and the vector dim', () => {
    for (const [n, low, high] of [[5, 1, 1], [8, 0, 3], [13, 2, 0], [3, 4, 4], [16, 1, 2]]) {
      const w = n + low + high;
      const text = `HloModule m
ENTRY e {
  x = f32[2,3,${n}] parameter(0)
  z = f32[] constant(-2)
  zb = f32[2,3,${n}] broadcast(z), dimensions={}
  a = f32[2,3,${n}] maximum(x, zb)
  ROOT p = f32[2,6,${w}] pad(a, z), padding=0_0x2_1x${low}_${high}
}`;
      const r = run(text);
      expect(r.same, `${n} ${low}_${high}\n${r.kernels}`).toBe(true);
      if (n >= 4) expect(r.kernels).not.toContain('?'); // no lane picks its value by a select
    }
  });
});

// Row reductions: a reduce along the contiguous minor dim with a reducer that reassociates
// runs one output at a time, its row in four interleaved vector lanes from the reducer's
// identity, then lanes, tail and init value combined. Checked against the interpreter on
// the kernel IR's executor and on wasm: exact where the reducer is exact (max, min,
// integer ops, and signed zeros), within f32 tolerance for a float sum or product.
import { describe, expect, it } from 'vitest';
import { kernelsBackend, type Backend } from '../../compiler/backend.js';
import { compareLiterals, leavesOf } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type Literal } from '../../ir/literal.js';
import type { DType } from '../../ir/dtype.js';
import type { ArrayShape } from '../../ir/shape.js';
import { isRowReduction } from '../../passes/lower/elemental_compute.js';

const reducer = (name: string, op: string, t: string) => `${name} {
  a = ${t}[] parameter(0)
  b = ${t}[] parameter(1)
  ROOT r = ${t}[] ${op}(a, b)
}`;

/** A module reducing x: dtype[dims] along `dims` with `op`, from init `init`. */
function reduceModule(t: DType, dims: number[], reduced: number[], op: string, init: string): string {
  const out = dims.filter((_, d) => !reduced.includes(d));
  return `HloModule r
${reducer('red', op, t)}
ENTRY main {
  x = ${t}[${dims.join(',')}] parameter(0)
  z = ${t}[] constant(${init})
  ROOT r = ${t}[${out.join(',')}] reduce(x, z), dimensions={${reduced.join(',')}}, to_apply=red
}`;
}

/** Deterministic values: integers for exact cases, spread floats otherwise. */
function values(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
const hash = (i: number): number => ((Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % 2001) - 1000;

interface Case {
  readonly hlo: string;
  readonly input: number[];
  /** Compare bit for bit (signed zeros and NaN included), not within f32 tolerance. */
  readonly exact: boolean;
}

const CASES: Record<string, Case> = {
  'f32 sum, a tail of 3, init 0.5': { hlo: reduceModule('f32', [5, 1027], [1], 'add', '0.5'), input: values(5 * 1027, (i) => hash(i) / 997), exact: false },
  'f32 product': { hlo: reduceModule('f32', [3, 40], [1], 'multiply', '1'), input: values(120, (i) => 1 + hash(i) / 8000), exact: false },
  'f32 sum of -0s stays -0 from init -0, +0 from init 0': { hlo: `HloModule z
${reducer('add', 'add', 'f32')}
ENTRY main {
  x = f32[2,37] parameter(0)
  m = f32[] constant(-0)
  p = f32[] constant(0)
  a = f32[2] reduce(x, m), dimensions={1}, to_apply=add
  b = f32[2] reduce(x, p), dimensions={1}, to_apply=add
  ROOT t = (f32[2], f32[2]) tuple(a, b)
}`, input: values(74, () => -0), exact: true },
  'f32 max: NaN propagates, -inf rows, init -inf': { hlo: reduceModule('f32', [4, 33], [1], 'maximum', '-inf'),
    input: values(132, (i) => (i === 40 ? NaN : i >= 99 ? -Infinity : hash(i) / 3)), exact: true },
  'f32 min over an outer and the minor dim': { hlo: reduceModule('f32', [3, 5, 33], [0, 2], 'minimum', 'inf'), input: values(495, (i) => hash(i) / 7), exact: true },
  's32 sum wraps': { hlo: reduceModule('s32', [3, 64], [1], 'add', '7'), input: values(192, (i) => 0x7fffffff - (i % 5)), exact: true },
  's32 max and identity -2^31': { hlo: reduceModule('s32', [2, 20], [1], 'maximum', '-2147483648'), input: values(40, (i) => -2147483648 + i * (i % 3)), exact: true },
  'u32 min above 2^31': { hlo: reduceModule('u32', [2, 21], [1], 'minimum', '4294967295'), input: values(42, (i) => 4294967295 - i * 1000), exact: true },
  's32 and, or': { hlo: `HloModule b
${reducer('and', 'and', 's32')}
${reducer('or', 'or', 's32')}
ENTRY main {
  x = s32[3,18] parameter(0)
  ones = s32[] constant(-1)
  zero = s32[] constant(0)
  a = s32[3] reduce(x, ones), dimensions={1}, to_apply=and
  o = s32[3] reduce(x, zero), dimensions={1}, to_apply=or
  ROOT t = (s32[3], s32[3]) tuple(a, o)
}`, input: values(54, (i) => ~(1 << (i % 31))), exact: true },
};

const bits = (l: Literal): string[] => leavesOf(l).flatMap(({ value }) => Array.from(value.data as ArrayLike<number | bigint>, (v) => (Object.is(v, -0) ? '-0' : String(v))));

describe('row reductions', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: vector lanes along the row, matching the interpreter on kernels and wasm`, async () => {
      const m = parseHlo(c.hlo, name);
      const { program } = compileProgram(m);
      // The path under test is taken: a scalar-output kernel with a 4-lane accumulator.
      expect(program.kernels.some((k) => k.schedule.lanes === 1 && JSON.stringify(k.body).includes('"name":"vacc')), name).toBe(true);
      const x = arrayLiteral(m.entry.params[0].shape as ArrayShape, c.input);
      const want = interpret(m, [x]);
      for (const backend of [kernelsBackend, wasmBackend] as Backend[]) {
        const got = await (await backend.prepare(m)).run([x]);
        if (c.exact) expect(bits(got), `${name} on ${backend.name}`).toEqual(bits(want));
        else expect(compareLiterals(got, want).every((d) => d.ok), `${name} on ${backend.name}: ${JSON.stringify(compareLiterals(got, want))}`).toBe(true);
      }
    });
  }

  it('leaves other reductions to the four-outputs-at-once form', () => {
    const root = (hlo: string) => parseHlo(hlo).entry.root;
    // A reducer that does not reassociate, a column reduction, a short row, a 64-bit type.
    expect(isRowReduction(root(reduceModule('f32', [4, 64], [1], 'subtract', '0')))).toBe(false);
    expect(isRowReduction(root(reduceModule('f32', [64, 4], [0], 'add', '0')))).toBe(false);
    expect(isRowReduction(root(reduceModule('f32', [64, 8], [1], 'add', '0')))).toBe(false);
    expect(isRowReduction(root(reduceModule('f64', [4, 64], [1], 'add', '0')))).toBe(false);
    expect(isRowReduction(root(reduceModule('f32', [4, 64], [1], 'add', '0')))).toBe(true);
  });
});

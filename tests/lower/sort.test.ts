// sort: a row-parallel stable merge sort with the comparator inlined must give the
// interpreter's result bit for bit on the kernel IR executor and on wasm: equal keys in
// their original order, NaN and -0 where the comparator puts them, every operand of a
// variadic sort permuted together, any sort dimension, rows of any length.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { ArrayShape } from '../../ir/shape.js';
import { printKernel } from '../../ir/kernel/print.js';
import { runWasmAll } from '../wasm/harness.js';
import { bits, expectExact, hash } from './exact.js';

const lt = (t: string, dir = 'LT', type = '') => `cmp {
  a = ${t}[] parameter(0)
  b = ${t}[] parameter(1)
  ROOT r = pred[] compare(a, b), direction=${dir}${type ? `, type=${type}` : ''}
}`;

function sortModule(t: string, dims: number[], dim: number, comparator = lt(t), stable = true): string {
  const s = `${t}[${dims.join(',')}]`;
  return `HloModule s
${comparator}
ENTRY main {
  x = ${s} parameter(0)
  ROOT s = ${s} sort(x), dimensions={${dim}}, is_stable=${stable}, to_apply=cmp
}`;
}

const range = (n: number, f: (i: number) => number | bigint) => Array.from({ length: n }, (_, i) => f(i));

describe('sort', () => {
  it('sorts rows of non-power-of-2 length along the minor dim, in parallel over rows', async () => {
    const p = await expectExact(sortModule('s32', [7, 37], 1), [range(7 * 37, (i) => hash(i, 100) - 50)]);
    expect(p.kernels.map((k) => k.schedule)).toContainEqual({ rows: 7, passes: 6 });
  });

  it('sorts along a leading dim (strided rows) and a middle one', async () => {
    await expectExact(sortModule('f32', [13, 3, 2], 0), [range(78, (i) => hash(i, 1000) / 7)]);
    await expectExact(sortModule('u32', [2, 9, 5], 1, lt('u32', 'GT')), [range(90, (i) => hash(i, 2 ** 32))]);
  });

  it('keeps rows of length 1 and single elements as they are', async () => {
    await expectExact(sortModule('f32', [5, 1], 1), [range(5, (i) => 5 - i)]);
    await expectExact(sortModule('s32', [1], 0), [[3]]);
  });

  it('is stable: keys equal under the comparator keep their order (comparing only the high bits)', async () => {
    const cmp = `cmp {
  a = s32[] parameter(0)
  b = s32[] parameter(1)
  four = s32[] constant(4)
  ha = s32[] shift-right-arithmetic(a, four)
  hb = s32[] shift-right-arithmetic(b, four)
  ROOT r = pred[] compare(ha, hb), direction=LT
}`;
    await expectExact(sortModule('s32', [3, 50], 1, cmp, false), [range(150, (i) => hash(i, 64))]);
  });

  it('puts NaN and -0 where the comparator says: IEEE LT leaves NaN unordered, TOTALORDER sorts -NaN < -inf < -0 < 0 < NaN', async () => {
    const x = [NaN, -0, 0, 1, -Infinity, -0, NaN, -1, 0, Infinity, 2.5, -NaN, -0];
    await expectExact(sortModule('f32', [13], 0), [x]);
    await expectExact(sortModule('f32', [13], 0, lt('f32', 'LT', 'TOTALORDER')), [x]);
    await expectExact(sortModule('f64', [13], 0, lt('f64', 'GT', 'TOTALORDER')), [x]);
  });

  it('sorts several operands together by a comparator over all of them (keys, then values as a tie-break)', async () => {
    const hlo = `HloModule s
cmp {
  k0 = s32[] parameter(0)
  k1 = s32[] parameter(1)
  v0 = f32[] parameter(2)
  v1 = f32[] parameter(3)
  i0 = u8[] parameter(4)
  i1 = u8[] parameter(5)
  lt = pred[] compare(k0, k1), direction=LT
  eq = pred[] compare(k0, k1), direction=EQ
  vlt = pred[] compare(v0, v1), direction=GT
  tie = pred[] and(eq, vlt)
  ROOT r = pred[] or(lt, tie)
}
ENTRY main {
  k = s32[4,21] parameter(0)
  v = f32[4,21] parameter(1)
  i = u8[4,21] parameter(2)
  ROOT s = (s32[4,21], f32[4,21], u8[4,21]) sort(k, v, i), dimensions={1}, to_apply=cmp
}`;
    await expectExact(hlo, [range(84, (i) => hash(i, 5)), range(84, (i) => hash(i * 7, 9) / 4), range(84, (i) => i)]);
  });

  it('sorts s64 keys beyond 2^53 exactly', async () => {
    await expectExact(sortModule('s64', [11], 0), [range(11, (i) => (BigInt(hash(i, 1000)) << 52n) - (1n << 61n) + BigInt(i))]);
  });

  it('splits the rows over two wasm threads, each sorting in its own scratch rows', async () => {
    const m = parseHlo(sortModule('s32', [16, 45], 1), 'threads');
    const values = range(16 * 45, (i) => hash(i, 30));
    const want = bits(interpret(m, [arrayLiteral(m.entry.params[0].shape as ArrayShape, values)]));
    const got = await runWasmAll(compileProgram(m).program, { x: Int32Array.from(values) }, { shared: true, threads: 2 });
    expect([Array.from(got.s, String)]).toEqual(want);
  });

  it('is one kernel: a permutation per row merged pass by pass in scratch, then the gather', () => {
    const { program } = compileProgram(parseHlo(sortModule('f32', [2, 5], 1), 'printed'));
    expect(program.kernels.map(printKernel).join('\n')).toMatchInlineSnapshot(`
      "kernel k0_s(in f32[10] x, out f32[10] s, inout s32[20] s_perm) schedule(rows=2 passes=3) {  // s
        parallel for (row = 0; row < 2; row++) {
          let base: s32 = row * 5;
          let pbase: s32 = row * 10;
          for (i = 0; i < 5; i++) {
            s_perm[pbase + i] = i;
          }
          for (pass = 0; pass < 3; pass++) {
            let w: s32 = 1 << pass;
            let src: s32 = pbase + ((pass % 2) * 5);
            let dst: s32 = pbase + ((1 - (pass % 2)) * 5);
            let w2: s32 = w * 2;
            for (q = 0; q < (4 + w2) / w2; q++) {
              let lo: s32 = q * w2;
              let mid: s32 = minimum(lo + w, 5);
              let hi: s32 = minimum(lo + w2, 5);
              let a: s32 = lo;
              let b: s32 = mid;
              for (t = lo; t < hi; t++) {
                let right: pred = 0;
                if (b < hi) {
                  if (a >= mid) {
                    right = 1;
                  } else {
                    right = x[base + s_perm[src + b]] < x[base + s_perm[src + a]];
                  }
                }
                if (right) {
                  s_perm[dst + t] = s_perm[src + b];
                  b = b + 1;
                } else {
                  s_perm[dst + t] = s_perm[src + a];
                  a = a + 1;
                }
              }
            }
          }
          for (i_1 = 0; i_1 < 5; i_1++) {
            s[base + i_1] = x[base + s_perm[(pbase + 5) + i_1]];
          }
        }
      }"
    `);
  });
});

// narrow-int64: before/after snapshots on small modules, exactness on the interpreter
// (extreme 64-bit indices included), and the semantic check over ONNX's backend test
// cases and the XLA corpus's modules that carry s64.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hloFiles, whyNotInterpretable } from '../../compiler/corpus.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { listCases, ONNX_TESTDATA, runCase } from '../../compiler/onnx_backend_tests.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret, InterpretError } from '../../ir/interpret/index.js';
import { arrayLiteral, type Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { verifyModule } from '../../ir/verify.js';
import { array } from '../../ir/shape.js';
import { narrowInt64 } from '../../passes/narrow_int64.js';
import { DEFAULT_PIPELINE, PASSES } from '../../passes/pipeline.js';
import { describeWideUse, firstDeviceWideUse, wideIntUses } from '../../passes/wide_ints.js';
import { HLO_CORPUS, haveCorpus } from '../corpus/paths.js';
import { bitDifference, hlo, lines } from './helpers.js';
import { EXTREMES, emptyStats, narrowAndCount, narrowingBackend } from './narrow_int64_check.js';

const narrow = (text: string): Module => {
  const m = narrowInt64(hlo(text));
  verifyModule(m);
  return m;
};

/** Runs m before and after the pass on args; the difference, or undefined. */
function differs(text: string, args: Literal[]): string | undefined {
  const m = hlo(text);
  return bitDifference(interpret(narrowInt64(m), args), interpret(m, args));
}

const s64 = (dims: number[], values: bigint[]): Literal => arrayLiteral(array('s64', dims), values);
const f32 = (dims: number[]): Literal => arrayLiteral(array('f32', dims), Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, k) => k + 1));

describe('narrow-int64', () => {
  it('is registered, and not in the default pipeline (a target opts in)', () => {
    expect(PASSES['narrow-int64']).toBe(narrowInt64);
    expect(DEFAULT_PIPELINE).not.toContain('narrow-int64');
  });

  it('narrows shape arithmetic on constants and iota, widening only the result', () => {
    const m = narrow(`HloModule m
ENTRY e {
  c = s64[2] constant({3, 4})
  k = s64[] constant(2)
  b = s64[2] broadcast(k), dimensions={}
  i = s64[2] iota(), iota_dimension=0
  m = s64[2] multiply(c, b)
  ROOT a = s64[2] add(m, i)
}`);
    expect(lines(m.entry)).toEqual([
      'c = s32[2] constant({3, 4})',
      'k = s32[] constant(2)',
      'b = s32[2] broadcast(k), dimensions={}',
      'i = s32[2] iota(), iota_dimension=0',
      'm = s32[2] multiply(c, b)',
      'a = s32[2] add(m, i)',
      'ROOT a.wide = s64[2] convert(a)',
    ]);
    expect(firstDeviceWideUse(m)).toBeUndefined(); // the result's convert is the host's
  });

  it('keeps what could leave the 32-bit range, and 64-bit data', () => {
    const m = narrow(`HloModule m
ENTRY e {
  p = s64[2] parameter(0)
  c = s64[2] constant({2147483647, 1})
  i = s64[2] iota(), iota_dimension=0
  a = s64[2] add(c, i)
  ROOT t = (s64[2], s64[2]) tuple(a, p)
}`);
    expect(lines(m.entry)).toEqual([
      'p = s64[2] parameter(0)',
      'c = s64[2] constant({2147483647, 1})',
      'i = s64[2] iota(), iota_dimension=0',
      'a = s64[2] add(c, i)',
      'ROOT t = (s64[2], s64[2]) tuple(a, p)',
    ]);
    // A parameter the result returns as it is stays on the device too (the result is not a convert).
    expect(describeWideUse(firstDeviceWideUse(m)!)).toBe('%p = s64[2] parameter in %e');
  });

  it('does not narrow a divide whose divisor may be 0 in u64 (x / 0 is all ones), but does in s64 (-1)', () => {
    const text = (t: string): string => `HloModule m
ENTRY e {
  a = ${t}[3] constant({7, 8, 9})
  b = ${t}[3] iota(), iota_dimension=0
  d = ${t}[3] divide(a, b)
  ROOT c = pred[3] compare(d, a), direction=LT
}`;
    expect(lines(narrow(text('u64')).entry)).toContain('d = u64[3] divide(a, b)');
    expect(lines(narrow(text('s64')).entry)).toContain('d = s32[3] divide(a, b)');
    expect(differs(text('s64'), [])).toBeUndefined();
    expect(differs(text('u64'), [])).toBeUndefined();
  });

  it('reads a narrowed value narrow in compares and converts, and widens it for a 64-bit user', () => {
    const m = narrow(`HloModule m
ENTRY e {
  p = s64[3] parameter(0)
  i = s64[3] iota(), iota_dimension=0
  lt = pred[3] compare(i, i), direction=LT
  f = f32[3] convert(i)
  s = s64[3] add(p, i)
  ROOT t = (pred[3], f32[3], s64[3]) tuple(lt, f, s)
}`);
    expect(lines(m.entry)).toEqual([
      'p = s64[3] parameter(0)',
      'i = s32[3] iota(), iota_dimension=0',
      'lt = pred[3] compare(i, i), direction=LT',
      'f = f32[3] convert(i)',
      'i.wide = s64[3] convert(i)',
      's = s64[3] add(p, i.wide)',
      'ROOT t = (pred[3], f32[3], s64[3]) tuple(lt, f, s)',
    ]);
  });

  it('drops a convert to s64 of a narrower value that stays narrow', () => {
    const m = narrow(`HloModule m
ENTRY e {
  p = s32[3] parameter(0)
  x = f32[4] parameter(1)
  c = s64[3] convert(p)
  ROOT g = f32[3] gather(x, c), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}
}`);
    expect(lines(m.entry)).toEqual([
      'p = s32[3] parameter(0)',
      'x = f32[4] parameter(1)',
      'ROOT g = f32[3] gather(x, p), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}',
    ]);
  });
});

describe('narrow-int64 on 64-bit entry parameters used as indices', () => {
  // ONNX's Gather: negative indices count from the end, then XLA's gather clamps.
  const ONNX_GATHER = `HloModule m
ENTRY e {
  x = f32[5,2] parameter(0)
  p = s64[3] parameter(1)
  d = s64[] constant(5)
  db = s64[3] broadcast(d), dimensions={}
  z = s64[] constant(0)
  zb = s64[3] broadcast(z), dimensions={}
  neg = pred[3] compare(p, zb), direction=LT
  wrapped = s64[3] add(p, db)
  i = s64[3] select(neg, wrapped, p)
  ROOT g = f32[3,2] gather(x, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,2}
}`;

  it('saturates the parameter and narrows what it computes', () => {
    const m = narrow(ONNX_GATHER);
    expect(lines(m.entry)).toEqual([
      'x = f32[5,2] parameter(0)',
      'p = s64[3] parameter(1)',
      'p.lo = s64[] constant(-16)',
      'p.hi = s64[] constant(15)',
      'p.saturated = s64[3] clamp(p.lo, p, p.hi)',
      'p.narrow = s32[3] convert(p.saturated)',
      'd = s32[] constant(5)',
      'db = s32[3] broadcast(d), dimensions={}',
      'z = s32[] constant(0)',
      'zb = s32[3] broadcast(z), dimensions={}',
      'neg = pred[3] compare(p.narrow, zb), direction=LT',
      'wrapped = s32[3] add(p.narrow, db)',
      'i = s32[3] select(neg, wrapped, p.narrow)',
      'ROOT g = f32[3,2] gather(x, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,2}',
    ]);
    // The parameter, its saturating clamp and the convert are the host's conversion of the input.
    expect(wideIntUses(m).map((u) => `${u.instruction.name}:${u.boundary}`)).toEqual(['p:true', 'p.lo:true', 'p.hi:true', 'p.saturated:true', 'p.narrow:true']);
    expect(firstDeviceWideUse(m)).toBeUndefined();
  });

  it.each(EXTREMES.map((v) => [v]))('gives the same gather for index %s', (v) => {
    expect(differs(ONNX_GATHER, [f32([5, 2]), s64([3], [v, -v, v + 1n])])).toBeUndefined();
  });

  it.each(EXTREMES.map((v) => [v]))('gives the same dynamic-slice and dynamic-update-slice for start %s', (v) => {
    const text = `HloModule m
ENTRY e {
  x = f32[6,4] parameter(0)
  a = s64[] parameter(1)
  b = s64[] parameter(2)
  u = f32[2,3] parameter(3)
  s = f32[2,3] dynamic-slice(x, a, b), dynamic_slice_sizes={2,3}
  d = f32[6,4] dynamic-update-slice(x, u, b, a)
  ROOT t = (f32[2,3], f32[6,4]) tuple(s, d)
}`;
    expect(lines(narrow(text).entry)).toContain('s = f32[2,3] dynamic-slice(x, a.narrow, b.narrow), dynamic_slice_sizes={2,3}');
    expect(differs(text, [f32([6, 4]), s64([], [v]), s64([], [3n - v]), f32([2, 3])])).toBeUndefined();
  });

  it.each(EXTREMES.map((v) => [v]))('gives the same scatter (out of bounds skipped) for index %s', (v) => {
    const text = `HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY e {
  x = f32[5] parameter(0)
  i = s64[3,1] parameter(1)
  u = f32[3] parameter(2)
  ROOT s = f32[5] scatter(x, i, u), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
}`;
    expect(lines(narrow(text).entry)).toContain('i.narrow = s32[3,1] convert(i.saturated)');
    expect(differs(text, [f32([5]), s64([3, 1], [v, 4n - v, v - 1n]), f32([3])])).toBeUndefined();
  });

  it('saturates one-hot indices: iota == p is false past either end', () => {
    const text = `HloModule m
ENTRY e {
  p = s64[3] parameter(0)
  b = s64[3,4] broadcast(p), dimensions={0}
  i = s64[3,4] iota(), iota_dimension=1
  ROOT eq = pred[3,4] compare(i, b), direction=EQ
}`;
    expect(lines(narrow(text).entry)).toContain('b = s32[3,4] broadcast(p.narrow), dimensions={0}');
    for (const v of EXTREMES) expect(differs(text, [s64([3], [v, -v, 3n])])).toBeUndefined();
  });

  it('saturates a float converted to s64 in the float, before the convert (OneHot with float indices)', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[4] parameter(0)
  c = s64[4] convert(x)
  b = s64[4,3] broadcast(c), dimensions={0}
  i = s64[4,3] iota(), iota_dimension=1
  ROOT eq = pred[4,3] compare(i, b), direction=EQ
}`;
    expect(lines(narrow(text).entry)).toEqual([
      'x = f32[4] parameter(0)',
      'c.lo = f32[] constant(-16)',
      'c.hi = f32[] constant(15)',
      'c.saturated = f32[4] clamp(c.lo, x, c.hi)',
      'c.narrow = s32[4] convert(c.saturated)',
      'b = s32[4,3] broadcast(c.narrow), dimensions={0}',
      'i = s32[4,3] iota(), iota_dimension=1',
      'ROOT eq = pred[4,3] compare(i, b), direction=EQ',
    ]);
    // NaN converts to 0 from either width; infinities and huge values saturate to the same side.
    const floats = [NaN, Infinity, -Infinity, 1e30, -1e30, 2.7, -0.5, 3.5, 15.9, 16, -16.5, 1e9, -0, 2 ** 31, 2 ** 63, -(2 ** 63)];
    for (let k = 0; k + 4 <= floats.length; k += 4)
      expect(differs(text, [arrayLiteral(array('f32', [4]), floats.slice(k, k + 4))])).toBeUndefined();    // Returned as well: the s64 values themselves are seen, nothing is saturated.
    const returned = text.replace('ROOT eq = pred[4,3] compare(i, b), direction=EQ', `eq = pred[4,3] compare(i, b), direction=EQ
  ROOT t = (pred[4,3], s64[4]) tuple(eq, c)`);
    expect(lines(narrow(returned).entry)).toContain('c = s64[4] convert(x)');
    expect(lines(narrow(returned).entry).join('\n')).not.toContain('saturated');
  });

  it('keeps a parameter that reaches anything but start indices', () => {
    const asData = `HloModule m
ENTRY e {
  x = f32[5] parameter(0)
  p = s64[1] parameter(1)
  g = f32[1] gather(x, p), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}
  ROOT t = (f32[1], s64[1]) tuple(g, p)
}`;
    expect(lines(narrow(asData).entry)).toContain('p = s64[1] parameter(1)');
    expect(lines(narrow(asData).entry).join('\n')).not.toContain('saturated');
    // p + reverse(p): an element depends on two elements of p; saturating both may change their sum's side.
    const mixed = `HloModule m
ENTRY e {
  x = f32[5] parameter(0)
  p = s64[2] parameter(1)
  r = s64[2] reverse(p), dimensions={0}
  a = s64[2] add(p, r)
  i = s64[2,1] reshape(a)
  ROOT g = f32[2] gather(x, i), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}
}`;
    expect(lines(narrow(mixed).entry).join('\n')).not.toContain('saturated');
    expect(differs(mixed, [f32([5]), s64([2], [1n << 40n, -(1n << 40n) + 3n])])).toBeUndefined();
    // p - 2^40 moves the high tail back in range: not constant on it.
    const shifted = `HloModule m
ENTRY e {
  x = f32[5] parameter(0)
  p = s64[1] parameter(1)
  k = s64[1] constant({1099511627776})
  a = s64[1] subtract(p, k)
  i = s64[1,1] reshape(a)
  ROOT g = f32[1] gather(x, i), offset_dims={}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1}
}`;
    expect(lines(narrow(shifted).entry).join('\n')).not.toContain('saturated');
  });
});

const ARGMAX = (init: string, extra = ''): string => `HloModule m
argmax {
  v0 = f32[] parameter(0)
  i0 = s64[] parameter(1)
  v1 = f32[] parameter(2)
  i1 = s64[] parameter(3)
  eq = pred[] compare(v0, v1), direction=EQ
  lt = pred[] compare(i0, i1), direction=LT
  tie = pred[] and(eq, lt)
  gt = pred[] compare(v0, v1), direction=GT
  pick = pred[] or(gt, tie)
  v = f32[] select(pick, v0, v1)
  i = s64[] select(pick, i0, i1)${extra}
  ROOT t = (f32[], s64[]) tuple(v, i)
}
ENTRY e {
  x = f32[2,3] parameter(0)
  iota = s64[2,3] iota(), iota_dimension=1
  ninf = f32[] constant(-inf)
  init = s64[] constant(${init})
  r = (f32[2], s64[2]) reduce(x, iota, ninf, init), dimensions={1}, to_apply=argmax
  ROOT g = s64[2] get-tuple-element(r), index=1
}`;

/** Rows that make the sentinel win or lose: NaNs, -inf ties, ordinary values. */
const ROWS = [[1, 3, 2, 2, 2, 2], [NaN, NaN, NaN, -Infinity, -Infinity, -Infinity], [NaN, 1, NaN, -Infinity, 5, -Infinity]];

describe('narrow-int64 on reduce and sort', () => {
  it('narrows an argmax whose index init fits, through a narrowed copy of the reducer', () => {
    const m = narrow(ARGMAX('-1'));
    expect(m.computations.map((c) => c.name)).toEqual(['argmax.narrow', 'e']);
    expect(lines(m.computations[0])).toContain('i.1 = s32[] select(pick.1, i0.1, i1.1)');
    expect(lines(m.entry).slice(-3)).toEqual([
      'r = (f32[2], s32[2]) reduce(x, iota, ninf, init), dimensions={1}, to_apply=argmax.narrow',
      'g = s32[2] get-tuple-element(r), index=1',
      'ROOT g.wide = s64[2] convert(g)',
    ]);
    for (const row of ROWS) expect(differs(ARGMAX('-1'), [arrayLiteral(array('f32', [2, 3]), row)])).toBeUndefined();
  });

  it('relabels an INT64_MAX sentinel init to INT32_MAX, and widens the result back exactly', () => {
    const text = ARGMAX('9223372036854775807');
    const m = narrow(text);
    expect(lines(m.entry)).toEqual([
      'x = f32[2,3] parameter(0)',
      'iota = s32[2,3] iota(), iota_dimension=1',
      'ninf = f32[] constant(-inf)',
      'init.image = s32[] constant(2147483647)',
      'r = (f32[2], s32[2]) reduce(x, iota, ninf, init.image), dimensions={1}, to_apply=argmax.narrow',
      'g = s32[2] get-tuple-element(r), index=1',
      'g.image = s32[] constant(2147483647)',
      'g.image.1 = s32[2] broadcast(g.image)',
      'g.sentinel = s64[] constant(9223372036854775807)',
      'g.sentinel.1 = s64[2] broadcast(g.sentinel)',
      'g.is_sentinel = pred[2] compare(g, g.image.1), direction=EQ',
      'g.convert = s64[2] convert(g)',
      'ROOT g.wide = s64[2] select(g.is_sentinel, g.sentinel.1, g.convert)',
    ]);
    expect(firstDeviceWideUse(m)).toBeUndefined(); // the widening is the host's, on the result
    for (const row of ROWS) expect(differs(text, [arrayLiteral(array('f32', [2, 3]), row)])).toBeUndefined();
  });

  it('keeps a sentinel lane the reducer does arithmetic on', () => {
    const text = ARGMAX('9223372036854775807', `
  one = s64[] constant(1)
  bumped = s64[] add(i, one)`);
    expect(lines(narrow(text).entry)).toContain('init = s64[] constant(9223372036854775807)');
  });

  it('relabels a reduce-window whose padding reads the sentinel', () => {
    const text = `HloModule m
argmax {
  v0 = f32[] parameter(0)
  i0 = s64[] parameter(1)
  v1 = f32[] parameter(2)
  i1 = s64[] parameter(3)
  gt = pred[] compare(v1, v0), direction=GT
  v = f32[] select(gt, v1, v0)
  i = s64[] select(gt, i1, i0)
  ROOT t = (f32[], s64[]) tuple(v, i)
}
ENTRY e {
  x = f32[4] parameter(0)
  iota = s64[4] iota(), iota_dimension=0
  ninf = f32[] constant(-inf)
  init = s64[] constant(9007199254740991)
  r = (f32[4], s64[4]) reduce-window(x, iota, ninf, init), window={size=3 pad=1_1}
  ROOT g = s64[4] get-tuple-element(r), index=1
}`.replace('window={size=3 pad=1_1}', 'window={size=3 pad=1_1}, to_apply=argmax');
    expect(lines(narrow(text).entry)).toContain('init.image = s32[] constant(2147483647)');
    for (const row of [[1, 2, 3, 4], [NaN, NaN, NaN, NaN], [-Infinity, -Infinity, 0, -Infinity]])
      expect(differs(text, [arrayLiteral(array('f32', [4]), row)])).toBeUndefined();
    // Compared with INT32_MAX, the image would answer for the sentinel: that compare reads it widened.
    const compared = text.replace('ROOT g = s64[4] get-tuple-element(r), index=1', `g = s64[4] get-tuple-element(r), index=1
  k = s64[] constant(2147483647)
  kb = s64[4] broadcast(k), dimensions={}
  ROOT eq = pred[4] compare(g, kb), direction=EQ`);
    expect(lines(narrow(compared).entry)).toContain('ROOT eq = pred[4] compare(g.wide, kb), direction=EQ');
    expect(differs(compared, [arrayLiteral(array('f32', [4]), [-Infinity, -Infinity, 0, -Infinity])])).toBeUndefined();
  });

  it('narrows a sum whose every partial sum fits (an add reducer adds at most n elements), not one that may not', () => {
    const text = (n: number): string => `HloModule m
add {
  a = s64[] parameter(0)
  b = s64[] parameter(1)
  ROOT s = s64[] add(a, b)
}
ENTRY e {
  i = s64[${n}] iota(), iota_dimension=0
  z = s64[] constant(-7)
  ROOT r = s64[] reduce(i, z), dimensions={0}, to_apply=add
}`;
    const m = narrow(text(1000));
    expect(lines(m.computations[0])).toEqual(['a.1 = s32[] parameter(0)', 'b.1 = s32[] parameter(1)', 'ROOT s.1 = s32[] add(a.1, b.1)']);
    expect(lines(m.entry)).toContain('r = s32[] reduce(i, z), dimensions={0}, to_apply=add.narrow');
    expect(differs(text(1000), [])).toBeUndefined();
    // 0 + 1 + ... + 99999 is past 2^31.
    expect(lines(narrow(text(100000)).entry)).toContain('ROOT r = s64[] reduce(i, z), dimensions={0}, to_apply=add');
  });

  it('narrows a sort of indices (TopK) through a narrowed copy of the comparator', () => {
    const text = `HloModule m
cmp {
  v0 = f32[] parameter(0)
  v1 = f32[] parameter(1)
  i0 = s64[] parameter(2)
  i1 = s64[] parameter(3)
  ROOT gt = pred[] compare(v0, v1), direction=GT
}
ENTRY e {
  x = f32[2,3] parameter(0)
  iota = s64[2,3] iota(), iota_dimension=1
  s = (f32[2,3], s64[2,3]) sort(x, iota), dimensions={1}, is_stable=true, to_apply=cmp
  v = f32[2,3] get-tuple-element(s), index=0
  i = s64[2,3] get-tuple-element(s), index=1
  ROOT t = (f32[2,3], s64[2,3]) tuple(v, i)
}`;
    const m = narrow(text);
    expect(lines(m.entry)).toContain('s = (f32[2,3], s32[2,3]) sort(x, iota), dimensions={1}, is_stable=true, to_apply=cmp.narrow');
    expect(firstDeviceWideUse(m)).toBeUndefined();
    for (const row of ROWS) expect(differs(text, [arrayLiteral(array('f32', [2, 3]), row)])).toBeUndefined();
  });
});

describe('narrow-int64 keeps results on the interpreter', () => {
  const haveOnnx = existsSync(join(ONNX_TESTDATA, 'node'));
  const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'onnx-conformance.md');
  /** Cases with an instruction that needs 64 bits on the device after the pass, at the last count. */
  const ONNX_DEVICE_WIDE_CEILING = 40;

  it.skipIf(!haveOnnx)('on every ONNX backend test case the interpreter passes', async () => {
    const passing = [...readFileSync(COMMITTED, 'utf8').matchAll(/^\| ([\w.-]+\/[\w.-]+) \| pass \|/gm)].map((m) => m[1]);
    const stats = emptyStats();
    let current = '';
    const backend = narrowingBackend(stats, () => current);
    const failed: string[] = [];
    for (const c of listCases().filter((c) => passing.includes(c))) {
      current = c;
      const r = await runCase(c, ONNX_TESTDATA, backend);
      if (r.status !== 'pass') failed.push(`${c}: ${r.reason}`);
    }
    console.log(`narrow-int64 on ONNX: ${stats.modules} cases, ${stats.compared} data sets unchanged, ` +
      `${stats.extremeCompared} again with their 64-bit inputs far out of range; ` +
      `${stats.wideBefore} touch s64/u64 before, ${stats.deviceWideAfter} after (${stats.wideAfter} counting host conversions at the boundary)`);
    expect(failed).toEqual([]);
    expect(stats.modules).toBeGreaterThan(900);
    expect(stats.extremeCompared).toBeGreaterThan(100);
    expect(stats.deviceWideAfter).toBeLessThanOrEqual(ONNX_DEVICE_WIDE_CEILING);
  }, 300_000);

  it.skipIf(!haveCorpus)('on every XLA corpus module that carries s64/u64 and runs within budget', () => {
    const stats = emptyStats();
    const diffs: string[] = [];
    let ran = 0;
    for (const f of haveCorpus ? hloFiles(HLO_CORPUS) : []) {
      let m: Module;
      try {
        m = parseHlo(readFileSync(join(HLO_CORPUS, f), 'utf8'), f);
        verifyModule(m);
      } catch {
        continue;
      }
      if (wideIntUses(m).length === 0) continue;
      const n = narrowAndCount(m, stats, f);
      if (whyNotInterpretable(m, 1e6) !== undefined) continue;
      const args = randomInputs(m.entry.params.map((p) => p.shape), 1);
      let before: Literal;
      try {
        before = interpret(m, args, { maxElements: 1e6 });
      } catch (e) {
        if (e instanceof InterpretError) continue;
        throw e;
      }
      ran++;
      const d = bitDifference(interpret(n, args, { maxElements: 4e6 }), before);
      if (d) diffs.push(`${f}: ${d}`);
    }
    console.log(`narrow-int64 on the XLA corpus: ${stats.modules} modules carry s64/u64, ${ran} ran unchanged; ${stats.deviceWideAfter} still need 64 bits on the device`);
    expect(diffs).toEqual([]);
    expect(ran).toBeGreaterThan(0);
  }, 120_000);
});

// narrow-int64's interface step (passes/narrow_int64_interface.ts): a saturated int64
// parameter becomes s32 and a narrowed int64 result leaves in s32, with the host's
// saturation and widening making the whole bit-identical to the module it came from.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, tupleLiteral, type ArrayLiteral, type Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { array } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { narrowInt64 } from '../../passes/narrow_int64.js';
import { narrowInterface, saturateToNarrow, widenFromNarrow } from '../../passes/narrow_int64_interface.js';
import { EXTREMES } from './narrow_int64_check.js';
import { bitDifference, hlo, lines } from './helpers.js';

// ONNX's Gather (a negative index wraps), with an int64 iota beside it in the result.
const GATHER = `HloModule m
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
  g = f32[3,2] gather(x, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,2}
  k = s64[4] iota(), iota_dimension=0
  ROOT t = (f32[3,2], s64[4]) tuple(g, k)
}`;

/** Runs the narrowed interface as the webgpu backend does: saturate on the way in, widen on the way out. */
function runNarrowed(m: Module, args: ArrayLiteral[]): Literal {
  const { module, results } = narrowInterface(narrowInt64(m));
  const inputs = args.map((a, i) => {
    const d = (module.entry.params[i].shape as { dtype: string }).dtype;
    return a.shape.dtype !== d ? saturateToNarrow(a, d as 's32') : a;
  });
  const out = interpret(module, inputs) as { elements: readonly ArrayLiteral[] };
  return tupleLiteral(out.elements.map((x, i) => (results[i] ? widenFromNarrow(x, results[i]!) : x)));
}

describe('narrow-int64 interface', () => {
  it('takes the saturated parameter and gives the narrowed result in 32 bits', () => {
    const { module, results } = narrowInterface(narrowInt64(hlo(GATHER)));
    verifyModule(module);
    expect(module.entry.params.map((p) => (p.shape as { dtype: string }).dtype)).toEqual(['f32', 's32']);
    expect(lines(module.entry)).toContain('p.saturated = s32[3] clamp(p.lo, p, p.hi)');
    expect(results).toEqual([undefined, { dtype: 's64' }]);
  });

  it.each(EXTREMES.map((v) => [v]))('is bit-identical to the module for index %s', (v) => {
    const m = hlo(GATHER);
    const x = arrayLiteral(array('f32', [5, 2]), Array.from({ length: 10 }, (_, k) => k + 1));
    const p = arrayLiteral(array('s64', [3]), [v, -v, v + 1n]);
    expect(bitDifference(runNarrowed(m, [x, p]), interpret(m, [x, p]))).toBeUndefined();
  });

  it('saturates into s32 and u32, and widens a relabelled sentinel back', () => {
    const s = saturateToNarrow(arrayLiteral(array('s64', [3]), [-(1n << 40n), 7n, 1n << 40n]), 's32');
    expect(Array.from(s.data as ArrayLike<number>)).toEqual([-(2 ** 31), 7, 2 ** 31 - 1]);
    const w = widenFromNarrow(arrayLiteral(array('s32', [2]), [2 ** 31 - 1, -3]), { dtype: 's64', relabel: { image: 2n ** 31n - 1n, wide: 2n ** 63n - 1n } });
    expect(Array.from(w.data as ArrayLike<bigint>)).toEqual([2n ** 63n - 1n, -3n]);
  });
});

// A pad with interior padding along the vector dim, in vectors: the interleave that puts a
// transposed convolution's phases back together (passes/transposed_conv.ts) is a sum of
// such pads, one per phase. Lane l of the vector at t0 = x − low holds the operand's
// element (t0 + l) / s where s divides t0 + l, and the padding value elsewhere; which lanes
// those are depends only on t0 mod s. So a run-time branch on t0 mod s (s ≤ 4) picks the
// lanes' pattern and each valid lane is one scalar load at a plain index, where the
// general rule tests, clamps and selects every lane (a stride-2 ConvTranspose's interleave
// was 0.55 ms of its 0.72). Vectors at the edges, where a lane leaves the operand's range,
// keep the general rule.
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { fixed, type Emitter, type Idx } from './emitter.js';

/** Widest interior step taken here: with 4 lanes, a wider one has at most one valid lane. */
const MAX_STEP = 4;

/**
 * The pad's vector at `index` when its one lane dim has interior padding (step 2..4);
 * undefined otherwise. `inner` is the operand's index along the other dims (clamped),
 * `inside` whether they lie inside the operand, and `general` the lane-by-lane rule.
 */
export function interleavedPad(em: Emitter, pad: InstructionOf<'pad'>, index: readonly Idx[], inner: readonly Idx[], inside: Expr,
  general: () => Expr[]): Expr[] | undefined {
  const d = index.findIndex((i) => i.lane);
  const p = pad.attrs.padding[d];
  if (d < 0 || index.some((i, j) => i.lane && j !== d) || p.interior < 1 || p.interior + 1 > MAX_STEP) return undefined;
  const step = p.interior + 1;
  const [x, padValue] = pad.operands;
  const n = (x.shape as ArrayShape).dims[d];
  const t0 = em.bind('t', k.sub(index[d].e, k.int(p.low)));
  const pv = em.scalar().value(padValue, []);
  const result = em.kb.fresh('il');
  const type = k.splat(pv).type;
  em.out.push(k.letStmt(result, k.splat(pv)));
  // A scalar emitter made inside the branch writes its loads there, under the branch's test.
  const lanesFor = (rho: number): Expr => {
    const sc = em.scalar();
    return k.vector([0, 1, 2, 3].map((l) => {
      if ((rho + l) % step !== 0) return pv;
      const idx = inner.map((i, j) => (j === d ? fixed(k.div(k.add(t0, k.int(l)), step)) : i));
      return sc.value(x, idx);
    }));
  };
  const branch = (value: () => Expr): ReturnType<Emitter['nested']>[0] => em.nested(() => { em.out.push(k.assign(result, value())); })[0];
  // Every lane inside the operand's span [0, (n − 1)·step]: the pattern by t0 mod step.
  const within = k.and(k.compare('GE', t0, k.int(0)), k.compare('LE', k.add(t0, k.int(3)), k.int((n - 1) * step)));
  const residue = em.bind('rho', k.mod(k.max(t0, k.int(0)), step));
  let chain = branch(() => lanesFor(step - 1));
  for (let rho = step - 2; rho >= 0; rho--) chain = [k.ifStmt(k.compare('EQ', residue, k.int(rho)), branch(() => lanesFor(rho)), chain)];
  // Other dims outside the operand: all padding (the initial value), no lane to look at.
  em.out.push(k.ifStmt(inside, [k.ifStmt(within, chain, branch(() => general()[0]))]));
  return [k.variable(result, type)];
}

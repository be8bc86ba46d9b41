// Constant folding of 32-bit index arithmetic, by the reference's own scalar kernels
// (ir/scalar), so a folded index wraps exactly as the computed one would. A target
// that unrolls a loop folds the loop variable's value into the indices of its body.
import { unreachable, type Expr, type ScalarType } from '../../ir/kernel/kernel.js';
import { convertValue } from '../../ir/scalar/convert.js';
import { binaryKernel, compareKernel, unaryKernel } from '../../ir/scalar/ops.js';

/** The types folding handles (32-bit index arithmetic), and how each wraps. */
const FINISH: Partial<Record<ScalarType, (x: number) => number>> = {
  s32: (x) => x | 0, u32: (x) => x >>> 0, pred: (x) => (x ? 1 : 0),
};

/**
 * The value of scalar s32/u32/pred expression `e` when it is constant given the
 * variables in `consts`, else undefined. Loads, locals and vectors never fold; a
 * select folds its chosen operand only.
 */
export function foldIndex(e: Expr, consts: ReadonlyMap<string, number>): number | undefined {
  const fin = FINISH[e.type.scalar];
  if (e.type.lanes !== 1 || !fin) return undefined;
  const fold = (x: Expr) => foldIndex(x, consts);
  switch (e.k) {
    case 'const': return fin(Number(e.value));
    case 'var': return consts.get(e.name);
    case 'unary': {
      const a = fold(e.a);
      const k = a === undefined ? undefined : unaryKernel(e.op, e.a.type.scalar);
      return k ? fin(k(a!) as number) : undefined;
    }
    case 'binary': {
      const a = fold(e.a);
      if (a === undefined) return undefined;
      const b = fold(e.b);
      const k = b === undefined ? undefined : binaryKernel(e.op, e.type.scalar);
      return k ? fin(k(a, b!) as number) : undefined;
    }
    case 'compare': {
      const a = fold(e.a);
      if (a === undefined) return undefined;
      const b = fold(e.b);
      return b === undefined ? undefined : compareKernel(e.dir, undefined, e.a.type.scalar)!(a, b);
    }
    case 'convert': {
      const a = fold(e.a);
      return a === undefined ? undefined : fin(Number(convertValue(a, e.a.type.scalar, e.type.scalar)));
    }
    case 'select': {
      const c = fold(e.cond);
      return c === undefined ? undefined : fold(c ? e.a : e.b);
    }
    case 'load': case 'local': case 'muladd': case 'bitcast': case 'splat': case 'vector': case 'extract': case 'round': case 'gpuId':
      return undefined;
    default: return unreachable(e);
  }
}

// Calling a scalar computation per element (reduce's to_apply, sort's comparator...).
// The general path evaluates the computation on scalar literals. When the computation
// is a single binary op (or compare) on its parameters, the same kernel is called
// directly: it computes and rounds exactly as evaluating the computation would.
import type { DType } from '../dtype.js';
import type { ArrayLiteral, Literal, TupleLiteral } from '../literal.js';
import type { Computation, Instruction } from '../module.js';
import { familyOf } from '../opcodes.js';
import { scalarLiteral, type Ctx } from './util.js';
import { binaryKernel, compareKernel } from '../scalar/ops.js';
import { finisher, type Scalar } from '../scalar/value.js';

const isScalarOf = (i: Instruction, dt: DType): boolean =>
  i.shape.kind === 'array' && i.shape.dims.length === 0 && i.shape.dtype === dt;

/** Root's operands as parameter numbers, when both are parameters of a 2-parameter computation. */
function paramOperands(comp: Computation, dt: DType): [number, number] | undefined {
  const [p0, p1] = comp.params;
  if (!p0 || !p1 || !isScalarOf(p0, dt) || !isScalarOf(p1, dt)) return undefined;
  const [x, y] = comp.root.operands;
  const ix = comp.params.indexOf(x), iy = comp.params.indexOf(y);
  return ix >= 0 && ix < 2 && iy >= 0 && iy < 2 ? [ix, iy] : undefined;
}

/** f(a, b) equal to evaluating comp(a, b) with a, b of dtype dt, if comp is that simple. */
export function binaryFast(comp: Computation, dt: DType): ((a: Scalar, b: Scalar) => Scalar) | undefined {
  if (comp.params.length !== 2) return undefined;
  const root = comp.root;
  if (root === comp.params[1] && isScalarOf(root, dt)) return (_a, b) => b;
  if (root === comp.params[0] && isScalarOf(root, dt)) return (a) => a;
  if (familyOf(root.opcode) !== 'binary' || root.opcode === 'compare' || root.operands.length !== 2) return undefined;
  if (!isScalarOf(root, dt)) return undefined;
  const ops = paramOperands(comp, dt);
  const k = binaryKernel(root.opcode, dt);
  if (!ops || !k) return undefined;
  const fin = finisher(dt);
  const [ix, iy] = ops;
  if (ix === 0 && iy === 1) return (a, b) => fin(k(a, b));
  if (ix === 1 && iy === 0) return (a, b) => fin(k(b, a));
  return ix === 0 ? (a) => fin(k(a, a)) : (_a, b) => fin(k(b, b));
}

/** Evaluate comp on scalar arguments of the given dtypes; returns its scalar results. */
export function scalarCaller(comp: Computation, dtypes: readonly DType[], ctx: Ctx): (args: readonly Scalar[]) => Scalar[] {
  return (args) => {
    const lits: Literal[] = args.map((v, i) => scalarLiteral(dtypes[i], v));
    const r = ctx.call(comp, lits);
    if (r.shape.kind === 'tuple') return (r as TupleLiteral).elements.map((e) => (e as ArrayLiteral).data[0]);
    return [(r as ArrayLiteral).data[0]];
  };
}

/**
 * A reduction step for N values at once: acc ← comp(acc_0..acc_{N-1}, x_0..x_{N-1}).
 * accTypes and xTypes give the dtypes of the two halves of comp's parameters.
 */
export function combiner(
  comp: Computation, accTypes: readonly DType[], xTypes: readonly DType[], ctx: Ctx,
): (acc: Scalar[], xs: readonly Scalar[]) => void {
  if (accTypes.length === 1 && accTypes[0] === xTypes[0]) {
    const f = binaryFast(comp, accTypes[0]);
    if (f) return (acc, xs) => { acc[0] = f(acc[0], xs[0]); };
  }
  const call = scalarCaller(comp, [...accTypes, ...xTypes], ctx);
  return (acc, xs) => {
    const r = call([...acc, ...xs]);
    for (let j = 0; j < acc.length; j++) acc[j] = r[j];
  };
}

/** A predicate computation (compare-like) on scalar arguments of the given dtypes. */
export function predicate(comp: Computation, dtypes: readonly DType[], ctx: Ctx): (args: readonly Scalar[]) => boolean {
  const root = comp.root;
  if (root.opcode === 'compare' && dtypes.length >= 2 && dtypes[0] === dtypes[1]) {
    const ops = paramOperands(comp, dtypes[0]);
    const k = compareKernel(root.attrs.direction, root.attrs.type, dtypes[0]);
    if (ops && k) {
      const [ix, iy] = ops;
      return (args) => k(args[ix], args[iy]) !== 0;
    }
  }
  const call = scalarCaller(comp, dtypes, ctx);
  return (args) => call(args)[0] !== 0;
}

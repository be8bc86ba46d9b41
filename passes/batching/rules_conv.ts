// Convolution, after JAX's _conv_general_dilated_batch_rule: the batch is folded into a
// dim the convolution already has, so the batched op is one convolution of the original
// rank. Input batched only: into the input batch dim. Kernel batched only: into the kernel's
// output features. Both: into the input features and the kernel's output features, as
// that many more feature groups (or batch groups, when the op already groups its batch).
// The result's folded dim is then split back out.
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { inferShape } from '../../ir/shape_inference.js';
import { dimsOf, dtypeOf, movePerm, removeAt, withType } from './moves.js';
import { type BatchRule, type RuleCtx, arrayBdim } from './types.js';

/**
 * Folds dim src of x into dim dst, src outermost. As in JAX, dst counts dims after src is
 * removed, so for an added batch dim it names a dim of the unbatched value.
 */
export function reshapeAxisInto(ctx: RuleCtx, x: Instruction, src: number, dst: number): Instruction {
  const dims = dimsOf(x);
  const moved = src === dst ? x : ctx.c.transpose(x, movePerm(dims.length, src, dst));
  const out = removeAt(dims, src);
  out[dst] *= dims[src];
  return ctx.c.reshape(moved, out);
}

/** Splits dim src of x into [size1, rest], size1 outermost. */
export function reshapeAxisOutOf(ctx: RuleCtx, x: Instruction, src: number, size1: number): Instruction {
  const dims = dimsOf(x);
  const out = [...dims.slice(0, src), size1, dims[src] / size1, ...dims.slice(src + 1)];
  return ctx.c.reshape(x, out);
}

function conv(ctx: RuleCtx, instr: Instruction & { opcode: 'convolution' }, lhs: Instruction, rhs: Instruction, groups: { f: number; b: number }): Instruction {
  const attrs: OpAttrs<'convolution'> = { ...instr.attrs, feature_group_count: groups.f, batch_group_count: groups.b };
  const shape = withType(inferShape('convolution', [lhs.shape, rhs.shape], attrs), dtypeOf(instr));
  return ctx.c.op('convolution', [lhs, rhs], attrs, shape);
}

export const convolutionRule: BatchRule<'convolution'> = (ctx, instr, args) => {
  const [l, r] = args;
  const d = instr.attrs.dim_labels, n = ctx.size;
  const f = instr.attrs.feature_group_count ?? 1, bg = instr.attrs.batch_group_count ?? 1;
  const lb = arrayBdim(l), rb = arrayBdim(r);
  if (lb !== null && rb !== null) {
    const lhs = reshapeAxisInto(ctx, l.x, lb, bg > 1 ? d.inputBatch : d.inputFeature);
    const rhs = reshapeAxisInto(ctx, r.x, rb, d.kernelOutput);
    const out = conv(ctx, instr, lhs, rhs, bg > 1 ? { f, b: bg * n } : { f: f * n, b: bg });
    return { x: reshapeAxisOutOf(ctx, out, d.outputFeature, n), b: d.outputFeature };
  }
  if (lb !== null) {
    let lhs: Instruction;
    if (bg === 1) lhs = reshapeAxisInto(ctx, l.x, lb, d.inputBatch);
    else {
      // Keep batch groups outermost: split them off, fold the batch inside them, merge back.
      lhs = reshapeAxisOutOf(ctx, l.x, d.inputBatch + (lb <= d.inputBatch ? 1 : 0), bg);
      lhs = reshapeAxisInto(ctx, lhs, lb + (d.inputBatch < lb ? 1 : 0), d.inputBatch + 1);
      lhs = reshapeAxisInto(ctx, lhs, d.inputBatch, d.inputBatch);
    }
    const out = conv(ctx, instr, lhs, r.x, { f, b: bg });
    return { x: reshapeAxisOutOf(ctx, out, d.outputBatch, n), b: d.outputBatch };
  }
  const k = rb!;
  if (f === 1 && bg === 1) {
    const out = conv(ctx, instr, l.x, reshapeAxisInto(ctx, r.x, k, d.kernelOutput), { f, b: bg });
    return { x: reshapeAxisOutOf(ctx, out, d.outputFeature, n), b: d.outputFeature };
  }
  // Groups outermost in the kernel's output features, the batch inside each; undone on the result.
  const g = f > 1 ? f : bg, o = d.kernelOutput, of = d.outputFeature;
  let rhs = reshapeAxisOutOf(ctx, r.x, o + (k <= o ? 1 : 0), g);
  rhs = reshapeAxisInto(ctx, rhs, k + (o < k ? 1 : 0), o + 1);
  rhs = reshapeAxisInto(ctx, rhs, o, o);
  let out = conv(ctx, instr, l.x, rhs, { f, b: bg });
  out = reshapeAxisOutOf(ctx, out, of, g);
  out = reshapeAxisOutOf(ctx, out, of + 1, n);
  out = reshapeAxisInto(ctx, out, of, of + 1);
  return { x: out, b: of };
};

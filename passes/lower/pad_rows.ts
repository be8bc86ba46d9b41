// A loop kernel whose root is a pad without interior padding (conv-padding's pad before
// every convolution, often with the previous layer's activation fused into it) writes each
// output row in segments: the padding value where the row lies in the padding (a whole row
// of it, or its low and high ends), and between them the operand's row read at the shifted
// index, in vectors. The general form asks the pad rule for every lane, which tests each
// lane's position and packs lane by lane: MobileNet-v2's 16 pads of activations took 18
// ms of its 42 ms that way.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Lanes, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import type { Emitter } from './emitter.js';
import type { KernelBuilder } from './kernel_builder.js';

export interface PadRowContext {
  readonly kb: KernelBuilder;
  readonly emitter: (lanes: Lanes) => Emitter;
  /** The output buffer (the kernel's one output). */
  readonly out: number;
  /** The row's index along the output's leading dims, and its first element's offset. */
  readonly rowIndex: readonly Expr[];
  readonly rowBase: Expr;
}

/** The pad root's rows, segment by segment, or undefined where the root is not such a pad. */
export function padRows(root: Instruction, ctx: PadRowContext): Stmt[] | undefined {
  if (root.opcode !== 'pad' || root.shape.kind !== 'array') return undefined;
  const pad = root as InstructionOf<'pad'>;
  const padding = pad.attrs.padding;
  if (padding.some((p) => p.interior !== 0 || p.low < 0 || p.high < 0)) return undefined;
  const [operand, value] = pad.operands;
  const inDims = (operand.shape as ArrayShape).dims, outDims = root.shape.dims;
  const r = outDims.length, minor = r - 1;
  const N = outDims[minor], lo = padding[minor].low, n = inDims[minor];

  const segment = (lanes: Lanes, from: number, to: number, at: (j: Expr) => Expr | undefined): Stmt[] => {
    if (to <= from) return [];
    const em = ctx.emitter(lanes);
    const j = ctx.kb.fresh('j');
    const jv = k.variable(j);
    const [stmts] = em.nested(() => {
      const shifted = at(jv);
      const v = shifted ? em.values(operand, [...ctx.rowIndex.map((e, d) => ({ e: k.sub(e, k.int(padding[d].low)), lane: false })), { e: shifted, lane: lanes === 4 }])[0]
        : splatTo(em.values(value, [])[0], lanes);
      em.out.push(k.store(ctx.out, k.add(ctx.rowBase, jv), em.widen(v)));
    });
    return [k.loop(j, from, to, stmts, 'serial', lanes)];
  };
  const fill = (from: number, to: number): Stmt[] => {
    const vecTo = from + Math.floor((to - from) / 4) * 4;
    return [...segment(4, from, vecTo, () => undefined), ...segment(1, vecTo, to, () => undefined)];
  };
  const vecEnd = lo + Math.floor(n / 4) * 4;
  const inside = [
    ...fill(0, lo),
    ...segment(4, lo, vecEnd, (j) => k.sub(j, k.int(lo))),
    ...segment(1, vecEnd, lo + n, (j) => k.sub(j, k.int(lo))),
    ...fill(lo + n, N),
  ];
  // The row lies in the padding when any leading index does.
  const inRow = ctx.rowIndex.reduce((c, e, d) => (padding[d].low === 0 && padding[d].high === 0 ? c : k.and(c, k.inRange(k.sub(e, k.int(padding[d].low)), inDims[d]))), k.constant('pred', 1) as Expr);
  return inRow.k === 'const' ? inside : [k.ifStmt(inRow, inside, fill(0, N))];
}

const splatTo = (e: Expr, lanes: Lanes): Expr => (lanes === 4 ? k.splat(e) : e);

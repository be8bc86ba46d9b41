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

/**
 * The loop kernel's loop over one output row's minor positions [from, to) (`lanes` at a
 * time), storing at each the values `valuesAt` gives for position `j` (one per output).
 */
export type RowLoop = (lanes: Lanes, from: Expr | number, to: Expr | number, valuesAt: (em: Emitter, j: Expr) => Expr[]) => Stmt;

/**
 * The pad root's rows, segment by segment, or undefined where the root is not such a pad.
 * `rowIndex` is the row's index along the output's leading dims.
 */
export function padRows(root: Instruction, rowIndex: readonly Expr[], rowLoop: RowLoop): Stmt[] | undefined {
  if (root.opcode !== 'pad' || root.shape.kind !== 'array') return undefined;
  const pad = root as InstructionOf<'pad'>;
  const padding = pad.attrs.padding;
  if (padding.some((p) => p.interior !== 0 || p.low < 0 || p.high < 0)) return undefined;
  const [operand, value] = pad.operands;
  const inDims = (operand.shape as ArrayShape).dims, outDims = root.shape.dims;
  const r = outDims.length, minor = r - 1;
  const N = outDims[minor], lo = padding[minor].low, n = inDims[minor];

  /** Positions [from, to) `lanes` at a time: the operand's row at the shifted index, or the padding value. */
  const segment = (lanes: Lanes, from: number, to: number, fromOperand: boolean): Stmt[] => {
    if (to <= from) return [];
    return [rowLoop(lanes, from, to, (em, j) => fromOperand
      ? em.values(operand, [...rowIndex.map((e, d) => ({ e: k.sub(e, k.int(padding[d].low)), lane: false })), { e: k.sub(j, k.int(lo)), lane: lanes === 4 }])
      : [splatTo(em.values(value, [])[0], lanes)])];
  };
  const fill = (from: number, to: number): Stmt[] => {
    const vecTo = from + Math.floor((to - from) / 4) * 4;
    return [...segment(4, from, vecTo, false), ...segment(1, vecTo, to, false)];
  };
  const vecEnd = lo + Math.floor(n / 4) * 4;
  const inside = [...fill(0, lo), ...segment(4, lo, vecEnd, true), ...segment(1, vecEnd, lo + n, true), ...fill(lo + n, N)];
  // The row lies in the padding when any leading index does.
  const inRow = rowIndex.reduce((c, e, d) => (padding[d].low === 0 && padding[d].high === 0 ? c : k.and(c, k.inRange(k.sub(e, k.int(padding[d].low)), inDims[d]))), k.constant('pred', 1) as Expr);
  return inRow.k === 'const' ? inside : [k.ifStmt(inRow, inside, fill(0, N))];
}

const splatTo = (e: Expr, lanes: Lanes): Expr => (lanes === 4 ? k.splat(e) : e);

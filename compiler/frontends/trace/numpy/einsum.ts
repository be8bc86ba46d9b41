// Contractions named by letters (einsum) or by axes (tensordot), each one HLO dot.
import { axesOf, node, promote, reduce, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { transpose } from './shape.js';

/**
 * numpy.einsum for one or two operands: `'bij,bjk->bik'`, `'ij->ji'`, `'i,i'` (the
 * output, when not written, is the letters seen once, sorted). A letter in both operands
 * and the output is a batch dim, in both but not the output is contracted, in one operand
 * only and not the output is summed first. Refused: ellipses, and a letter repeated
 * within one operand (traces and diagonals).
 */
export function einsum(spec: string, ...operands: TensorLike[]): Tensor {
  const { inputs, output } = parseSpec(spec, operands.length);
  const ts = promote(...operands);
  const sizes = new Map<string, number>();
  inputs.forEach((letters, i) => {
    if (letters.length !== ts[i].ndim) throw new Error(`kiln: einsum '${spec}': operand ${i} [${ts[i].shape}] has ${ts[i].ndim} dims, the spec names ${letters.length}`);
    [...letters].forEach((l, d) => {
      const n = sizes.get(l);
      if (n !== undefined && n !== ts[i].shape[d]) throw new Error(`kiln: einsum '${spec}': '${l}' is ${n} in one place and ${ts[i].shape[d]} in another (shapes ${ts.map((t) => `[${t.shape}]`).join(', ')})`);
      sizes.set(l, ts[i].shape[d]);
    });
  });
  // Letters that appear nowhere else are summed away before the product.
  const elsewhere = (l: string, i: number) => output.includes(l) || inputs.some((s, j) => j !== i && s.includes(l));
  const reduced = ts.map((t, i) => {
    const gone = [...inputs[i]].flatMap((l, d) => (elsewhere(l, i) ? [] : [d]));
    inputs[i] = [...inputs[i]].filter((l) => elsewhere(l, i)).join('');
    return gone.length > 0 ? reduce(t, gone, 'add', 0) : t;
  });
  if (reduced.length === 1) return transpose(reduced[0], [...output].map((l) => inputs[0].indexOf(l)));
  return contract(reduced[0], reduced[1], inputs[0], inputs[1], output);
}

/** The dot of two operands whose every letter is in the other operand or the output, then the output's order. */
function contract(a: Tensor, b: Tensor, la: string, lb: string, output: string): Tensor {
  const batch = [...la].filter((l) => lb.includes(l) && output.includes(l));
  const summed = [...la].filter((l) => lb.includes(l) && !output.includes(l));
  const pos = (s: string, ls: string[]) => ls.map((l) => s.indexOf(l));
  const out = node('dot', [a, b], {
    lhs_batch_dims: pos(la, batch), rhs_batch_dims: pos(lb, batch),
    lhs_contracting_dims: pos(la, summed), rhs_contracting_dims: pos(lb, summed),
  });
  // A dot's result dims: batch, then lhs's free dims, then rhs's, each in operand order.
  const order = [...batch, ...[...la].filter((l) => !lb.includes(l)), ...[...lb].filter((l) => !la.includes(l))];
  return transpose(out, [...output].map((l) => order.indexOf(l)));
}

function parseSpec(spec: string, count: number): { inputs: string[]; output: string } {
  const text = spec.replace(/\s+/g, '');
  if (text.includes('.')) throw new Error(`kiln: einsum '${spec}': ellipses are not supported`);
  const [lhs, rhs] = text.split('->');
  const inputs = lhs.split(',');
  if (inputs.length !== count || count < 1 || count > 2) throw new Error(`kiln: einsum '${spec}' names ${inputs.length} operand(s), got ${count} (1 or 2 supported)`);
  for (const s of [...inputs, rhs ?? ''])
    if (!/^[a-zA-Z]*$/.test(s) || new Set(s).size !== s.length)
      throw new Error(`kiln: einsum '${spec}': '${s}' repeats a letter or has a non-letter (traces and diagonals are not supported)`);
  const all = inputs.join('');
  const output = rhs ?? [...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort().join('');
  for (const l of output) if (!all.includes(l)) throw new Error(`kiln: einsum '${spec}': output letter '${l}' is in no operand`);
  return { inputs, output };
}

/**
 * numpy.tensordot: contracts the last `axes` dims of a with the first of b, or the listed
 * axes pairwise; the result has a's remaining dims, then b's.
 */
export function tensordot(a: TensorLike, b: TensorLike, axes: number | readonly [readonly number[] | number, readonly number[] | number] = 2): Tensor {
  const [x, y] = promote(a, b);
  const [ax, ay] = typeof axes === 'number'
    ? [x.shape.map((_, i) => i).slice(x.ndim - axes), y.shape.map((_, i) => i).slice(0, axes)]
    : [axesOf(axes[0], x.ndim), axesOf(axes[1], y.ndim)];
  if (typeof axes === 'number' && (axes < 0 || axes > Math.min(x.ndim, y.ndim))) throw new Error(`kiln: tensordot of [${x.shape}] and [${y.shape}] over ${axes} axes`);
  if (ax.length !== ay.length || ax.some((d, i) => x.shape[d] !== y.shape[ay[i]]))
    throw new Error(`kiln: tensordot of [${x.shape}] and [${y.shape}]: axes [${ax}] and [${ay}] do not pair up with equal sizes`);
  return node('dot', [x, y], { lhs_batch_dims: [], rhs_batch_dims: [], lhs_contracting_dims: ax, rhs_contracting_dims: ay });
}

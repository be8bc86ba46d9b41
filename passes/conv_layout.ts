// Convolution kernels with the output features minor: a convolution whose output keeps
// its spatial dims minor and in order (NCHW, `bf01`) gets its kernel permuted to
// spatial, input feature, output feature (HWIO, `01io`), so that the tiled convolution's
// planar mode (passes/lower/tiled_conv.ts) loads 4 output features' weights as one
// vector. The other modes and the elemental form read any kernel layout, so the
// rewrite costs nothing where planar mode is not chosen. A constant kernel is permuted
// here (its weights are stored permuted; nothing runs); any other kernel gets a
// transpose, which is one cheap kernel next to the convolution (like XLA's layout
// assignment, which picks the layout the convolution emitter wants and makes the copy).
// Only f32 convolutions without feature or batch groups and with at least 4 output
// features are rewritten; a kernel shared by several convolutions is permuted once.
import { arrayLiteral } from '../ir/literal.js';
import type { Instruction, InstructionOf, Module } from '../ir/module.js';
import { array, strides, type ArrayShape } from '../ir/shape.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames, removeDead, sweep, type Pass } from './rewrite.js';

export const convLayout: Pass = (input: Module) => {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) {
    const permuted = new Map<string, Instruction>();
    const n = sweep(c, (i) => {
      if (i.opcode !== 'convolution') return undefined;
      const conv = i as InstructionOf<'convolution'>;
      const perm = permutation(conv);
      if (!perm) return undefined;
      const w = conv.operands[1];
      const key = `${w.name}/${perm.join(',')}`;
      const added: Instruction[] = [];
      let kernel = permuted.get(key);
      if (!kernel) {
        kernel = permute(w, perm, names.unique(`${w.name}.hwio`));
        permuted.set(key, kernel);
        added.push(kernel);
      }
      const cd = conv.attrs.dim_labels;
      const nsp = cd.kernelSpatial.length;
      const name = i.name;
      i.name = names.unique(`${name}.oihw`);
      const out = makeInstruction(name, 'convolution', i.shape, [i.operands[0], kernel], {
        ...conv.attrs,
        dim_labels: { ...cd, kernelSpatial: cd.kernelSpatial.map((_, s) => s), kernelInput: nsp, kernelOutput: nsp + 1 },
      }, i.raw);
      added.push(out);
      return { replacement: out, added };
    });
    if (n > 0) removeDead(c);
  }
  return m;
};

/** The kernel's dims in HWIO order, or undefined when the convolution is left alone. */
function permutation(conv: InstructionOf<'convolution'>): number[] | undefined {
  const a = conv.attrs, cd = a.dim_labels;
  const [x, w] = conv.operands;
  if (conv.shape.kind !== 'array' || x.shape.kind !== 'array' || w.shape.kind !== 'array') return undefined;
  if (conv.shape.dtype !== 'f32' || w.shape.dtype !== 'f32' || x.shape.dtype !== 'f32') return undefined;
  if ((a.feature_group_count ?? 1) !== 1 || (a.batch_group_count ?? 1) !== 1) return undefined;
  const od = conv.shape.dims, nsp = cd.outputSpatial.length;
  if (nsp === 0 || cd.outputSpatial.some((d, s) => d !== od.length - nsp + s)) return undefined;
  if (od[cd.outputFeature] < 4) return undefined;
  const perm = [...cd.kernelSpatial, cd.kernelInput, cd.kernelOutput];
  return perm.every((d, j) => d === j) ? undefined : perm;
}

/** `w` with its dims in the order `perm`: a new constant when `w` is one, else a transpose. */
function permute(w: Instruction, perm: readonly number[], name: string): Instruction {
  const ws = w.shape as ArrayShape;
  const shape = array(ws.dtype, perm.map((d) => ws.dims[d]));
  const values = w.opcode === 'constant' ? arrayValues(w.attrs.literal) : undefined;
  if (!values) return makeInstruction(name, 'transpose', shape, [w], { dimensions: [...perm] });
  // out[j0, j1, ...] = w[i] with i[perm[k]] = j_k.
  const src = strides(ws.dims), n = values.data.length;
  const out = new Array<number>(n);
  const idx = new Array<number>(perm.length).fill(0);
  for (let j = 0; j < n; j++) {
    let at = 0;
    for (let d = 0; d < perm.length; d++) at += idx[d] * src[perm[d]];
    out[j] = Number(values.data[at]);
    for (let d = perm.length - 1; d >= 0; d--) {
      if (++idx[d] < shape.dims[d]) break;
      idx[d] = 0;
    }
  }
  return makeInstruction(name, 'constant', shape, [], { literal: arrayLiteral(shape, out) });
}


// Convolution operands in the layouts the tiled convolution reads fastest
// (passes/lower/tiled_conv.ts, docs/lowering.md):
// - A convolution whose output keeps its spatial dims minor and in order (NCHW, `bf01`)
//   gets its kernel permuted to spatial, input feature, output feature (HWIO, `01io`),
//   so that planar mode loads 4 output features' weights as one vector. The other modes
//   and the elemental form read any kernel layout, so the rewrite costs nothing where
//   planar mode is not chosen.
// - A convolution whose output has its features minor (feature mode: `b01f`, or `01bf`
//   as a kernel gradient is written) gets an HWIO kernel and an NHWC input (`b01f`):
//   feature mode loads output features' weights as vectors and walks the input features
//   of each splatted position, both contiguous only then. Autodiff writes the input
//   gradient with an `01oi` kernel and the kernel gradient with an `f01b` input; at batch
//   64 the MNIST CNN's second layer's ran 70 → 27 ms and 70 → 46 ms this way. The
//   transposes are copies, so only a convolution with at least FLOPS_PER_MOVED flops per
//   element moved is rewritten (its first layer's kernel gradient, 80 MFLOP over a
//   1.6M-element transpose, lost 0.6 ms).
// A constant kernel is permuted here (its weights are stored permuted; nothing runs); any
// other operand gets a transpose, which is one cheap kernel next to the convolution (like
// XLA's layout assignment, which picks the layouts the convolution emitter wants and
// makes the copies). Only f32 convolutions without feature or batch groups and with at
// least 4 output features are rewritten; an operand shared by several convolutions is
// permuted once.
import { evalTranspose } from '../ir/interpret/structural.js';
import type { Instruction, InstructionOf, Module } from '../ir/module.js';
import { array, type ArrayShape } from '../ir/shape.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames, removeDead, sweep, type Pass } from './rewrite.js';

/** Least flops (2 · multiply-adds) per element a feature-mode rewrite transposes. */
const FLOPS_PER_MOVED = 256;

export const convLayout: Pass = (input: Module) => {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) {
    const permuted = new Map<string, Instruction>();
    const n = sweep(c, (i) => {
      if (i.opcode !== 'convolution') return undefined;
      const conv = i as InstructionOf<'convolution'>;
      const perms = permutations(conv);
      if (!perms) return undefined;
      const added: Instruction[] = [];
      const operand = (o: Instruction, perm: number[] | undefined, suffix: string): Instruction => {
        if (!perm) return o;
        const key = `${o.name}/${perm.join(',')}`;
        let p = permuted.get(key);
        if (!p) {
          p = permute(o, perm, names.unique(`${o.name}.${suffix}`));
          permuted.set(key, p);
          added.push(p);
        }
        return p;
      };
      const x = operand(conv.operands[0], perms.input, 'nhwc');
      const kernel = operand(conv.operands[1], perms.kernel, 'hwio');
      const cd = conv.attrs.dim_labels;
      const nsp = cd.kernelSpatial.length;
      const spatial = cd.kernelSpatial.map((_, s) => s);
      const dim_labels = {
        ...cd,
        ...(perms.input ? { inputBatch: 0, inputSpatial: spatial.map((s) => s + 1), inputFeature: nsp + 1 } : {}),
        ...(perms.kernel ? { kernelSpatial: spatial, kernelInput: nsp, kernelOutput: nsp + 1 } : {}),
      };
      const name = i.name;
      i.name = names.unique(`${name}.oihw`);
      const out = makeInstruction(name, 'convolution', i.shape, [x, kernel], { ...conv.attrs, dim_labels }, i.raw);
      added.push(out);
      return { replacement: out, added };
    });
    if (n > 0) removeDead(c);
  }
  return m;
};

interface Permutations { readonly input?: number[]; readonly kernel?: number[] }

/** The operands' dims in NHWC / HWIO order where they change, or undefined when the convolution is left alone. */
function permutations(conv: InstructionOf<'convolution'>): Permutations | undefined {
  const a = conv.attrs, cd = a.dim_labels;
  const [x, w] = conv.operands;
  if (conv.shape.kind !== 'array' || x.shape.kind !== 'array' || w.shape.kind !== 'array') return undefined;
  if (conv.shape.dtype !== 'f32' || w.shape.dtype !== 'f32' || x.shape.dtype !== 'f32') return undefined;
  if ((a.feature_group_count ?? 1) !== 1 || (a.batch_group_count ?? 1) !== 1) return undefined;
  const od = conv.shape.dims, nsp = cd.outputSpatial.length;
  if (nsp === 0 || od[cd.outputFeature] < 4) return undefined;
  const changed = (perm: number[]) => (perm.every((d, j) => d === j) ? undefined : perm);
  const kernel = changed([...cd.kernelSpatial, cd.kernelInput, cd.kernelOutput]);
  // Planar mode (NCHW output): the kernel only.
  if (cd.outputSpatial.every((d, s) => d === od.length - nsp + s)) return kernel && { kernel };
  if (cd.outputFeature !== od.length - 1) return undefined;
  // Feature mode: both, where the convolution's work dwarfs the copies.
  const input = changed([cd.inputBatch, ...cd.inputSpatial, cd.inputFeature]);
  if (!input && !kernel) return undefined;
  const elements = (dims: readonly number[]) => dims.reduce((p, q) => p * q, 1);
  const moved = (input ? elements(x.shape.dims) : 0) + (kernel && w.opcode !== 'constant' ? elements(w.shape.dims) : 0);
  const wd = w.shape.dims;
  const flops = 2 * elements(od) * elements(cd.kernelSpatial.map((d) => wd[d])) * wd[cd.kernelInput];
  return flops >= FLOPS_PER_MOVED * moved ? { input, kernel } : undefined;
}

/** `w` with its dims in the order `perm`: a new constant when `w` is one, else a transpose. */
function permute(w: Instruction, perm: readonly number[], name: string): Instruction {
  const ws = w.shape as ArrayShape;
  const shape = array(ws.dtype, perm.map((d) => ws.dims[d]));
  const transpose = makeInstruction(name, 'transpose', shape, [w], { dimensions: [...perm] });
  if (w.opcode !== 'constant' || !arrayValues(w.attrs.literal)) return transpose;
  // A constant is permuted now, by the interpreter's own transpose.
  return makeInstruction(name, 'constant', shape, [], { literal: evalTranspose(transpose as InstructionOf<'transpose'>, [w.attrs.literal]) });
}

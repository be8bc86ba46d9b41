// Transposed convolutions without the zeros: a convolution with input (lhs) dilation d
// multiplies the d − 1 zeros it inserts between input elements like any other value, so an
// ONNX ConvTranspose 2×2 stride 2 (imported as lhs_dilate=2x2) does 4× the work it needs,
// and the tiled kernels do not take it at all. Along a dilated dim, output position
// y = d·q + r only ever meets real inputs through the taps k ≡ padLow − r (mod d): phase r
// of the output is an ordinary stride-1 convolution of the undilated input with the
// kernel's taps k0(r), k0(r) + d, … (the sub-pixel decomposition of a transposed
// convolution). This pass writes each of the ∏d phases as such a convolution and
// interleaves them back with interior padding:
//
//   out = Σ_r pad(conv(x, w[k0(r)::d]), low = r, interior = d − 1)
//
// one loop fusion over the output (each element gets one phase's value plus zeros, so the
// sum is exact). A phase with no taps (d above the window size) contributes nothing. The
// phase convolutions are what every target's convolution kernels already run fast; the
// input gradient of a strided convolution, which autodiff writes the same way, gains too.
// Applied where every window dim has stride 1, no kernel dilation and no reversal, and no
// batch groups. A phase whose padding comes out negative (ONNX pads of K − 1) reads a slice
// of the input.
import { arrayLiteral } from '../ir/literal.js';
import type { Instruction, InstructionOf, Module } from '../ir/module.js';
import { evalSlice } from '../ir/interpret/structural.js';
import { array, type ArrayShape } from '../ir/shape.js';
import type { PadDim, SliceDim, WindowDim } from '../ir/attrs.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames, removeDead, sweep, type Pass } from './rewrite.js';

export const transposedConv: Pass = (input: Module) => {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) {
    const n = sweep(c, (i) => {
      if (i.opcode !== 'convolution') return undefined;
      const plan = phasePlan(i as InstructionOf<'convolution'>);
      if (!plan) return undefined;
      const added: Instruction[] = [];
      const make = (hint: string, ...rest: MakeArgs): Instruction => {
        const x = makeInstruction(names.unique(hint), ...rest);
        added.push(x);
        return x;
      };
      const root = rewrite(i as InstructionOf<'convolution'>, plan, make);
      // The sum takes the convolution's name (a module's result is named by its root).
      const name = i.name;
      i.name = names.unique(`${name}.dilated`);
      root.name = name;
      return { replacement: root, added };
    });
    if (n > 0) removeDead(c);
  }
  return m;
};

type MakeArgs = Parameters<typeof makeInstruction> extends [string, ...infer R] ? R : never;
type Make = (hint: string, ...rest: MakeArgs) => Instruction;

/** One output phase along one spatial dim. */
interface Phase {
  /** The output positions d·q + r it owns. */
  readonly r: number;
  /** Its taps: k0, k0 + d, …, `taps` of them (0: the phase is all zeros). */
  readonly k0: number;
  readonly taps: number;
  /** The stride-1 convolution's padding over the undilated input. */
  readonly padLow: number;
  readonly padHigh: number;
}

/** Per spatial dim: its dilation, its phases, and the phase outputs' length ⌈out / d⌉. */
interface DimPlan { readonly d: number; readonly q: number; readonly out: number; readonly phases: readonly Phase[] }

/** The phases of each spatial dim, or undefined where the rewrite does not apply. */
function phasePlan(conv: InstructionOf<'convolution'>): DimPlan[] | undefined {
  const a = conv.attrs, cd = a.dim_labels, win = a.window;
  if (!win || !win.some((w) => w.lhsDilate > 1) || (a.batch_group_count ?? 1) !== 1) return undefined;
  if (win.some((w) => w.stride !== 1 || w.rhsDilate !== 1 || w.reversal)) return undefined;
  const [x] = conv.operands;
  if (x.shape.kind !== 'array' || conv.shape.kind !== 'array' || conv.operands[1].shape.kind !== 'array') return undefined;
  if (!FLOATS.has(conv.shape.dtype)) return undefined;
  const id = x.shape.dims, od = conv.shape.dims;
  if (win.reduce((n, w) => n * w.lhsDilate, 1) > MAX_PHASES) return undefined;
  const plans = win.map((w, s) => dimPlan(w, id[cd.inputSpatial[s]], od[cd.outputSpatial[s]]));
  return plans.every((p): p is DimPlan => p !== undefined) ? plans : undefined;
}

/**
 * Most phases rewritten: the interleave reads every phase's pad at each output element, so
 * its cost grows with their number (a 32× upsampling would be 1024 convolutions and a
 * 1024-term sum per element); past this the dilated convolution stays as it is.
 */
const MAX_PHASES = 16;

/** Element types whose constants the pass reads as numbers (and whose sums of a value and zeros are exact). */
const FLOATS = new Set(['f32', 'f64', 'f16', 'bf16']);

function dimPlan(w: WindowDim, inSize: number, out: number): DimPlan | undefined {
  const d = w.lhsDilate, q = Math.ceil(out / d);
  const phases: Phase[] = [];
  for (let r = 0; r < d; r++) {
    const k0 = (((w.padLow - r) % d) + d) % d;
    const taps = k0 < w.size ? Math.ceil((w.size - k0) / d) : 0;
    // Tap k0 + d·t of output q reads input q + e + t, e = (r + k0 − padLow) / d.
    const padLow = -(r + k0 - w.padLow) / d;
    const padHigh = q - 1 + taps - inSize - padLow;
    // Negative padding (a phase whose first or last inputs meet no tap) becomes a slice of the input.
    if (taps > 0 && Math.max(0, -padLow) + Math.max(0, -padHigh) >= inSize) return undefined;
    phases.push({ r, k0, taps, padLow, padHigh });
  }
  return { d, q, out, phases };
}

/** The sum of the interleaved phase convolutions that replaces `conv`. */
function rewrite(conv: InstructionOf<'convolution'>, plans: readonly DimPlan[], make: Make): Instruction {
  const cd = conv.attrs.dim_labels, shape = conv.shape as ArrayShape;
  const [x, w] = conv.operands;
  const zero = make('zero', 'constant', array(shape.dtype, []), [], { literal: arrayLiteral(array(shape.dtype, []), [0]) });
  let sum: Instruction | undefined;
  for (const combo of combinations(plans.map((p) => p.phases))) {
    if (combo.some((p) => p.taps === 0)) continue;
    const kernel = subKernel(w, cd.kernelSpatial, combo, plans, make);
    const window = combo.map((p): WindowDim => ({ size: p.taps, stride: 1, padLow: Math.max(0, p.padLow), padHigh: Math.max(0, p.padHigh), lhsDilate: 1, rhsDilate: 1, reversal: false }));
    const dims = shape.dims.map((n, d) => { const s = cd.outputSpatial.indexOf(d); return s < 0 ? n : plans[s].q; });
    const phase = make(`${conv.name}.phase`, 'convolution', array(shape.dtype, dims), [inputOf(x, cd.inputSpatial, combo, make), kernel], { ...conv.attrs, window }, conv.raw);
    const padding = shape.dims.map((_, d): PadDim => {
      const s = cd.outputSpatial.indexOf(d);
      if (s < 0) return { low: 0, high: 0, interior: 0 };
      const { d: dil, q, out } = plans[s], r = combo[s].r;
      return { low: r, high: out - 1 - (r + (q - 1) * dil), interior: dil - 1 };
    });
    const placed = make(`${conv.name}.interleaved`, 'pad', shape, [phase, zero], { padding });
    sum = sum ? make(`${conv.name}.sum`, 'add', shape, [sum, placed], {}) : placed;
  }
  return sum ?? make(`${conv.name}.zeros`, 'broadcast', shape, [zero], { dimensions: [] });
}

/** The input a phase reads: `x`, less the leading and trailing elements its negative padding skips. */
function inputOf(x: Instruction, inputSpatial: readonly number[], combo: readonly Phase[], make: Make): Instruction {
  if (combo.every((p) => p.padLow >= 0 && p.padHigh >= 0)) return x;
  const xs = x.shape as ArrayShape;
  const slice = xs.dims.map((n, d): SliceDim => {
    const s = inputSpatial.indexOf(d);
    return s < 0 ? { start: 0, limit: n, stride: 1 } : { start: Math.max(0, -combo[s].padLow), limit: n - Math.max(0, -combo[s].padHigh), stride: 1 };
  });
  return make(`${x.name}.skipped`, 'slice', array(xs.dtype, slice.map((sl) => sl.limit - sl.start)), [x], { slice });
}

/** Every choice of one phase per dim (row-major). */
function combinations(perDim: readonly (readonly Phase[])[]): Phase[][] {
  return perDim.reduce<Phase[][]>((acc, phases) => acc.flatMap((pre) => phases.map((p) => [...pre, p])), [[]]);
}

/** The kernel's taps of one phase: a strided slice along each spatial dim (computed here for a constant kernel). */
function subKernel(w: Instruction, kernelSpatial: readonly number[], combo: readonly Phase[], plans: readonly DimPlan[], make: Make): Instruction {
  const ws = w.shape as ArrayShape;
  const slice = ws.dims.map((n, d): SliceDim => {
    const s = kernelSpatial.indexOf(d);
    if (s < 0) return { start: 0, limit: n, stride: 1 };
    const p = combo[s], dil = plans[s].d;
    return { start: p.k0, limit: p.k0 + (p.taps - 1) * dil + 1, stride: dil };
  });
  const out = array(ws.dtype, slice.map((sl) => Math.ceil((sl.limit - sl.start) / sl.stride)));
  if (w.opcode !== 'constant' || !arrayValues(w.attrs.literal)) return make(`${w.name}.taps`, 'slice', out, [w], { slice });
  // A constant kernel's taps are sliced now, by the interpreter's own slice.
  const literal = evalSlice(makeInstruction('taps', 'slice', out, [w], { slice }) as InstructionOf<'slice'>, [w.attrs.literal]);
  return make(`${w.name}.taps`, 'constant', out, [], { literal });
}

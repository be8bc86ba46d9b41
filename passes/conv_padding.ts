// Convolution (and pooling) padding made explicit: `convolution(x)` with window padding becomes
// `convolution(pad(x))` with none. The tiled convolution kernel then reads every window
// position straight from memory (contiguous vectors along x), instead of clamping and
// selecting at each of the many border tiles a small image has (LeNet's 14×14 rows with
// pad 2 are all border). The pad is one cheap copy; XLA's CPU and cuDNN paths pad
// the same way. Only f32 convolutions without base dilation or reversal, where the
// padded input stays small (≤ 2^24 elements), are rewritten.
import { arrayLiteral } from '../ir/literal.js';
import type { Instruction, InstructionOf, Module } from '../ir/module.js';
import { array, type ArrayShape } from '../ir/shape.js';
import type { PadDim, WindowDim } from '../ir/attrs.js';
import type { NameUniquer } from '../ir/builder.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames, removeDead, sweep, type Pass, type Rewrite } from './rewrite.js';

const MAX_PADDED = 1 << 24;

export const convPadding: Pass = (input: Module) => {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) {
    const n = sweep(c, (i) => {
      if (i.opcode === 'reduce-window') return windowPadding(i as InstructionOf<'reduce-window'>, names);
      if (i.opcode !== 'convolution') return undefined;
      const padding = explicitPadding(i.operands[0], i.attrs.window, i.attrs.dim_labels.inputSpatial);
      if (!padding) return undefined;
      const zero = makeInstruction(names.unique('zero'), 'constant', array('f32', []), [], { literal: arrayLiteral(array('f32', []), [0]) });
      const { padded, out } = padFirst(i, padding, zero, names);
      return { replacement: out, added: [zero, padded, out] };
    });
    if (n > 0) removeDead(c);
  }
  return m;
};

/**
 * The padding of `x` that makes a window's padding explicit (`windowDims[s]`: the operand dim
 * window dim s slides over), or undefined where the rewrite does not apply: no padding,
 * negative padding, base dilation or reversal, not f32, or a padded operand past MAX_PADDED.
 */
function explicitPadding(x: Instruction, win: readonly WindowDim[] | undefined, windowDims: readonly number[]): PadDim[] | undefined {
  if (x.shape.kind !== 'array' || x.shape.dtype !== 'f32' || !win || win.every((w) => w.padLow === 0 && w.padHigh === 0)) return undefined;
  if (win.some((w) => w.padLow < 0 || w.padHigh < 0 || w.lhsDilate !== 1 || w.reversal)) return undefined;
  const padding: PadDim[] = x.shape.dims.map(() => ({ low: 0, high: 0, interior: 0 }));
  windowDims.forEach((d, s) => { padding[d] = { low: win[s].padLow, high: win[s].padHigh, interior: 0 }; });
  return paddedDims(x.shape.dims, padding).reduce((a, b) => a * b, 1) > MAX_PADDED ? undefined : padding;
}

const paddedDims = (dims: readonly number[], padding: readonly PadDim[]): number[] => dims.map((n, d) => n + padding[d].low + padding[d].high);

/** `pad(x, value)` of `i`'s first operand, and `i` reading it with its window's padding gone; `i` keeps its name. */
function padFirst(i: Instruction, padding: readonly PadDim[], value: Instruction, names: NameUniquer): { padded: Instruction; out: Instruction } {
  const x = i.operands[0];
  const padded = makeInstruction(names.unique(`${x.name}.padded`), 'pad', array('f32', paddedDims((x.shape as ArrayShape).dims, padding)), [x, value], { padding: [...padding] });
  // The new instruction keeps the name (an HLO module's result is named by its root).
  const name = i.name;
  i.name = names.unique(`${name}.unpadded`);
  const window = (i.attrs as { window: readonly WindowDim[] }).window.map((w) => ({ ...w, padLow: 0, padHigh: 0 }));
  const out = makeInstruction(name, i.opcode, i.shape, [padded, ...i.operands.slice(1)], { ...i.attrs, window }, i.raw);
  return { padded, out };
}

/**
 * A pooling window's padding made explicit the same way: `reduce-window(x, init)` with
 * padding is `reduce-window(pad(x, init), init)` without, where reducing the init value is
 * a no-op (XLA skips padded positions; StableHLO's spec pads with the init value: the same
 * where the init value is the reducer's identity). The vectorised pooling kernel
 * (tiled_window.ts) takes the unpadded window; with the padding it went to the elemental
 * rule, which clamps and tests every window position (ShuffleNet's 3×3 stride-2 max pool:
 * 4.2 ms of its 19).
 */
function windowPadding(i: InstructionOf<'reduce-window'>, names: NameUniquer): Rewrite | undefined {
  if (i.operands.length !== 2 || !padsWithIdentity(i)) return undefined;
  const [x, init] = i.operands;
  if (init.shape.kind !== 'array' || init.shape.dtype !== 'f32') return undefined;
  const padding = explicitPadding(x, i.attrs.window, x.shape.kind === 'array' ? x.shape.dims.map((_, d) => d) : []);
  if (!padding) return undefined;
  const { padded, out } = padFirst(i, padding, init, names);
  return { replacement: out, added: [padded, out] };
}

/** The identities of the reducers pooling uses, as constant init values (−0 or +0 for a sum: an accumulator started at the init value stays the same either way). */
const IDENTITY: Readonly<Record<string, (v: number) => boolean>> = {
  maximum: (v) => v === -Infinity,
  minimum: (v) => v === Infinity,
  add: (v) => v === 0,
};

/** Whether the window's init value is a constant identity of its reducer (one op of its two parameters). */
function padsWithIdentity(i: InstructionOf<'reduce-window'>): boolean {
  const init = i.operands[1], r = i.attrs.to_apply, root = r.root;
  if (init.opcode !== 'constant' || r.params.length !== 2 || root.operands.length !== 2 || !root.operands.every((o) => r.params.includes(o))) return false;
  const value = arrayValues(init.attrs.literal)?.data[0];
  return typeof value === 'number' && (IDENTITY[root.opcode]?.(value) ?? false);
}

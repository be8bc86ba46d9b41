// While-loop simplification (XLA's WhileLoopSimplifier, the trip-count rules): a loop
// known to run its body 0 times is its init value; one known to run it n times is n
// chained `call`s of the body on the init value, which are inlined — for n = 1 always, for
// a few more trips only while the copies stay small (unrolled, the iterations' kernels fuse
// with each other and the loop's copy-back of its state goes). Any other loop stays a loop.
//
// The trip count is known when the condition is a constant false, or when the loop has an
// induction variable (XLA's ComputeWhileLoopTripCount, its simplest pattern): tuple element
// k starts at a constant, the body adds a constant to it, and the condition compares it
// with a constant. The first iterations are then evaluated with the interpreter's own
// scalar kernels, so wrap-around and float rounding count as they do at run time.
import type { Literal } from '../ir/literal.js';
import type { Computation, Instruction, Module } from '../ir/module.js';
import { callInline } from './call_inline.js';
import { arrayValues, cloneModule, isOpaqueOrRandom, makeInstruction, moduleNames, sweep } from './rewrite.js';
import { binaryKernel, compareKernel } from '../ir/scalar/ops.js';
import { finisher, type Scalar } from '../ir/scalar/value.js';

type While = Extract<Instruction, { opcode: 'while' }>;

/** Loops that run at most this many times may be unrolled (the trip count is evaluated this far). */
export const MAX_UNROLL_TRIPS = 8;
/** The most instructions the unrolled copies of a body may add up to. */
export const MAX_UNROLL_INSTRUCTIONS = 256;

export function whileSimplify(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  let changed = 0;
  for (const c of m.computations)
    changed += sweep(c, (i) => {
      if (i.opcode !== 'while' || isOpaqueOrRandom(i)) return undefined;
      const trips = tripCount(i);
      if (trips === undefined) return undefined;
      if (trips === 0) return { replacement: i.operands[0] };
      if (trips > 1 && trips * i.attrs.body.instructions.length > MAX_UNROLL_INSTRUCTIONS) return undefined;
      const calls: Instruction[] = [];
      for (let t = 0; t < trips; t++) {
        const name = names.unique(trips === 1 ? `${i.name}.once` : `${i.name}.trip${t}`);
        calls.push(makeInstruction(name, 'call', i.shape, [calls[t - 1] ?? i.operands[0]], { to_apply: i.attrs.body }));
      }
      return { replacement: calls[trips - 1], added: calls };
    });
  return changed > 0 ? callInline(m) : m;
}

/** How many times the loop runs its body, when that is known and at most MAX_UNROLL_TRIPS. */
export function tripCount(w: While): number | undefined {
  const { condition, body } = w.attrs;
  const root = condition.root;
  if (root.opcode === 'constant') return scalarOf(root.attrs.literal) === 0 ? 0 : undefined;
  if (root.opcode !== 'compare') return undefined;
  const [a, b] = root.operands;
  const k = elementOfParam(a, condition) ?? elementOfParam(b, condition);
  const limit = constantScalar(elementOfParam(a, condition) === undefined ? a : b);
  if (k === undefined || limit === undefined) return undefined;
  const start = initElement(w.operands[0], k);
  const step = bodyStep(body, k);
  const dtype = root.operands[0].shape.kind === 'array' ? root.operands[0].shape.dtype : undefined;
  if (start === undefined || step === undefined || !dtype) return undefined;
  const cmp = compareKernel(root.attrs.direction, root.attrs.type, dtype), add = binaryKernel('add', dtype);
  if (!cmp || !add) return undefined;
  const fin = finisher(dtype);
  const ivLeft = elementOfParam(a, condition) !== undefined;
  let iv = start;
  for (let trips = 0; trips <= MAX_UNROLL_TRIPS; trips++) {
    if (!(ivLeft ? cmp(iv, limit) : cmp(limit, iv))) return trips;
    iv = fin(add(iv, step));
  }
  return undefined;
}

/** k when `x` is element k of computation `c`'s (tuple) parameter. */
function elementOfParam(x: Instruction, c: Computation): number | undefined {
  return x.opcode === 'get-tuple-element' && x.operands[0] === c.params[0] ? x.attrs.index : undefined;
}

/** The value of a scalar constant whose value is known. */
function constantScalar(x: Instruction | undefined): Scalar | undefined {
  return x?.opcode === 'constant' ? scalarOf(x.attrs.literal) : undefined;
}

function scalarOf(l: Literal): Scalar | undefined {
  const v = arrayValues(l);
  return v && v.shape.dims.length === 0 ? (v.data[0] as Scalar) : undefined;
}

/** Element k of the loop's init value, when it is a constant. */
function initElement(init: Instruction, k: number): Scalar | undefined {
  if (init.opcode === 'tuple') return constantScalar(init.operands[k]);
  if (init.opcode !== 'constant' || !('elements' in init.attrs.literal)) return undefined;
  const el = init.attrs.literal.elements[k];
  return el ? scalarOf(el) : undefined;
}

/** c when the body's element k is its parameter's element k plus the constant c. */
function bodyStep(body: Computation, k: number): Scalar | undefined {
  const next = body.root.opcode === 'tuple' ? body.root.operands[k] : undefined;
  if (next?.opcode !== 'add') return undefined;
  const [x, y] = next.operands;
  if (elementOfParam(x, body) === k) return constantScalar(y);
  if (elementOfParam(y, body) === k) return constantScalar(x);
  return undefined;
}

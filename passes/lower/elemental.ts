// The elemental rule of every opcode: how to compute one element of its result, or the
// reason it has none (then lowering names the instruction and the reason). A mapped
// type over the opcode table, so a new opcode fails to compile until it is placed here.
import type { Opcode } from '../../ir/opcodes.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { ElementRule, Emitter, Idx } from './emitter.js';
import { NotCompiled } from './errors.js';
import {
  binaryRule, clampRule, complexPartRule, compareRule, convertRule, selectRule, unaryRule,
} from './elemental_math.js';
import {
  broadcastRule, concatenateRule, constantRule, dynamicSliceRule, dynamicUpdateSliceRule, gatherRule,
  getTupleElementRule, iotaRule, padRule, reshapeRule, reverseRule, sliceRule, transposeRule, tupleRule,
} from './elemental_structural.js';
import { bitcastConvertRule, reducePrecisionRule } from './elemental_bits.js';
import { convolutionRule, dotRule, mapRule, reduceRule, reduceWindowRule } from './elemental_compute.js';
import { selectAndScatterRule } from './elemental_select_and_scatter.js';

type Rule<K extends Opcode> = ((em: Emitter, instr: InstructionOf<K>, index: readonly Idx[]) => Expr[]) | string;

/** while and conditional are program steps (control.ts), never a value inside a kernel. */
const CONTROL = 'control flow is a program step, not a value inside a kernel';
const OPAQUE = 'kiln does not compute this op';
const COLLECTIVE = 'collectives need several devices; kiln compiles for one';
/** Lowered as kernels of their own (own_kernels.ts); fusion never puts them inside a fusion. */
const OWN_KERNELS = 'lowered as kernels of its own, not inside a fusion';

/** A fusion inside a computation the emitter inlines (a map's function): inlined in turn, when it is scalar. */
function nestedFusionRule(em: Emitter, instr: InstructionOf<'fusion'>, index: readonly Idx[]): Expr[] {
  if (index.length > 0 || instr.operands.some((o) => o.shape.kind !== 'array' || o.shape.dims.length > 0))
    throw new NotCompiled(instr, 'a fusion of arrays inside a fusion');
  return em.inline(instr.attrs.calls, instr.operands.map((o) => em.value(o, [])));
}

const copy = (em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] => em.values(instr.operands[0], index);

export const ELEMENT_RULES: { [K in Opcode]: Rule<K> } = {
  parameter: 'a parameter is read from its buffer',
  constant: constantRule,
  iota: iotaRule,

  abs: unaryRule('abs'), negate: unaryRule('negate'), exponential: unaryRule('exponential'),
  'exponential-minus-one': unaryRule('exponential-minus-one'), log: unaryRule('log'), 'log-plus-one': unaryRule('log-plus-one'),
  tanh: unaryRule('tanh'), logistic: unaryRule('logistic'), sqrt: unaryRule('sqrt'), rsqrt: unaryRule('rsqrt'),
  cbrt: unaryRule('cbrt'), sine: unaryRule('sine'), cosine: unaryRule('cosine'), tan: unaryRule('tan'),
  floor: unaryRule('floor'), ceil: unaryRule('ceil'), 'round-nearest-afz': unaryRule('round-nearest-afz'),
  'round-nearest-even': unaryRule('round-nearest-even'), sign: unaryRule('sign'), not: unaryRule('not'),
  'is-finite': unaryRule('is-finite'), popcnt: unaryRule('popcnt'), clz: unaryRule('clz'), erf: unaryRule('erf'),
  copy, real: complexPartRule('real'), imag: complexPartRule('imag'),
  acos: unaryRule('acos'), acosh: unaryRule('acosh'), asin: unaryRule('asin'), asinh: unaryRule('asinh'),
  atanh: unaryRule('atanh'), cosh: unaryRule('cosh'), sinh: unaryRule('sinh'),
  'reduce-precision': reducePrecisionRule,

  add: binaryRule('add'), subtract: binaryRule('subtract'), multiply: binaryRule('multiply'), divide: binaryRule('divide'),
  remainder: binaryRule('remainder'), power: binaryRule('power'), maximum: binaryRule('maximum'), minimum: binaryRule('minimum'),
  atan2: binaryRule('atan2'), and: binaryRule('and'), or: binaryRule('or'), xor: binaryRule('xor'),
  'shift-left': binaryRule('shift-left'), 'shift-right-arithmetic': binaryRule('shift-right-arithmetic'),
  'shift-right-logical': binaryRule('shift-right-logical'), complex: 'complex numbers',

  compare: compareRule,
  select: selectRule,
  clamp: clampRule,
  convert: convertRule,
  'bitcast-convert': bitcastConvertRule,
  'stochastic-convert': 'stochastic-convert',

  broadcast: broadcastRule,
  reshape: reshapeRule,
  'dynamic-reshape': 'dynamic shapes',
  bitcast: reshapeRule,
  transpose: transposeRule,
  slice: sliceRule,
  'dynamic-slice': dynamicSliceRule,
  'dynamic-update-slice': dynamicUpdateSliceRule,
  concatenate: concatenateRule,
  pad: padRule,
  reverse: reverseRule,

  dot: dotRule,
  convolution: convolutionRule,
  reduce: reduceRule,
  'reduce-window': reduceWindowRule,
  // Disjoint windows only; select_and_scatter.ts sends the others to kernels of their own.
  'select-and-scatter': selectAndScatterRule,
  gather: gatherRule,
  scatter: OWN_KERNELS,
  sort: OWN_KERNELS,
  map: mapRule,
  rng: 'random numbers (XLA leaves their bits to the backend)',
  'rng-bit-generator': 'random numbers (XLA leaves their bits to the backend)',

  tuple: tupleRule,
  'get-tuple-element': getTupleElementRule,
  call: 'a call is inlined before lowering (the call-inline pass)', fusion: nestedFusionRule, while: CONTROL, conditional: CONTROL, 'custom-call': 'custom-call',

  'after-all': OPAQUE, 'add-dependency': OPAQUE, 'all-gather': COLLECTIVE, 'all-gather-start': COLLECTIVE,
  'all-gather-done': COLLECTIVE, 'all-reduce': COLLECTIVE, 'all-reduce-start': COLLECTIVE, 'all-reduce-done': COLLECTIVE,
  'all-to-all': COLLECTIVE, 'ragged-all-to-all': COLLECTIVE, 'reduce-scatter': COLLECTIVE, 'collective-broadcast': COLLECTIVE,
  'collective-permute': COLLECTIVE, 'collective-permute-start': COLLECTIVE, 'collective-permute-done': COLLECTIVE,
  'async-start': OPAQUE, 'async-update': OPAQUE, 'async-done': OPAQUE, 'copy-start': OPAQUE, 'copy-done': OPAQUE,
  send: OPAQUE, 'send-done': OPAQUE, recv: OPAQUE, 'recv-done': OPAQUE, infeed: OPAQUE, outfeed: OPAQUE,
  domain: OPAQUE, 'opt-barrier': OPAQUE, 'partition-id': OPAQUE, 'replica-id': OPAQUE,
  'get-dimension-size': 'dynamic shapes', 'set-dimension-size': 'dynamic shapes', 'rng-get-and-update-state': OPAQUE,
  cholesky: OPAQUE, 'triangular-solve': OPAQUE, fft: OPAQUE, topk: OPAQUE, scan: OPAQUE,
  'batch-norm-training': OPAQUE, 'batch-norm-inference': OPAQUE, 'batch-norm-grad': OPAQUE,
  'ragged-dot': OPAQUE, 'scaled-dot': OPAQUE,
};

/** The rule for an opcode as the emitter consumes it (an unknown opcode has none). */
export function elementRule(op: Opcode): ElementRule | string {
  return (ELEMENT_RULES[op] ?? `unknown opcode ${op}`) as ElementRule | string;
}

// Elementwise ops. An elementwise derivative is diagonal, so one function g -> g·f'(x)
// serves both modes: it maps a tangent forward and a cotangent backward alike.
import type { Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { type Emitter, dimsOf, dtypeOf, range } from './emitter.js';
import { type PartialRules, type Rule, arr, nd, zeroRule } from './types.js';

/** g·f'(x), given the primal operand x and result y. */
type Diag = (e: Emitter, g: Instruction, x: Instruction, y: Instruction) => Instruction;
/** g·∂f/∂(one operand), given operands a, b and result y. */
type Diag2 = (e: Emitter, g: Instruction, a: Instruction, b: Instruction, y: Instruction) => Instruction;

function unary<O extends Opcode>(f: Diag): Rule<O> {
  return {
    jvp: (c) => f(c.e, arr(c.t[0]!), c.ops[0], c.x),
    vjp: (c) => [f(c.e, arr(c.ct), c.ops[0], c.x)],
  };
}

function binary<O extends Opcode>(fa: Diag2, fb: Diag2): Rule<O> {
  return {
    jvp: ({ e, t, ops: [a, b], x }) =>
      e.acc(t[0] && fa(e, arr(t[0]), a, b, x), t[1] && fb(e, arr(t[1]), a, b, x)),
    vjp: ({ e, ct, wants, ops: [a, b], x }) => [
      wants[0] ? fa(e, arr(ct), a, b, x) : undefined,
      wants[1] ? fb(e, arr(ct), a, b, x) : undefined,
    ],
  };
}

const sq = (e: Emitter, x: Instruction) => e.mul(x, x);
/** 1 - x². */
const oneMinusSq = (e: Emitter, x: Instruction) => e.sub(e.like(x, 1), sq(e, x));

/**
 * max/min: the cotangent goes to the operand that won; on a tie it is split evenly (half
 * to each), as JAX's _balanced_eq does, so the derivative of max(x, x) is 1.
 */
const chooser = (won: 'GT' | 'LT'): Diag2 => (e, g, a, b) => {
  const half = e.select(e.cmp(a, b, 'EQ'), e.like(a, 0.5), e.like(a, 0));
  return e.mul(g, e.select(e.cmp(a, b, won), e.like(a, 1), half));
};

/** d(a^b)/da = b·a^(b-1), taken as 0 where b = 0 (a^0 is constant even at a = 0). */
const powA: Diag2 = (e, g, a, b) => {
  const d = e.mul(b, e.c.power(a, e.sub(b, e.like(b, 1))));
  return e.mul(g, e.select(e.cmp(b, e.like(b, 0), 'EQ'), e.like(b, 0), d));
};
/** d(a^b)/db = log(a)·a^b, taken as 0 where a = 0 (where JAX also takes it as 0). */
const powB: Diag2 = (e, g, a, _b, y) =>
  e.mul(g, e.select(e.cmp(a, e.like(a, 0), 'EQ'), e.like(a, 0), e.mul(e.c.log(a), y)));

/** remainder(a, b) = a - trunc(a/b)·b: ∂/∂b = -trunc(a/b). */
const remB: Diag2 = (e, g, a, b) => {
  const q = e.div(a, b);
  return e.neg(e.mul(g, e.mul(e.c.sign(q), e.c.floor(e.c.abs(q)))));
};

const atan2Den = (e: Emitter, a: Instruction, b: Instruction) => e.add(sq(e, a), sq(e, b));

/** A convert between float types: the derivative converts back (int ends never vary). */
const convert: Rule<'convert'> = {
  jvp: ({ e, t, x }) => e.convert(arr(t[0]!), dtypeOf(x)),
  vjp: ({ e, ct, ops }) => [e.convert(arr(ct), dtypeOf(ops[0]))],
};

/** JAX's rule: reduce-precision is linear, its derivative rounds the same way. */
const reducePrecision: Rule<'reduce-precision'> = {
  jvp: ({ e, t, attrs }) => e.c.op('reduce-precision', [arr(t[0]!)], { ...attrs }),
  vjp: ({ e, ct, attrs }) => [e.c.op('reduce-precision', [arr(ct)], { ...attrs })],
};

/** select(p, a, b): the cotangent goes to the side p chose. p may be a scalar. */
const select: Rule<'select'> = {
  jvp: ({ e, t, ops: [p, a, b] }) => e.select(p, e.materialize(t[1], a.shape), e.materialize(t[2], b.shape)),
  vjp: ({ e, ct, wants, ops: [p] }) => {
    const g = arr(ct), zero = e.like(g, 0);
    return [undefined, wants[1] ? e.select(p, g, zero) : undefined, wants[2] ? e.select(p, zero, g) : undefined];
  },
};

/**
 * clamp(lo, x, hi), with JAX's masks: x where lo < x < hi, lo where lo > x and lo < hi,
 * hi where hi < x. A scalar bound's cotangent is its mask summed over x.
 */
function clampMasks(e: Emitter, lo: Instruction, x: Instruction, hi: Instruction): Instruction[] {
  const full = (b: Instruction) => toShapeOf(e, b, x);
  const l = full(lo), h = full(hi);
  const and = (p: Instruction, q: Instruction) => e.c.and(p, q);
  return [and(e.cmp(l, x, 'GT'), e.cmp(l, h, 'LT')), and(e.cmp(x, l, 'GT'), e.cmp(x, h, 'LT')), e.cmp(h, x, 'LT')];
}
/** A scalar bound broadcast to x's dims (a full one as it is). */
const toShapeOf = (e: Emitter, b: Instruction, x: Instruction) => (dimsOf(b).length === dimsOf(x).length ? b : e.broadcast(b, dimsOf(x), []));
const clamp: Rule<'clamp'> = {
  jvp: ({ e, t, ops }) => {
    const masks = clampMasks(e, ops[0], ops[1], ops[2]);
    let out: Instruction | undefined;
    t.forEach((tk, k) => {
      if (tk) out = e.acc(out, e.mask(masks[k], toShapeOf(e, arr(tk), ops[1]))) as Instruction;
    });
    return out;
  },
  vjp: ({ e, ct, wants, ops }) => {
    const masks = clampMasks(e, ops[0], ops[1], ops[2]);
    return ops.map((o, k) => (wants[k] ? e.sum(e.mask(masks[k], arr(ct)), dimsOf(o).length === 0 ? range(dimsOf(ops[1]).length) : []) : undefined));
  },
};

type ElementwiseOp =
  | 'abs' | 'negate' | 'exponential' | 'exponential-minus-one' | 'log' | 'log-plus-one' | 'tanh' | 'logistic' | 'sqrt'
  | 'rsqrt' | 'cbrt' | 'sine' | 'cosine' | 'tan' | 'floor' | 'ceil' | 'round-nearest-afz' | 'round-nearest-even' | 'sign'
  | 'not' | 'is-finite' | 'popcnt' | 'clz' | 'erf' | 'copy' | 'real' | 'imag' | 'acos' | 'acosh' | 'asin' | 'asinh'
  | 'atanh' | 'cosh' | 'sinh' | 'reduce-precision' | 'add' | 'subtract' | 'multiply' | 'divide' | 'remainder' | 'power'
  | 'maximum' | 'minimum' | 'atan2' | 'and' | 'or' | 'xor' | 'shift-left' | 'shift-right-arithmetic'
  | 'shift-right-logical' | 'complex' | 'compare' | 'select' | 'clamp' | 'convert' | 'bitcast-convert' | 'stochastic-convert';

const COMPLEX = nd('complex numbers are not computed by kiln (no interpreter or backend support)');
const INTEGER = zeroRule;

export const ELEMENTWISE_RULES: PartialRules<ElementwiseOp> = {
  abs: unary((e, g, x) => e.mul(g, e.c.sign(x))),
  negate: unary((e, g) => e.neg(g)),
  exponential: unary((e, g, _x, y) => e.mul(g, y)),
  'exponential-minus-one': unary((e, g, _x, y) => e.mul(g, e.add(y, e.like(y, 1)))),
  log: unary((e, g, x) => e.div(g, x)),
  'log-plus-one': unary((e, g, x) => e.div(g, e.add(x, e.like(x, 1)))),
  tanh: unary((e, g, _x, y) => e.mul(g, oneMinusSq(e, y))),
  logistic: unary((e, g, _x, y) => e.mul(g, e.mul(y, e.sub(e.like(y, 1), y)))),
  sqrt: unary((e, g, _x, y) => e.div(e.scale(g, 0.5), y)),
  rsqrt: unary((e, g, x, y) => e.mul(g, e.div(e.scale(y, -0.5), x))),
  cbrt: unary((e, g, _x, y) => e.div(g, e.scale(sq(e, y), 3))),
  sine: unary((e, g, x) => e.mul(g, e.c.cosine(x))),
  cosine: unary((e, g, x) => e.mul(g, e.neg(e.c.sine(x)))),
  tan: unary((e, g, _x, y) => e.mul(g, e.add(e.like(y, 1), sq(e, y)))),
  asin: unary((e, g, x) => e.mul(g, e.c.rsqrt(oneMinusSq(e, x)))),
  acos: unary((e, g, x) => e.neg(e.mul(g, e.c.rsqrt(oneMinusSq(e, x))))),
  atanh: unary((e, g, x) => e.div(g, oneMinusSq(e, x))),
  asinh: unary((e, g, x) => e.mul(g, e.c.rsqrt(e.add(sq(e, x), e.like(x, 1))))),
  acosh: unary((e, g, x) => e.mul(g, e.c.rsqrt(e.mul(e.sub(x, e.like(x, 1)), e.add(x, e.like(x, 1)))))),
  sinh: unary((e, g, x) => e.mul(g, e.c.cosh(x))),
  cosh: unary((e, g, x) => e.mul(g, e.c.sinh(x))),
  erf: unary((e, g, x) => e.mul(g, e.scale(e.c.exponential(e.neg(sq(e, x))), 2 / Math.sqrt(Math.PI)))),
  copy: unary((_e, g) => g),
  'reduce-precision': reducePrecision,
  // Piecewise constant: derivative zero wherever it exists.
  floor: zeroRule(), ceil: zeroRule(), 'round-nearest-afz': zeroRule(), 'round-nearest-even': zeroRule(), sign: zeroRule(),
  // Integer or pred results: they carry no tangent.
  not: INTEGER(), 'is-finite': INTEGER(), popcnt: INTEGER(), clz: INTEGER(), compare: INTEGER(),
  and: INTEGER(), or: INTEGER(), xor: INTEGER(), 'shift-left': INTEGER(), 'shift-right-arithmetic': INTEGER(),
  'shift-right-logical': INTEGER(),
  real: COMPLEX, imag: COMPLEX, complex: COMPLEX,

  add: binary((_e, g) => g, (_e, g) => g),
  subtract: binary((_e, g) => g, (e, g) => e.neg(g)),
  multiply: binary((e, g, _a, b) => e.mul(g, b), (e, g, a) => e.mul(g, a)),
  divide: binary((e, g, _a, b) => e.div(g, b), (e, g, _a, b, y) => e.neg(e.mul(e.div(g, b), y))),
  power: binary(powA, powB),
  maximum: binary(chooser('GT'), (e, g, a, b, y) => chooser('GT')(e, g, b, a, y)),
  minimum: binary(chooser('LT'), (e, g, a, b, y) => chooser('LT')(e, g, b, a, y)),
  atan2: binary((e, g, a, b) => e.div(e.mul(g, b), atan2Den(e, a, b)), (e, g, a, b) => e.neg(e.div(e.mul(g, a), atan2Den(e, a, b)))),
  remainder: binary((_e, g) => g, remB),

  select, clamp, convert,
  'bitcast-convert': nd('bitcast-convert reinterprets the bits of a float; the result is not a differentiable function of its value'),
  'stochastic-convert': nd('stochastic-convert rounds with random bits (and kiln does not compute it)'),
};

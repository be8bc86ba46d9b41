// Constructors for kernel IR that compute each node's type, and index arithmetic that
// folds constants as it builds (lowering composes many index maps; folding here keeps
// the emitted code small without a separate simplifier).
import {
  MAX_GRID_WORKGROUPS, SCALAR, VEC4, isWide, isWideInt, valueType, type BinaryOp, type CompareDir, type Expr, type Grid,
  type Kernel, type KernelParam, type Lanes, type Loop, type Schedule, type ScalarType, type Stmt, type UnaryOp, type ValueType,
} from './kernel.js';
import { convertValue } from '../scalar/convert.js';

export const S32 = SCALAR('s32');
export const F32 = SCALAR('f32');

/** A constant; s64/u64 values become bigints (wrapped to 64 bits), the others numbers. */
export const constant = (scalar: ScalarType, value: number | bigint, lanes: Lanes = 1): Expr => ({
  k: 'const', type: valueType(scalar, lanes), value: constValue(scalar, value),
});

function constValue(scalar: ScalarType, value: number | bigint): number | bigint {
  if (scalar === 'pred') return value ? 1 : 0;
  if (!isWideInt(scalar)) return Number(value);
  const v = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  return scalar === 's64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}
export const int = (value: number): Expr => constant('s32', value);
export const variable = (name: string, type: ValueType = S32): Expr => ({ k: 'var', type, name });

export const load = (buf: number, index: Expr, scalar: ScalarType, lanes: Lanes = 1): Expr => ({
  k: 'load', type: valueType(scalar, lanes), buf, index,
});
/** Element `index` of a local array; lanes 4 reads index..index+3. */
export const local = (array: string, index: Expr, scalar: ScalarType, lanes: Lanes = 1): Expr => ({ k: 'local', type: valueType(scalar, lanes), array, index });

export function unary(op: UnaryOp, a: Expr): Expr {
  const type = op === 'is-finite' ? { scalar: 'pred' as const, lanes: a.type.lanes } : a.type;
  return { k: 'unary', type, op, a };
}

export function binary(op: BinaryOp, a: Expr, b: Expr): Expr {
  sameType(a, b, op);
  return { k: 'binary', type: a.type, op, a, b };
}

/** a·b + c, fused or not (kernel.ts): float types only. */
export function muladd(a: Expr, b: Expr, c: Expr): Expr {
  sameType(a, b, 'muladd');
  sameType(a, c, 'muladd');
  if (a.type.scalar !== 'f32' && a.type.scalar !== 'f64') throw new Error(`muladd is for floats, not ${a.type.scalar}`);
  return { k: 'muladd', type: a.type, a, b, c };
}

export function compare(dir: CompareDir, a: Expr, b: Expr): Expr {
  sameType(a, b, `compare ${dir}`);
  return { k: 'compare', type: { scalar: 'pred', lanes: a.type.lanes }, dir, a, b };
}

export function select(cond: Expr, a: Expr, b: Expr): Expr {
  sameType(a, b, 'select');
  if (cond.type.scalar !== 'pred') throw new Error(`select needs a pred condition, got ${cond.type.scalar}`);
  return { k: 'select', type: a.type, cond, a, b };
}

export function convert(a: Expr, to: ScalarType): Expr {
  if (a.type.scalar === to) return a;
  const type = valueType(to, a.type.lanes);
  // A 64-bit constant folds exactly, by the reference's own convert.
  if (a.k === 'const' && (isWide(to) || isWide(a.type.scalar))) return constant(to, convertValue(a.value, a.type.scalar, to), a.type.lanes);
  if (a.k === 'const' && typeof a.value === 'number' && to !== 'pred' && Number.isInteger(a.value) && a.type.scalar !== 'pred' && Math.abs(a.value) < 2 ** 24)
    return to === 'u32' && a.value < 0 ? { k: 'convert', type, a } : constant(to, a.value, a.type.lanes);
  return { k: 'convert', type, a };
}

/** The same bits as another type of the same width. */
export function bitcast(a: Expr, to: ScalarType): Expr {
  if (a.type.scalar === to) return a;
  if (isWide(to) !== isWide(a.type.scalar)) throw new Error(`bitcast ${a.type.scalar} → ${to} changes the width`);
  return { k: 'bitcast', type: valueType(to, a.type.lanes), a };
}

export const splat = (a: Expr): Expr => (a.type.lanes === 4 ? a : { k: 'splat', type: VEC4(a.type.scalar), a });
export const extract = (a: Expr, lane: number): Expr => ({ k: 'extract', type: SCALAR(a.type.scalar), a, lane });
export const vector = (lanes: readonly Expr[]): Expr => ({ k: 'vector', type: VEC4(lanes[0].type.scalar), lanes });

function sameType(a: Expr, b: Expr, what: string): void {
  if (a.type.scalar !== b.type.scalar || a.type.lanes !== b.type.lanes)
    throw new Error(`${what}: operand types differ (${typeName(a.type)} vs ${typeName(b.type)})`);
}

export const typeName = (t: ValueType): string => (t.lanes === 1 ? t.scalar : `${t.scalar}x${t.lanes}`);

// ---- s32 index arithmetic, folded as built ----

/** A number constant (index arithmetic is s32, so never a bigint). */
const isConst = (e: Expr): e is Extract<Expr, { k: 'const' }> & { readonly value: number } => e.k === 'const' && typeof e.value === 'number';
/** Not a type guard: a const of another value must stay a const to TypeScript. */
const isValue = (e: Expr, v: number): boolean => e.k === 'const' && e.value === v;

export function add(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return int(a.value + b.value);
  if (isValue(a, 0)) return b;
  if (isValue(b, 0)) return a;
  // (x + c1) + c2 → x + (c1 + c2)
  if (isConst(b) && a.k === 'binary' && a.op === 'add' && isConst(a.b)) return add(a.a, int(a.b.value + b.value));
  return binary('add', a, b);
}

export const sub = (a: Expr, b: Expr): Expr => (isConst(b) ? add(a, int(-b.value)) : binary('subtract', a, b));

export function mul(a: Expr, b: Expr): Expr {
  if (isConst(a) && isConst(b)) return int(a.value * b.value);
  if (isValue(a, 0) || isValue(b, 0)) return int(0);
  if (isValue(a, 1)) return b;
  if (isValue(b, 1)) return a;
  return binary('multiply', a, b);
}

/** Floor division for non-negative a and positive constant b (indices). */
export function div(a: Expr, b: number): Expr {
  if (b === 1) return a;
  if (isConst(a)) return int(Math.floor(a.value / b));
  return binary('divide', a, int(b));
}

export function mod(a: Expr, b: number): Expr {
  if (b === 1) return int(0);
  if (isConst(a)) return int(a.value % b);
  return binary('remainder', a, int(b));
}

export function min(a: Expr, b: Expr): Expr {
  return isConst(a) && isConst(b) ? int(Math.min(a.value, b.value)) : binary('minimum', a, b);
}
export function max(a: Expr, b: Expr): Expr {
  return isConst(a) && isConst(b) ? int(Math.max(a.value, b.value)) : binary('maximum', a, b);
}

/** Row-major linear index of a multi-index. */
export function linear(index: readonly Expr[], dims: readonly number[]): Expr {
  let e: Expr = int(0);
  for (let d = 0; d < dims.length; d++) e = add(mul(e, int(dims[d])), index[d]);
  return e;
}

/** The multi-index of a row-major linear index. */
export function delinear(i: Expr, dims: readonly number[]): Expr[] {
  // An empty shape has no element to index, and dividing its strides by a zero extent
  // would make NaN constants (which integer passes cannot hold): every index is 0.
  if (dims.includes(0)) return dims.map(() => int(0));
  const out: Expr[] = new Array(dims.length);
  let rest = i;
  let stride = dims.reduce((a, b) => a * b, 1);
  for (let d = 0; d < dims.length; d++) {
    stride /= dims[d];
    out[d] = dims[d] === 1 ? int(0) : d === 0 ? div(rest, stride) : mod(div(rest, stride), dims[d]);
  }
  return out;
}

/** `a && b` on pred values. */
export const and = (a: Expr, b: Expr): Expr => (isValue(a, 1) ? b : isValue(b, 1) ? a : binary('and', a, b));

/** 0 <= i < n, as a pred. */
export const inRange = (i: Expr, n: number): Expr =>
  isConst(i) ? constant('pred', i.value >= 0 && i.value < n ? 1 : 0) : and(compare('GE', i, int(0)), compare('LT', i, int(n)));

// ---- statements ----

export const letStmt = (name: string, value: Expr): Stmt => ({ k: 'let', name, value });
export const assign = (name: string, value: Expr): Stmt => ({ k: 'assign', name, value });
export const store = (buf: number, index: Expr, value: Expr): Stmt => ({ k: 'store', buf, index, value });
export const ifStmt = (cond: Expr, then: Stmt[], otherwise: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: otherwise });

export function loop(v: string, start: Expr | number, end: Expr | number, body: Stmt[], mode: Loop['mode'] = 'serial', step = 1): Stmt {
  const s = typeof start === 'number' ? int(start) : start;
  const e = typeof end === 'number' ? int(end) : end;
  return { k: 'loop', loop: { var: v, start: s, end: e, step, mode, body } };
}

export const localStore = (array: string, index: Expr, value: Expr): Stmt => ({ k: 'localStore', array, index, value });
/** A zero-filled local array: `private` per invocation, `workgroup` shared by a grid kernel's workgroup (top level of its body). */
export const array = (name: string, type: ScalarType, size: number, scope: 'private' | 'workgroup' = 'private'): Stmt => ({ k: 'array', name, type, size, scope });
export const barrier = (): Stmt => ({ k: 'barrier' });

// ---- grid kernels (GPU form) ----

/** The invocation's place in its workgroup along `dim` (s32). */
export const localId = (dim: 0 | 1 | 2 = 0): Expr => ({ k: 'gpuId', type: S32, id: 'local', dim });
/** The workgroup's place in the launch along `dim` (s32). */
export const workgroupId = (dim: 0 | 1 | 2 = 0): Expr => ({ k: 'gpuId', type: S32, id: 'workgroup', dim });

/** A grid of `workgroups` workgroups of `size` invocations, checked (every extent a positive integer, ≤ 65535 workgroups per dim). */
export function grid(size: readonly number[], workgroups: readonly number[]): Grid {
  const three = (v: readonly number[], what: string): [number, number, number] => {
    const t: [number, number, number] = [v[0] ?? 1, v[1] ?? 1, v[2] ?? 1];
    if (v.length > 3 || t.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`grid: ${what} ${JSON.stringify(v)} is not 1 to 3 positive integers`);
    return t;
  };
  const g = { size: three(size, 'size'), workgroups: three(workgroups, 'workgroups') };
  if (g.workgroups.some((w) => w > MAX_GRID_WORKGROUPS)) throw new Error(`grid: ${g.workgroups.join('×')} workgroups: at most ${MAX_GRID_WORKGROUPS} per dim`);
  return g;
}

/** A grid kernel: `body` runs once per invocation of `g`. */
export function gridKernel(name: string, params: readonly KernelParam[], body: readonly Stmt[], g: Grid, source: string, schedule: Schedule = {}): Kernel {
  return { name, params, body, schedule, source, grid: g };
}

// Kernel-IR expressions → CUDA C expression text. Every operator result is parenthesised or
// a call, so texts compose without precedence rules. Nothing is hoisted out of an
// expression: a scalar `select` is C's `?:`, which evaluates only the chosen operand, as the
// kernel IR promises (a guarded load in the other arm must not run). Vector operations
// are helpers that apply the scalar rule (ops.ts) to each lane, so a vector operand is
// evaluated once.
import { computeTypeOf, isWide, unreachable, type Expr, type Lanes, type ScalarType, type StorageType, type ValueType } from '../../ir/kernel/kernel.js';
import { NotSupported } from './errors.js';
import type { Multiples } from '../../passes/kernel/multiples.js';
import type { S32Ranges } from '../../passes/kernel/ranges.js';
import type { Helpers } from './helpers.js';
import { BINARY, bitcast, compare, convert, UNARY, type OpContext } from './ops.js';
import { cScalar, cType, literal, STORAGE } from './types.js';

/** A kernel's buffer parameter as the function sees it: its C identifier and element type. */
export interface ParamRef {
  readonly id: string;
  readonly dtype: StorageType;
  /** Every launch passes it 16-byte aligned (a float4 access at a multiple of 4 elements is aligned). */
  readonly aligned16: boolean;
}

/** Storage types whose four elements are one CUDA vector (float4, int4, uint4). */
const VECTOR_STORAGE: ReadonlySet<StorageType> = new Set(['f32', 's32', 'u32']);

const LANES = ['x', 'y', 'z', 'w'] as const;
const typeKey = (t: ValueType): string => (t.lanes === 1 ? t.scalar : `${t.scalar}x4`);

const isZero = (e: Expr): boolean => (e.k === 'const' && Number(e.value) === 0) || (e.k === 'splat' && isZero(e.a));

/**
 * An unsigned value's sign test against a constant 0 (`x < 0`, `x >= 0`, `0 > x`, `0 <= x`),
 * as a constant: nvcc warns of the pointless comparison (#186-D), an error under -Werror.
 * ONNX's Mod on unsigned types builds these tests.
 */
function unsignedSign(e: Extract<Expr, { k: 'compare' }>): string | undefined {
  if (e.a.type.scalar !== 'u32' && e.a.type.scalar !== 'u64') return undefined;
  if (isZero(e.b) && (e.dir === 'LT' || e.dir === 'GE')) return e.dir === 'GE' ? 'true' : 'false';
  if (isZero(e.a) && (e.dir === 'GT' || e.dir === 'LE')) return e.dir === 'LE' ? 'true' : 'false';
  return undefined;
}

export class ExprWriter {
  constructor(
    readonly kernel: string,
    private readonly helpers: Helpers,
    private readonly params: readonly ParamRef[],
    /** The identifier of a variable of kernel-IR type `type`. */
    private readonly variable: (name: string, type: ValueType) => string,
    /** The identifier of a local array. */
    private readonly array: (name: string) => string,
    /** s32 values that provably stay inside s32 (their arithmetic needs no wrapping). */
    private readonly ranges: S32Ranges,
    /** What power of two each index is a multiple of (aligned vector accesses). */
    private readonly multiples: Multiples,
  ) {}

  /** A 4-lane access of `p` at `index` is one aligned 128-bit access. */
  private aligned(p: ParamRef, index: Expr): boolean {
    return p.aligned16 && VECTOR_STORAGE.has(p.dtype) && this.multiples.of(index) % 4 === 0;
  }

  fail(msg: string): never {
    throw new NotSupported(`${this.kernel}: ${msg}`);
  }

  param(buf: number): ParamRef {
    return this.params[buf] ?? this.fail(`no buffer parameter ${buf}`);
  }

  /** `index`: the text is index arithmetic (a load's or store's index, a loop bound). */
  expr(e: Expr, index = false): string {
    if (isWide(e.type.scalar) && e.type.lanes !== 1) this.fail(`a vector of ${e.type.scalar} (64-bit values are scalars only)`);
    return e.type.lanes === 1 || e.k === 'splat' || e.k === 'vector' || e.k === 'load' || e.k === 'local' || e.k === 'var' || e.k === 'const'
      ? this.scalarOrLeaf(e, index)
      : this.vectorOp(e);
  }

  private ctx(index: boolean): OpContext {
    return { helper: (name) => this.helpers.use(name), index };
  }

  /** The context of `e`'s operator: plain signed arithmetic in an index or where its result provably fits. */
  private fits(e: Expr, index: boolean): OpContext {
    return this.ctx(index || this.ranges.of(e) !== undefined);
  }

  /** Scalar expressions, and the vector leaves (constants, variables, loads, splats). */
  private scalarOrLeaf(e: Expr, index: boolean): string {
    const c = this.ctx(index);
    switch (e.k) {
      case 'const': return e.type.lanes === 1 ? literal(e.type.scalar, e.value) : this.splat(e.type.scalar, literal(e.type.scalar, e.value));
      case 'var': return this.variable(e.name, e.type);
      case 'load': return this.load(e.buf, e.index, e.type);
      case 'local': return e.type.lanes === 1
        ? `${this.array(e.array)}[${this.expr(e.index, true)}]`
        : `${this.lanes(`local4_${e.type.scalar}`, cType(e.type), [`const ${cScalar(e.type.scalar)}*`, 'int'], (a) => `${a[0]}[${a[1]} + L]`)}(${this.array(e.array)}, ${this.expr(e.index, true)})`;
      case 'unary': return UNARY[e.op](e.a.type.scalar, this.expr(e.a, index), this.fits(e, index)) ?? this.fail(`'${e.op}' is not defined on ${e.a.type.scalar} here`);
      case 'binary': return BINARY[e.op](e.type.scalar, this.expr(e.a, index), this.expr(e.b, index), this.fits(e, index)) ?? this.fail(`'${e.op}' is not defined on ${e.type.scalar} here`);
      case 'compare': return unsignedSign(e) ?? compare(e.dir, this.expr(e.a, index), this.expr(e.b, index));
      case 'select': return `(${this.expr(e.cond, index)} ? ${this.expr(e.a, index)} : ${this.expr(e.b, index)})`;
      case 'muladd': return `${e.type.scalar === 'f64' ? 'fma' : 'fmaf'}(${this.expr(e.a)}, ${this.expr(e.b)}, ${this.expr(e.c)})`;
      case 'convert': return convert(e.a.type.scalar, e.type.scalar, this.expr(e.a, index), c);
      case 'bitcast': {
        if (e.a.type.scalar === 'pred' || e.type.scalar === 'pred') this.fail('bitcast to or from pred');
        return bitcast(e.a.type.scalar, e.type.scalar, this.expr(e.a, index));
      }
      case 'round': return e.to === 'f16' ? `__half2float(__float2half_rn(${this.expr(e.a)}))` : `__bfloat162float(__float2bfloat16_rn(${this.expr(e.a)}))`;
      case 'splat': return this.splat(e.type.scalar, this.expr(e.a));
      case 'vector': return `${maker(e.type.scalar)}(${e.lanes.map((l) => this.expr(l)).join(', ')})`;
      case 'extract': return `${atom(this.expr(e.a))}.${LANES[e.lane]}`;
      case 'gpuId': return `((int)${e.id === 'local' ? 'threadIdx' : 'blockIdx'}.${LANES[e.dim]})`;
      default: return unreachable(e);
    }
  }

  /** A vector operation: a helper per (operation, types) applying the scalar rule lane by lane. */
  private vectorOp(e: Expr): string {
    const c = this.ctx(false);
    const out = cType(e.type);
    const arg = (x: Expr): string => this.expr(x);
    const call = (key: string, operands: readonly Expr[], rule: (a: readonly string[]) => string): string =>
      `${this.lanes(key, out, operands.map((o) => cType(o.type)), rule, operands.map((o) => o.type.lanes))}(${operands.map(arg).join(', ')})`;
    const s = e.type.scalar;
    switch (e.k) {
      case 'unary': return call(`${ident(e.op)}_${typeKey(e.a.type)}`, [e.a], (a) => UNARY[e.op](e.a.type.scalar, a[0], c) ?? this.fail(`'${e.op}' is not defined on ${e.a.type.scalar} here`));
      case 'binary': return call(`${ident(e.op)}_${typeKey(e.type)}`, [e.a, e.b], (a) => BINARY[e.op](s, a[0], a[1], c) ?? this.fail(`'${e.op}' is not defined on ${s} here`));
      case 'compare': {
        // A constant sign test is a constant vector, not the body of the helper every compare of this direction and type shares.
        const known = unsignedSign(e);
        if (known) return this.splat('pred', known);
        return call(`${e.dir.toLowerCase()}_${typeKey(e.a.type)}`, [e.a, e.b], (a) => compare(e.dir, a[0], a[1]));
      }
      case 'select':
        if (e.cond.type.lanes === 1) return `(${this.expr(e.cond)} ? ${arg(e.a)} : ${arg(e.b)})`;
        return call(`select_${typeKey(e.type)}`, [e.cond, e.a, e.b], (a) => `(${a[0]} ? ${a[1]} : ${a[2]})`);
      case 'muladd': return call(`muladd_${typeKey(e.type)}`, [e.a, e.b, e.c], (a) => `fmaf(${a[0]}, ${a[1]}, ${a[2]})`);
      case 'convert': return call(`convert_${typeKey(e.a.type)}_to_${s}`, [e.a], (a) => convert(e.a.type.scalar, s, a[0], c));
      case 'bitcast': return call(`bitcast_${typeKey(e.a.type)}_to_${s}`, [e.a], (a) => bitcast(e.a.type.scalar, s, a[0]));
      case 'round': return call(`round_${e.to}_${typeKey(e.type)}`, [e.a], (a) => e.to === 'f16' ? `__half2float(__float2half_rn(${a[0]}))` : `__bfloat162float(__float2bfloat16_rn(${a[0]}))`);
      case 'extract': case 'gpuId': case 'const': case 'var': case 'load': case 'local': case 'splat': case 'vector':
        return this.scalarOrLeaf(e, false);
      default: return unreachable(e);
    }
  }

  /**
   * A helper `kiln_<key>(params…)` returning `out`, whose body builds the vector lane by
   * lane: `rule` gets each parameter's text for one lane (`a.x` for a vector parameter, `a`
   * for a scalar one; in a rule's text, `L` stands for the lane number).
   */
  lanes(key: string, out: string, params: readonly string[], rule: (args: readonly string[]) => string, operandLanes?: readonly Lanes[]): string {
    return this.helpers.made(key, (name) => {
      const names = params.map((_, i) => String.fromCharCode(97 + i));
      const lane = (l: number): string => rule(names.map((n, i) => ((operandLanes?.[i] ?? 1) === 4 ? `${n}.${LANES[l]}` : n))).replace(/\bL\b/g, String(l));
      const values = [0, 1, 2, 3].map(lane);
      const head = `${out} ${name}(${params.map((p, i) => `${p} ${names[i]}`).join(', ')})`;
      const scalar = out.split(' ')[0];
      return scalar === 'void' ? `${head} { ${values.join('; ')}; }` : `${head} { return ${maker(vectorScalar(out))}(${values.join(', ')}); }`;
    });
  }

  private splat(s: ScalarType, x: string): string {
    return `${this.lanes(`splat_${s}x4`, cType({ scalar: s, lanes: 4 }), [cScalar(s)], (a) => a[0])}(${x})`;
  }

  /** Element `index` (lanes of it) of buffer `buf`, converted to compute type `t`. */
  private load(buf: number, index: Expr, t: ValueType): string {
    const p = this.param(buf);
    const from = computeTypeOf(p.dtype);
    const i = this.expr(index, true);
    if (t.lanes === 1) return convert(from, t.scalar, loadElement(p.dtype, `${p.id}[${i}]`), this.ctx(false));
    const raw = this.aligned(p, index) ? `${this.alignedLoad(p.dtype)}(${p.id}, ${i})` : `${this.lanes(`load4_${p.dtype}`, cType({ scalar: from, lanes: 4 }), [`const ${STORAGE[p.dtype]}*`, 'int'], (a) => loadElement(p.dtype, `${a[0]}[${a[1]} + L]`))}(${p.id}, ${i})`;
    if (from === t.scalar) return raw;
    return `${this.lanes(`convert_${from}x4_to_${t.scalar}`, cType(t), [cType({ scalar: from, lanes: 4 })], (a) => convert(from, t.scalar, a[0], this.ctx(false)), [4])}(${raw})`;
  }

  /** `kiln_load4a_<dtype>`: one 128-bit load of an aligned vector. */
  private alignedLoad(dt: StorageType): string {
    const t = cType({ scalar: computeTypeOf(dt), lanes: 4 });
    return this.helpers.made(`load4a_${dt}`, (name) => `${t} ${name}(const ${STORAGE[dt]}* p, int i) { return *reinterpret_cast<const ${t}*>(p + i); }`);
  }

  /** A store statement: `value` converted to the element type of buffer `buf`. */
  store(buf: number, index: Expr, value: Expr): string {
    const p = this.param(buf);
    const i = this.expr(index, true), v = this.expr(value);
    const from = value.type.scalar;
    if (value.type.lanes === 1) return `${p.id}[${i}] = ${this.storageValue(p.dtype, from, v)};`;
    if (this.aligned(p, index) && computeTypeOf(p.dtype) === from) {
      const t = cType(value.type);
      const f = this.helpers.made(`store4a_${p.dtype}`, (name) => `void ${name}(${STORAGE[p.dtype]}* p, int i, ${t} v) { *reinterpret_cast<${t}*>(p + i) = v; }`);
      return `${f}(${p.id}, ${i}, ${v});`;
    }
    const f = this.lanes(`store4_${p.dtype}_from_${from}`, 'void', [`${STORAGE[p.dtype]}*`, 'int', cType(value.type)],
      (a) => `${a[0]}[${a[1]} + L] = ${this.storageValue(p.dtype, from, a[2])}`, [1, 1, 4]);
    return `${f}(${p.id}, ${i}, ${v});`;
  }

  /** A local array store statement. */
  localStore(array: string, index: Expr, value: Expr): string {
    const a = this.array(array), i = this.expr(index, true), v = this.expr(value);
    if (value.type.lanes === 1) return `${a}[${i}] = ${v};`;
    const s = value.type.scalar;
    const f = this.lanes(`local_store4_${s}`, 'void', [`${cScalar(s)}*`, 'int', cType(value.type)], (x) => `${x[0]}[${x[1]} + L] = ${x[2]}`, [1, 1, 4]);
    return `${f}(${a}, ${i}, ${v});`;
  }

  /**
   * `value` (compute type `from`) as an element of storage type `dt`, with HLO convert's
   * rounding: float → narrow int saturates, int → narrow int wraps, f16/bf16 round to
   * nearest even once.
   */
  private storageValue(dt: StorageType, from: ScalarType, value: string): string {
    const c = this.ctx(false);
    const float = from === 'f32' || from === 'f64';
    switch (dt) {
      case 'f32': case 's32': case 'u32': case 's64': case 'u64': case 'f64': return convert(from, dt, value, c);
      case 'pred': return `(uint8_t)${convert(from, 'pred', value, c)}`;
      case 's8': case 'u8': case 's16': case 'u16':
        return float ? `${this.helpers.use(`${from}_to_${dt}`)}(${value})` : `((${STORAGE[dt]})${value})`;
      case 'f16':
        // An integer beyond 2^24 is beyond f16's range too, so through f32 rounds once.
        return from === 'f64' ? `__double2half(${value})` : `__float2half_rn(${convert(from, 'f32', value, c)})`;
      case 'bf16':
        if (from === 's32' || from === 'u32') return `${this.helpers.use(`${from}_to_bf16`)}(${value})`;
        if (from === 'f64') return `__double2bfloat16(${value})`;
        if (isWide(from)) return this.fail(`a ${from} value stored into a bf16 buffer (lowering converts to f32 first)`);
        return `__float2bfloat16_rn(${convert(from, 'f32', value, c)})`;
    }
  }
}

/** An element of storage type `dt` read as its compute type. */
function loadElement(dt: StorageType, element: string): string {
  switch (dt) {
    case 'pred': return `(${element} != 0)`;
    case 's8': case 's16': return `((int)${element})`;
    case 'u8': case 'u16': return `((unsigned)${element})`;
    case 'f16': return `__half2float(${element})`;
    case 'bf16': return `__bfloat162float(${element})`;
    default: return element;
  }
}

const MAKERS: { readonly [S in ScalarType]?: string } = { f32: 'make_float4', s32: 'make_int4', u32: 'make_uint4', pred: 'kiln_make_bool4' };
const maker = (s: ScalarType): string => MAKERS[s] ?? fail(`no ${s} vectors`);
const VECTOR_SCALAR: Readonly<Record<string, ScalarType>> = { float4: 'f32', int4: 's32', uint4: 'u32', kiln_bool4: 'pred' };
const vectorScalar = (t: string): ScalarType => VECTOR_SCALAR[t] ?? fail(`not a vector type: ${t}`);
const ident = (op: string): string => op.replace(/-/g, '_');

/** `x` where a postfix (`.x`) may follow it. */
const atom = (x: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(x) ? x : `(${x})`);

function fail(msg: string): never {
  throw new Error(`cuda: ${msg}`);
}

// Kernel-IR expressions → WGSL expression text. Every operator result is parenthesised or a
// call, so texts compose without precedence rules. Expressions have no side effects and
// nothing in WGSL traps, so a sub-expression that must be used several times (a vector
// load's index) is bound to a `let` placed before the statement being written.
import { computeTypeOf, unreachable, type Expr, type KernelParam, type Lanes, type ScalarType, type StorageType, type ValueType } from '../../ir/kernel/kernel.js';
import { NotSupported } from './errors.js';
import type { Helpers } from './helpers.js';
import { loadScalar, loadVector, type MemoryContext, type RegionAccess } from './memory.js';
import type { Names } from './names.js';
import { BINARY, compare, convert, UNARY, type OpContext } from './ops.js';
import { BINARY64, compare64, convert64, UNARY64, type Op64Context } from './ops64.js';
import { int64Lit, is64, narrow, scalarLit, wgslScalar, wgslType, type Scalar, type Scalar32 } from './types.js';

/** Where a launch's buffer parameter lives: its region and its byte offset there. */
export interface BoundParam {
  readonly param: KernelParam;
  readonly region: RegionAccess;
  readonly base: number;
}

/** The entry point's builtin parameters a grid kernel's `gpuId` reads (`kiln_` names never clash with kernel names). */
export const GPU_ID = { local: 'kiln_lid', workgroup: 'kiln_wid' } as const;

export class ExprWriter implements MemoryContext {
  /** `let` lines to put before the statement being written. */
  pending: string[] = [];

  constructor(
    readonly kernel: string,
    private readonly helpers: Helpers,
    private readonly names: Names,
    private readonly params: readonly BoundParam[],
    /** The identifier of a variable of kernel-IR type `type`. */
    private readonly variable: (name: string, type: ValueType) => string,
    /** The identifier of a local array. */
    private readonly array: (name: string) => string,
    /** A grid kernel: `gpuId` reads the entry point's builtins. */
    private readonly grid = false,
  ) {}

  fail(msg: string): never {
    throw new NotSupported(`${this.kernel}: ${msg}`);
  }

  helper(name: string, lanes: Lanes = 1): string {
    return this.helpers.use(name, lanes);
  }

  /** `value` bound to a new `let` unless it is a literal: a value read once, even if variables in it change later. */
  bind(value: string): string {
    if (/^\(?-?\d+i?\)?$/.test(value)) return value;
    const id = this.names.fresh('tmp');
    this.pending.push(`let ${id} = ${value};`);
    return id;
  }

  temp(value: string): string {
    if (/^[A-Za-z_][A-Za-z0-9_]*$|^\d+i?$/.test(value)) return value;
    const id = this.names.fresh('tmp');
    this.pending.push(`let ${id} = ${value};`);
    return id;
  }

  /** Operator context for values with `lanes` lanes. */
  ops(lanes: Lanes): OpContext {
    return {
      lanes,
      helper: (name) => this.helper(name, lanes),
      lit: (s, v) => this.lit(s, v, lanes),
      type: (s) => wgslScalar(s, lanes),
    };
  }

  /** The context of 64-bit rules (ops64.ts): scalar helpers. */
  private readonly ops64: Op64Context = { helper: (name) => this.helper(name) };

  lit(s: Scalar32, v: number, lanes: Lanes): string {
    const x = scalarLit(s, v, () => this.helper('f32_bits'));
    return lanes === 1 ? x : `${wgslScalar(s, 4)}(${x})`;
  }

  param(buf: number): BoundParam {
    const p = this.params[buf];
    if (!p) this.fail(`no buffer parameter ${buf}`);
    return p;
  }

  expr(e: Expr): string {
    const lanes = e.type.lanes;
    const s = narrow(e.type.scalar);
    if (is64(s) && lanes !== 1) this.fail(`a vector of ${s} (64-bit values are scalars only)`);
    const c = this.ops(lanes);
    switch (e.k) {
      case 'const': return is64(s) ? int64Lit(e.value) : this.lit(s, Number(e.value), lanes);
      case 'var': return this.variable(e.name, e.type);
      case 'load': return this.load(e.buf, e.index, s, lanes);
      case 'local': {
        const a = this.array(e.array);
        if (lanes === 1) return `${a}[${this.expr(e.index)}]`;
        const i = this.temp(this.expr(e.index));
        return `${wgslType(e.type)}(${[0, 1, 2, 3].map((l) => `${a}[${l ? `${i} + ${l}` : i}]`).join(', ')})`;
      }
      case 'unary': {
        const from = narrow(e.a.type.scalar), x = this.expr(e.a);
        const r = is64(from) ? UNARY64[e.op](from, x, this.ops64) : UNARY[e.op](from, x, c);
        return r ?? this.fail(`'${e.op}' is not defined on ${e.a.type.scalar} here`);
      }
      case 'binary': {
        const a = this.expr(e.a), b = this.expr(e.b);
        const r = is64(s) ? BINARY64[e.op](s, a, b, this.ops64) : this.constantOperand(e.op, s, a, e.b, lanes) ?? BINARY[e.op](s, a, b, c);
        return r ?? this.fail(`'${e.op}' is not defined on ${e.type.scalar} here`);
      }
      case 'compare': {
        const from = narrow(e.a.type.scalar), a = this.expr(e.a), b = this.expr(e.b);
        return is64(from) ? compare64(e.dir, from, a, b, this.ops64) : compare(e.dir, from, a, b, this.ops(e.a.type.lanes));
      }
      case 'select': return `select(${this.expr(e.b)}, ${this.expr(e.a)}, ${this.expr(e.cond)})`;
      case 'muladd': return `fma(${this.expr(e.a)}, ${this.expr(e.b)}, ${this.expr(e.c)})`;
      case 'convert': return this.convert(narrow(e.a.type.scalar), s, this.expr(e.a), lanes);
      case 'bitcast': {
        const from = narrow(e.a.type.scalar);
        if (from === s || (is64(from) && is64(s))) return this.expr(e.a);
        if (from === 'pred' || s === 'pred') this.fail('bitcast to or from pred');
        return `bitcast<${wgslType(e.type)}>(${this.expr(e.a)})`;
      }
      case 'round': return `${this.helper(e.to === 'f16' ? 'round_f16' : 'round_bf16', lanes)}(${this.expr(e.a)})`;
      case 'splat': return `${wgslType(e.type)}(${this.expr(e.a)})`;
      case 'vector': return `${wgslType(e.type)}(${e.lanes.map((l) => this.expr(l)).join(', ')})`;
      case 'extract': return `${this.atom(this.expr(e.a))}.${'xyzw'[e.lane]}`;
      case 'gpuId':
        if (!this.grid) this.fail(`${e.id} invocation id in a kernel without a grid`);
        return `i32(${GPU_ID[e.id]}.${'xyz'[e.dim]})`;
      default: return unreachable(e);
    }
  }

  /** HLO convert between any two compute types (ops.ts for 32-bit ones, ops64.ts where one is 64-bit). */
  private convert(from: Scalar, to: Scalar, x: string, lanes: Lanes): string {
    return is64(from) || is64(to) ? convert64(from, to, x, this.ops64) : convert(from, to, x, this.ops(lanes));
  }

  /**
   * Shifts by a constant count in [0, 32), and division and remainder by a constant other
   * than 0 and -1 (WGSL's `/` and `%` truncate, as XLA's do, and only those two divisors need
   * the helpers' guards), are the plain operators: index arithmetic (a GEMM's staging
   * divides by its tile) then reads as written and compiles to shifts and multiplies.
   */
  private constantOperand(op: string, s: Scalar32, a: string, b: Expr, lanes: Lanes): string | undefined {
    const k = b.k === 'splat' ? b.a : b;
    if (k.k !== 'const' || (s !== 's32' && s !== 'u32')) return undefined;
    const n = Number(k.value);
    if ((op === 'divide' || op === 'remainder') && n !== 0 && !(s === 's32' && n === -1)) {
      const d = scalarLit(s, n, () => this.helper('f32_bits'));
      return `(${a} ${op === 'divide' ? '/' : '%'} ${lanes === 1 ? d : `${wgslScalar(s, 4)}(${d})`})`;
    }
    if (!(n >= 0 && n < 32)) return undefined;
    const c = lanes === 1 ? `${n}u` : `vec4<u32>(${n}u)`;
    if (op === 'shift-left') return `(${a} << ${c})`;
    if (op === 'shift-right-arithmetic' && s === 's32') return `(${a} >> ${c})`;
    if (op === 'shift-right-logical' && s === 'u32') return `(${a} >> ${c})`;
    return undefined;
  }

  /** `x` where a postfix (`.x`) may follow it. */
  private atom(x: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(x) || x.startsWith('(') ? x : `(${x})`;
  }

  /** Element `index` (lanes of it) of buffer `buf`, converted to compute type `to`. */
  private load(buf: number, index: Expr, to: Scalar, lanes: Lanes): string {
    const p = this.param(buf);
    const dt = p.param.dtype;
    const i = this.expr(index);
    const v = lanes === 1 ? loadScalar(this, p.region, dt, p.base, i) : loadVector(this, p.region, dt, p.base, i);
    return this.convert(narrow(computeTypeOf(dt)), to, v, lanes);
  }

  /**
   * `value` (of type `from`) converted to the storage bits of `dt` (u32 or vec4<u32>), with
   * HLO convert's rounding: float → narrow int saturates, int → narrow int wraps, f16/bf16
   * round to nearest even once.
   */
  storageBits(dt: StorageType, from: ScalarType, value: string, lanes: Lanes): string {
    const f = narrow(from);
    const U = wgslScalar('u32', lanes);
    const to = (s: Scalar) => this.convert(f, s, value, lanes);
    switch (dt) {
      case 'f32': case 's32': return `bitcast<${U}>(${to(dt)})`;
      case 'u32': return to('u32');
      case 's64': case 'u64': return to(dt);
      case 'pred': return `${U}(${to('pred')})`;
      case 's8': case 'u8': case 's16': case 'u16':
        // A 64-bit value wraps: its low word's bits, which the store masks.
        return f === 'f32' ? `${this.helper(`sat_${dt}`, lanes)}(${value})` : f === 'pred' ? `${U}(${value})` : to('u32');
      case 'f16': return `${this.helper('f32_to_f16', lanes)}(${to('f32')})`;
      case 'bf16':
        if (f === 's32' || f === 'u32') return `${this.helper(`${f}_to_bf16`, lanes)}(${value})`;
        // Through the nearest f32 would round twice; lowering rounds a 64-bit integer to odd first (docs/kernel-ir.md).
        if (is64(f)) return this.fail(`a ${f} value stored into a bf16 buffer (lowering converts to f32 first)`);
        return `${this.helper('f32_to_bf16', lanes)}(${to('f32')})`;
      case 'f64': return this.fail('f64 buffers (WGSL has no 64-bit floats; kiln does not emulate them)');
    }
  }
}

// One launch of a kernel → one wasm function, its buffers' addresses built in as
// constants: `(tid, nthreads)` in a build for threads, no parameters otherwise.
//
// Threads: when every buffer store of a kernel lies inside its first top-level `parallel`
// loop, that loop's iterations are split into contiguous chunks by (tid, nthreads) and the
// rest of the body (side-effect free: lets, arrays) runs on every thread. Otherwise the
// whole kernel runs on thread 0 and the others return at once. Nested parallel loops run
// serially. `unroll` loops with constant bounds are unrolled at emission with the loop
// variable folded into index arithmetic; private arrays whose indices are all constant
// after unrolling live in locals, the others in a per-thread frame of linear memory.
// The analyses behind these choices are target-neutral and live in passes/kernel/
// (docs/kernel-ir.md, Kernel passes); this file decides how wasm spells them.
import binaryen from 'binaryen';
import { computeTypeOf, isWide, unreachable, type Expr, type Kernel, type Loop, type ScalarType, type Stmt, type ValueType } from '../../ir/kernel/kernel.js';
import { definedIn } from '../../ir/kernel/walk.js';
import { printExpr } from '../../ir/kernel/print.js';
import { Fn, Local, type X } from './lib.js';
import { loadScalar, loadSplat, loadVector, log2Bytes, storeScalar, storeVector } from './memory.js';
import { NotSupported, wasmType, type Ops } from './ops.js';
import { SCALAR_WASM } from './ops64.js';
import { foldIndex } from '../../passes/kernel/fold.js';
import { isInvariant, pureIndex, readsMemory } from '../../passes/kernel/invariant.js';
import { LetValues } from '../../passes/kernel/let_values.js';
import { linearIndex } from '../../passes/kernel/linear_index.js';
import { isNonNegative, nonNegativeVars } from '../../passes/kernel/non_negative.js';
import { localArrayUses, splittableLoop } from '../../passes/kernel/parallel.js';

/** Unroll loops of at most this many iterations; longer ones stay loops. */
const MAX_UNROLL = 1024;
/** Private arrays up to this many elements may live in locals. */
const MAX_REGISTER_ARRAY = 64;

interface ArrayPlan {
  readonly scalar: ScalarType;
  size: number;
  registers: boolean;
  /** Byte offset in the thread's frame (memory arrays). */
  offset: number;
}

export interface KernelPlan {
  readonly arrays: Map<string, ArrayPlan>;
  /** Bytes of per-thread frame the kernel's memory arrays need. */
  readonly frameBytes: number;
  readonly split: boolean;
}

export function planKernel(k: Kernel): KernelPlan {
  // A grid kernel is a GPU's form (one body per invocation, workgroup memory, barriers):
  // a CPU target runs the CPU form, lowered for its own description.
  if (k.grid) throw new NotSupported(`${k.name}: a GPU grid kernel (workgroups of invocations); wasm runs kernels lowered for a CPU target`);
  const arrays = new Map<string, ArrayPlan>();
  for (const [name, u] of localArrayUses(k))
    arrays.set(name, { scalar: u.scalar, size: u.size, registers: u.firstSize <= MAX_REGISTER_ARRAY && !u.dynamic, offset: 0 });
  let frameBytes = 0;
  for (const a of arrays.values()) {
    if (a.registers) continue;
    a.offset = frameBytes;
    frameBytes += Math.ceil((a.size * arrayBytes(a.scalar)) / 16) * 16;
  }
  return { arrays, frameBytes, split: splittableLoop(k) !== undefined };
}

// ---- emission ----

const typeKey = (t: ValueType): string => (t.lanes === 1 ? t.scalar : `${t.scalar}x4`);
/** Bytes of a local array element: 32-bit words (pred too), 64-bit for the wide types. */
const arrayBytes = (s: ScalarType): number => (isWide(s) ? 8 : 4);

export interface KernelLayout {
  /** Absolute address of thread 0's frame, and the frame size (all kernels share one size). */
  readonly stackOffset: number;
  readonly frameBytes: number;
  /**
   * Absolute address of each buffer parameter. A function is emitted per launch with its
   * buffers' addresses as constants, so that they fold into the loads' and stores' offset
   * immediates without binaryen having to inline the kernel into its caller to find them.
   */
  readonly addresses: readonly number[];
  /** Built for threads: the function takes (tid, nthreads); otherwise it has no parameters. */
  readonly shared: boolean;
  /** Render f32x4 muladd as relaxed SIMD's f32x4.relaxed_madd (an fma where the CPU has one). */
  readonly relaxedSimd: boolean;
}

export function emitKernel(ops: Ops, k: Kernel, name: string, plan: KernelPlan, layout: KernelLayout): void {
  new KernelEmitter(ops, k, plan, layout).emit(name);
}

interface LoopScope {
  /** Variables the loop (re)defines: an expression over none of them is invariant in it. */
  readonly defined: ReadonlySet<string>;
  /** local.sets to run before the loop. */
  readonly pre: X[];
  readonly hoisted: Map<string, Local>;
  /** The loop's variable and step, its counter, and whether the body leaves the variable alone. */
  readonly var: string;
  readonly step: number;
  readonly counter: Local;
  readonly ivOk: boolean;
  /** Updates of induction pointers, run at the end of each iteration. */
  readonly next: X[];
}

/** A wasm address: a dynamic i32 pointer plus the memarg's constant offset. */
interface Addr {
  readonly ptr: X;
  readonly offset: number;
}

class KernelEmitter {
  private readonly m: binaryen.Module;
  private readonly fn: Fn;
  private readonly locals = new Map<string, Local>();
  private readonly registers = new Map<string, Local[]>();
  private readonly consts = new Map<string, number>();
  private labels = 0;
  private frame?: Local;
  /** A fresh local, for code Ops puts in place (exp/erf/logistic, integer min/max). */
  private readonly temp = (type: binaryen.Type): Local => this.fn.local(type);
  private readonly tid: { readonly g: X };
  private readonly nthreads: { readonly g: X };
  /** Enclosing serial loops, innermost last, for hoisting loop-invariant address parts. */
  private readonly loops: LoopScope[] = [];
  private readonly nonNeg: Set<string>;
  /**
   * Index variables whose value is still known to equal their pure let expression; every
   * (re)definition is reported to it, and on entering and leaving a loop everything the
   * loop defines, after an if everything its branches define.
   */
  private readonly lets = new LetValues();

  constructor(private readonly ops: Ops, private readonly k: Kernel, private readonly plan: KernelPlan, private readonly layout: KernelLayout) {
    this.m = ops.m;
    if (layout.addresses.length !== k.params.length) this.fail(`${layout.addresses.length} addresses for ${k.params.length} buffer parameters`);
    const m = this.m;
    this.fn = new Fn(m, layout.shared ? [binaryen.i32, binaryen.i32] : []);
    this.tid = layout.shared ? new Local(m, 0, binaryen.i32) : { get g() { return m.i32.const(0); } };
    this.nthreads = layout.shared ? new Local(m, 1, binaryen.i32) : { get g() { return m.i32.const(1); } };
    this.nonNeg = nonNegativeVars(k);
  }

  private fail(msg: string): never {
    throw new NotSupported(`${this.k.name}: ${msg}`);
  }

  emit(name: string): void {
    const m = this.m;
    const body: X[] = [];
    if (this.plan.frameBytes > 0) {
      this.frame = this.fn.local(binaryen.i32);
      body.push(this.frame.set(m.i32.add(m.i32.const(this.layout.stackOffset), m.i32.mul(this.tid.g, m.i32.const(this.layout.frameBytes)))));
    }
    for (const [arr, a] of this.plan.arrays)
      if (a.registers) this.registers.set(arr, Array.from({ length: a.size }, () => this.fn.local(SCALAR_WASM[a.scalar])));
    if (this.plan.split) {
      let splitDone = false;
      for (const s of this.k.body) {
        if (!splitDone && s.k === 'loop' && s.loop.mode === 'parallel') {
          splitDone = true;
          body.push(this.parallel(s.loop));
        } else body.push(this.stmt(s));
      }
    } else {
      body.push(m.if(this.tid.g, m.return()));
      body.push(...this.k.body.map((s) => this.stmt(s)));
    }
    m.addFunction(name, binaryen.createType([...this.fn.params]), binaryen.none, this.fn.vars, m.block(null, body, binaryen.none));
  }

  // ---- statements ----

  private block(stmts: readonly Stmt[]): X {
    return this.m.block(null, stmts.map((s) => this.stmt(s)), binaryen.none);
  }

  private local(name: string, t: ValueType, define: boolean): Local {
    const key = `${name}:${typeKey(t)}`;
    let l = this.locals.get(key);
    if (!l) {
      if (!define) this.fail(`variable '${name}' (${typeKey(t)}) used before it is defined`);
      l = this.fn.local(wasmType(t));
      this.locals.set(key, l);
    }
    return l;
  }

  private stmt(s: Stmt): X {
    const m = this.m;
    switch (s.k) {
      case 'let': {
        const v = this.expr(s.value);
        const set = this.local(s.name, s.value.type, true).set(v);
        this.lets.define(s.name, s.value);
        return set;
      }
      case 'assign': {
        const v = this.expr(s.value);
        const set = this.local(s.name, s.value.type, false).set(v);
        this.redefine([s.name]);
        return set;
      }
      case 'store': {
        const p = this.k.params[s.buf];
        if (!p) this.fail(`no buffer parameter ${s.buf}`);
        const a = this.address(s.buf, s.index);
        const value = this.expr(s.value);
        return s.value.type.lanes === 1
          ? storeScalar(this.ops, p.dtype, a.ptr, value, s.value.type.scalar, a.offset)
          : storeVector(this.ops, this.fn, p.dtype, a.ptr, value, s.value.type.scalar, a.offset);
      }
      case 'array': {
        const a = this.plan.arrays.get(s.name)!;
        const regs = this.registers.get(s.name);
        if (regs) return m.block(null, regs.map((r) => r.set(this.ops.constant({ scalar: a.scalar, lanes: 1 }, 0))), binaryen.none);
        return m.memory.fill(this.arrayBase(a), m.i32.const(0), m.i32.const(s.size * arrayBytes(a.scalar)));
      }
      case 'localStore': {
        const a = this.plan.arrays.get(s.array);
        if (!a) this.fail(`array '${s.array}' used before it is declared`);
        const value = this.expr(s.value);
        const regs = this.registers.get(s.array);
        if (regs) return this.register(regs, s.array, s.index).set(value);
        const { ptr, offset } = this.arrayAddress(a, s.index);
        if (s.value.type.lanes === 4) return m.v128.store(offset, 4, ptr, value);
        return arrayStore(m, a.scalar, offset, ptr, value);
      }
      case 'loop': return this.loop(s.loop);
      case 'if': {
        const x = m.if(this.expr(s.cond), this.block(s.then), s.else.length ? this.block(s.else) : undefined);
        this.redefine(definedIn(s.else, definedIn(s.then)));
        return x;
      }
      case 'barrier': return m.nop();
      default: return unreachable(s);
    }
  }

  private register(regs: Local[], name: string, index: Expr): Local {
    const i = this.fold(index);
    if (i === undefined) this.fail(`array '${name}' index is not constant`);
    if (!(i >= 0 && i < regs.length)) this.fail(`${name}[${i}] is outside 0..${regs.length - 1}`);
    return regs[i];
  }

  private arrayBase(a: ArrayPlan): X {
    return this.m.i32.add(this.frame!.g, this.m.i32.const(a.offset));
  }

  private arrayAddress(a: ArrayPlan, index: Expr): Addr {
    return this.addressOf(`f`, () => this.frame!.g, a.offset, index, Math.log2(arrayBytes(a.scalar)));
  }

  private loop(l: Loop): X {
    if (l.mode === 'unroll') {
      const s = this.fold(l.start), e = this.fold(l.end);
      if (s !== undefined && e !== undefined && Math.ceil((e - s) / l.step) <= MAX_UNROLL) {
        const saved = this.consts.get(l.var);
        const out: X[] = [];
        for (let i = s; i < e; i += l.step) {
          this.consts.set(l.var, i);
          this.redefine([l.var]);
          out.push(this.block(l.body));
        }
        if (saved === undefined) this.consts.delete(l.var); else this.consts.set(l.var, saved);
        this.redefine([l.var]);
        return this.m.block(null, out, binaryen.none);
      }
    }
    const start = this.fn.local(binaryen.i32), end = this.fn.local(binaryen.i32);
    return this.m.block(null, [start.set(this.expr(l.start)), end.set(this.expr(l.end)), this.serial(l, start, end)], binaryen.none);
  }

  /** for (i = lo; i < hi; i += step), the loop variable a copy of the counter. */
  private serial(l: Loop, lo: Local, hi: Local): X {
    const m = this.m;
    const id = this.labels++;
    const brk = `b${id}`, cont = `l${id}`;
    const saved = this.consts.get(l.var);
    this.consts.delete(l.var);
    const v = this.local(l.var, { scalar: 's32', lanes: 1 }, true);
    const scope: LoopScope = {
      defined: definedIn(l.body, new Set([l.var])), pre: [], hoisted: new Map(),
      var: l.var, step: l.step, counter: lo, ivOk: !definedIn(l.body).has(l.var), next: [],
    };
    this.redefine(scope.defined);
    this.loops.push(scope);
    const body = this.block(l.body);
    this.loops.pop();
    if (saved !== undefined) this.consts.set(l.var, saved);
    this.redefine(scope.defined);
    return m.block(brk, [...scope.pre, m.loop(cont, m.block(null, [
      m.br(brk, m.i32.ge_s(lo.g, hi.g)),
      v.set(lo.g),
      body,
      ...scope.next,
      lo.set(m.i32.add(lo.g, m.i32.const(l.step))),
      m.br(cont),
    ], binaryen.none))], binaryen.none);
  }

  /** The top-level parallel loop: this thread's contiguous chunk of the iterations. */
  private parallel(l: Loop): X {
    const m = this.m, i32 = m.i32;
    const s = this.fn.local(binaryen.i32), e = this.fn.local(binaryen.i32), chunk = this.fn.local(binaryen.i32);
    const lo = this.fn.local(binaryen.i32), hi = this.fn.local(binaryen.i32);
    const step = i32.const(l.step);
    const count = m.select(i32.gt_s(e.g, s.g), i32.div_u(i32.add(i32.sub(e.g, s.g), i32.const(l.step - 1)), step), i32.const(0));
    return m.block(null, [
      s.set(this.expr(l.start)),
      e.set(this.expr(l.end)),
      chunk.set(i32.mul(i32.div_u(i32.add(count, i32.sub(this.nthreads.g, i32.const(1))), this.nthreads.g), i32.const(l.step))),
      lo.set(i32.add(s.g, i32.mul(this.tid.g, chunk.g))),
      hi.set(i32.add(lo.g, chunk.g)),
      hi.set(m.select(i32.lt_s(hi.g, e.g), hi.g, e.g)),
      this.serial(l, lo, hi),
    ], binaryen.none);
  }

  // ---- expressions ----

  /** The value of a scalar integer expression when loop unrolling made it constant. */
  private fold(e: Expr): number | undefined {
    return foldIndex(e, this.consts);
  }

  private address(buf: number, index: Expr): Addr {
    const p = this.k.params[buf];
    if (!p) this.fail(`no buffer parameter ${buf}`);
    return this.addressOf(`p${buf}`, undefined, this.layout.addresses[buf], index, log2Bytes(p.dtype));
  }

  /**
   * The byte address base + baseOffset + (index << shift), where `base` (a buffer or the
   * thread's frame) is a non-negative address that no loop changes. The index is split
   * into its added terms (s32 addition wraps, and << distributes over it):
   *  - terms invariant in the innermost serial loop join the base in a local set once
   *    before that loop (they read no memory and cannot trap, so evaluating them early,
   *    or when the loop runs zero times, changes nothing);
   *  - the constant terms become the memarg offset when it is in 0..2^32 and every other
   *    term is provably ≥ 0: then ptr = the address minus the offset is a non-negative
   *    number below the address, so wasm's unwrapped ptr + offset equals the wrapped
   *    i32.add for every address inside memory (< 4 GiB), and an address outside it
   *    traps either way. Otherwise the constant stays in an i32.add.
   */
  private addressOf(baseKey: string, base: (() => X) | undefined, baseOffset: number, index: Expr, shift: number): Addr {
    const m = this.m;
    const scope = this.loops[this.loops.length - 1];
    const invariant = (t: Expr): boolean => scope !== undefined && pureIndex(t) && isInvariant(t, scope.defined);
    // A loop-invariant index variable is replaced by its let expression, so that
    // variables differing by a constant share one hoisted base.
    const expand = (e: Expr): Expr | undefined => {
      if (e.k !== 'var' || e.type.scalar !== 's32' || !invariant(e)) return undefined;
      const d = this.lets.valueOf(e.name);
      return d && invariant(d) ? d : undefined;
    };
    const { terms, constant: c } = linearIndex(index, (e) => this.fold(e), expand);
    const Cbig = BigInt(baseOffset) + (c << BigInt(shift));
    const inOffset = Cbig >= 0n && Cbig < 2n ** 32n
      && terms.every((t) => t.k > 0 && isNonNegative(t.e, this.nonNeg, this.consts));
    const scaled = (t: { e: Expr; k: number }): X => {
      const x = this.expr(t.e);
      const f = t.k * 2 ** shift;
      if (f === 1) return x;
      const log = Math.log2(Math.abs(f));
      if (f > 0 && Number.isInteger(log)) return m.i32.shl(x, m.i32.const(log));
      return m.i32.mul(x, m.i32.const(Number(BigInt.asIntN(32, BigInt(f)))));
    };
    const sum = (xs: X[]): X => (xs.length === 0 ? m.i32.const(0) : xs.reduce((acc, x) => m.i32.add(acc, x)));
    const inv = terms.filter((t) => invariant(t.e)), rest = terms.filter((t) => !invariant(t.e));
    const C = Number(Cbig), Cw = Number(BigInt.asIntN(32, Cbig));
    const parts: X[] = [];
    if (inv.length > 0) {
      const key = `${baseKey}<<${shift}+${inOffset ? 0 : Cw}:${inv.map((t) => `${t.k}*${this.key(t.e)}`).sort().join('|')}`;
      let h = scope.hoisted.get(key);
      if (!h) {
        h = this.fn.local(binaryen.i32);
        const xs = [...(base ? [base()] : []), ...inv.map(scaled)];
        if (!inOffset && Cw !== 0) xs.push(m.i32.const(Cw));
        scope.pre.push(h.set(sum(xs)));
        scope.hoisted.set(key, h);
      }
      parts.push(h.g);
    } else {
      if (base) parts.push(base());
      if (!inOffset && Cw !== 0) parts.push(m.i32.const(Cw));
    }
    // An address whose only varying term is this loop's variable (times k) becomes an
    // induction pointer: set before the loop from the counter's start, stepped at the
    // end of each iteration (wrapping like the i32 arithmetic it replaces).
    if (scope && scope.ivOk && rest.length === 1 && rest[0].e.k === 'var' && rest[0].e.name === scope.var) {
      const key = `iv:${baseKey}<<${shift}+${inOffset ? 0 : Cw}:${inv.map((t) => `${t.k}*${this.key(t.e)}`).sort().join('|')}:${rest[0].k}`;
      let iv = scope.hoisted.get(key);
      if (!iv) {
        iv = this.fn.local(binaryen.i32);
        const f = BigInt(rest[0].k) << BigInt(shift);
        const mulConst = (x: X, v: bigint): X => (v === 1n ? x : m.i32.mul(x, m.i32.const(Number(BigInt.asIntN(32, v)))));
        const start = mulConst(scope.counter.g, f);
        scope.pre.push(iv.set(parts.length === 0 ? start : m.i32.add(sum(parts), start)));
        scope.next.push(iv.set(m.i32.add(iv.g, m.i32.const(Number(BigInt.asIntN(32, f * BigInt(scope.step)))))));
        scope.hoisted.set(key, iv);
      }
      return { ptr: iv.g, offset: inOffset ? C : 0 };
    }
    parts.push(...rest.map(scaled));
    return { ptr: sum(parts), offset: inOffset ? C : 0 };
  }

  private redefine(names: Iterable<string>): void {
    this.lets.redefine(names);
  }

  /** splat(load) of a 32-bit element that needs no conversion, as one v128.load32_splat. */
  private splatLoad(a: Expr): X | undefined {
    if (a.type.lanes !== 1 || a.type.scalar === 'pred') return undefined;
    if (a.k === 'load') {
      const p = this.k.params[a.buf];
      if (!p || computeTypeOf(p.dtype) !== a.type.scalar || (p.dtype !== 'f32' && p.dtype !== 's32' && p.dtype !== 'u32')) return undefined;
      const { ptr, offset } = this.address(a.buf, a.index);
      return loadSplat(this.ops, p.dtype, ptr, offset);
    }
    if (a.k === 'local') {
      const arr = this.plan.arrays.get(a.array);
      if (!arr || this.registers.has(a.array) || (arr.scalar === 'f32') !== (a.type.scalar === 'f32')) return undefined;
      const { ptr, offset } = this.arrayAddress(arr, a.index);
      return this.m.v128.load32_splat(offset, 4, ptr);
    }
    return undefined;
  }

  /** A key for an expression's value at this point of emission (unrolled loop variables by value). */
  private key(e: Expr): string {
    return JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}n`
      : v && typeof v === 'object' && v.k === 'var' && this.consts.has(v.name) ? { c: this.consts.get(v.name) } : v));
  }

  private expr(e: Expr): X {
    const m = this.m, ops = this.ops;
    const t = e.type;
    if (e.k !== 'const' && e.k !== 'load' && e.k !== 'local') {
      const c = this.fold(e);
      if (c !== undefined) return ops.constant(t, c);
    }
    switch (e.k) {
      case 'const': return ops.constant(t, e.value);
      case 'var': return this.local(e.name, t, false).g;
      case 'load': {
        const p = this.k.params[e.buf];
        if (!p) this.fail(`no buffer parameter ${e.buf}`);
        const { ptr, offset } = this.address(e.buf, e.index);
        const from = computeTypeOf(p.dtype);
        const v = t.lanes === 1 ? loadScalar(ops, p.dtype, ptr, offset) : loadVector(ops, p.dtype, ptr, offset);
        return ops.convert(from, t.scalar, t.lanes, v);
      }
      case 'local': {
        const a = this.plan.arrays.get(e.array);
        if (!a) this.fail(`array '${e.array}' used before it is declared`);
        const regs = this.registers.get(e.array);
        if (regs) return this.register(regs, e.array, e.index).g;
        const { ptr, offset } = this.arrayAddress(a, e.index);
        if (t.lanes === 4) return m.v128.load(offset, 4, ptr);
        return arrayLoad(m, a.scalar, offset, ptr);
      }
      case 'unary': return ops.unary(e.op, e.a.type, this.expr(e.a), this.temp);
      case 'binary': {
        const b = e.b;
        const shift = e.op.startsWith('shift') && t.lanes === 4;
        // Vector shifts take one count: pass it as a scalar when every lane has the same.
        const bScalar = !shift ? undefined : b.k === 'splat' ? () => this.expr(b.a)
          : b.k === 'const' ? () => ops.constant({ scalar: b.type.scalar, lanes: 1 }, b.value) : undefined;
        const a = this.expr(e.a);
        return ops.binary(e.op, t, a, bScalar ? m.nop() : this.expr(b), bScalar, this.temp);
      }
      case 'muladd': {
        const a = this.expr(e.a), b = this.expr(e.b), c = this.expr(e.c);
        return this.layout.relaxedSimd && t.lanes === 4 && t.scalar === 'f32' ? ops.relaxedMadd(a, b, c)
          : ops.binary('add', t, ops.binary('multiply', t, a, b), c);
      }
      case 'compare': return ops.compare(e.dir, e.a.type, this.expr(e.a), this.expr(e.b));
      case 'select': {
        const a = this.expr(e.a), b = this.expr(e.b), c = this.expr(e.cond);
        if (e.cond.type.lanes === 4) return m.v128.bitselect(a, b, c);
        // Only the chosen operand is evaluated, as in the reference: the other may index out of bounds.
        return readsMemory(e.a) || readsMemory(e.b) ? m.if(c, a, b) : m.select(c, a, b);
      }
      case 'convert': return ops.convert(e.a.type.scalar, t.scalar, t.lanes, this.expr(e.a));
      case 'bitcast': return ops.bitcast(e.a.type.scalar, t.scalar, t.lanes, this.expr(e.a));
      case 'round': return ops.round(e.to, t.lanes, this.expr(e.a));
      case 'splat': return this.splatLoad(e.a) ?? ops.splat(e.a.type.scalar, this.expr(e.a));
      case 'vector': {
        const shuffled = this.shuffle(e.lanes);
        if (shuffled) return shuffled;
        let v = ops.splat(t.scalar, this.expr(e.lanes[0]));
        for (let l = 1; l < 4; l++) v = ops.replace(t.scalar, v, l, this.expr(e.lanes[l]));
        return v;
      }
      case 'extract': return ops.extract(t.scalar, this.expr(e.a), e.lane);
      // Grid kernels are refused before emission (planKernel); a stray id is a lowering bug.
      case 'gpuId': return this.fail(`${e.id} invocation id outside a grid kernel`);
      default: return unreachable(e);
    }
  }

  /**
   * Lanes that are all 32-bit lanes of at most two vectors (a strided convolution's input,
   * gathered from two loads) as one i8x16.shuffle instead of four extracts and replaces.
   */
  private shuffle(lanes: readonly Expr[]): X | undefined {
    if (!lanes.every((l) => l.k === 'extract' && l.a.type.lanes === 4 && l.a.type.scalar !== 'f64' && !isWide(l.a.type.scalar))) return undefined;
    const sources: Expr[] = [];
    const keys: string[] = [];
    const picks = (lanes as Extract<Expr, { k: 'extract' }>[]).map((l) => {
      const key = printExpr(l.a);
      let i = keys.indexOf(key);
      if (i < 0) { i = keys.length; keys.push(key); sources.push(l.a); }
      return 4 * i + l.lane;
    });
    if (sources.length > 2) return undefined;
    const a = this.expr(sources[0]), b = sources.length === 2 ? this.expr(sources[1]) : a;
    return this.m.i8x16.shuffle(a, b, picks.flatMap((p) => [4 * p, 4 * p + 1, 4 * p + 2, 4 * p + 3]));
  }
}

function arrayLoad(m: binaryen.Module, s: ScalarType, offset: number, ptr: X): X {
  const n = arrayBytes(s);
  return s === 'f32' ? m.f32.load(offset, n, ptr) : s === 'f64' ? m.f64.load(offset, n, ptr) : isWide(s) ? m.i64.load(offset, n, ptr) : m.i32.load(offset, n, ptr);
}

function arrayStore(m: binaryen.Module, s: ScalarType, offset: number, ptr: X, value: X): X {
  const n = arrayBytes(s);
  return s === 'f32' ? m.f32.store(offset, n, ptr, value) : s === 'f64' ? m.f64.store(offset, n, ptr, value)
    : isWide(s) ? m.i64.store(offset, n, ptr, value) : m.i32.store(offset, n, ptr, value);
}

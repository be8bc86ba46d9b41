// A reference executor for kernel IR. It gives each construct its meaning (operators
// are the HLO interpreter's own scalar kernels, so a kernel means what the HLO it came
// from means), checks every access against its buffer's bounds, and lets lowering be
// tested without any target. Kernels are compiled to JavaScript closures once, then run.
import { binaryKernel, compareKernel, unaryKernel } from '../scalar/ops.js';
import { convertValue } from '../scalar/convert.js';
import { readElement, writeElement } from '../scalar/elements.js';
import { finisher, rounder, type Scalar } from '../scalar/value.js';
import { byteSize } from '../dtype.js';
import {
  branchIndex, isWideInt, unreachable, type Expr, type Kernel, type KernelParam, type Launch, type Program, type ProgramBuffer, type ScalarType, type Step, type Stmt,
} from './kernel.js';

/** A scalar is a number, or a bigint for s64/u64 (as in the HLO interpreter); vectors are arrays. */
type Value = Scalar | Scalar[];
/** Variables live in slots resolved at compile time. */
type Env = Value[];
type Fn = (env: Env) => Value;
type Run = (env: Env) => void;

export class KernelOutOfBounds extends Error {
  override name = 'KernelOutOfBounds';
}

interface BoundParam {
  readonly param: KernelParam;
  readonly view: DataView;
  readonly base: number;
  readonly elementBytes: number;
}

/** Memory for a program: one byte array per region. */
export interface ProgramMemory {
  readonly constants: Uint8Array;
  readonly arena: Uint8Array;
}

export function allocateMemory(p: Program): ProgramMemory {
  const constants = new Uint8Array(p.constantsBytes);
  for (const b of p.buffers) if (b.region === 'constants' && b.data) constants.set(b.data, b.offset);
  return { constants, arena: new Uint8Array(p.arenaBytes) };
}

/** Runs the program's steps in order over `mem`. */
export function runProgram(p: Program, mem: ProgramMemory): void {
  const compiled = p.kernels.map(compileKernel);
  const regionOf = (id: number): { b: ProgramBuffer; bytes: Uint8Array } => {
    const b = p.buffers[id];
    if (!b) throw new KernelOutOfBounds(`${p.name}: no buffer ${id}`);
    return { b, bytes: b.region === 'constants' ? mem.constants : mem.arena };
  };
  /** The scalar a control step reads (a pred or an s32 at the buffer's start). */
  const scalarAt = (id: number, dtype: 'pred' | 's32'): number => {
    const { b, bytes } = regionOf(id);
    if (b.dtype !== dtype || b.bytes < byteSize(dtype)) throw new Error(`${p.name}: control flow reads buffer ${b.name} (${b.dtype}, ${b.bytes} B) as a ${dtype} scalar`);
    return Number(readElement(new DataView(bytes.buffer, bytes.byteOffset), b.offset, dtype));
  };
  const launch = (l: Launch): void => {
    const kernel = p.kernels[l.kernel];
    const params = kernel.params.map((param, i): BoundParam => {
      const { b, bytes } = regionOf(l.args[i]);
      if (param.size * byteSize(param.dtype) > b.bytes)
        throw new KernelOutOfBounds(`${kernel.name}: parameter ${param.name} (${param.size} × ${param.dtype}) is larger than buffer ${b.name} (${b.bytes} bytes)`);
      return { param, view: new DataView(bytes.buffer, bytes.byteOffset), base: b.offset, elementBytes: byteSize(param.dtype) };
    });
    compiled[l.kernel](params);
  };
  const run = (steps: readonly Step[]): void => {
    for (const s of steps) {
      switch (s.k) {
        case 'launch': launch(s); break;
        case 'while':
          for (run(s.cond); scalarAt(s.pred, 'pred'); run(s.cond)) run(s.body);
          break;
        case 'switch':
          run(s.branches[branchIndex(s.indexType, scalarAt(s.index, s.indexType), s.branches.length)]);
          break;
        default: unreachable(s);
      }
    }
  };
  run(p.steps);
}

/** Compiles a kernel to a closure over bound parameters. */
export function compileKernel(kernel: Kernel): (params: BoundParam[]) => void {
  const slots = new Map<string, number>();
  const arrays = new Map<string, number>();
  let current: BoundParam[] = [];
  const slotOf = (name: string, define: boolean): number => {
    let s = slots.get(name);
    if (s === undefined) {
      if (!define) throw new Error(`${kernel.name}: variable '${name}' used before it is defined`);
      s = slots.size + arrays.size;
      slots.set(name, s);
    }
    return s;
  };

  const access = (buf: number, i: number, lanes: number): BoundParam => {
    const p = current[buf];
    if (!p) throw new KernelOutOfBounds(`${kernel.name}: no buffer parameter ${buf}`);
    if (!(i >= 0 && i + lanes <= p.param.size))
      throw new KernelOutOfBounds(`${kernel.name}: ${p.param.name}[${i}${lanes > 1 ? `..${i + lanes - 1}` : ''}] is outside 0..${p.param.size - 1}`);
    return p;
  };

  const expr = (e: Expr): Fn => {
    const lanes = e.type.lanes;
    const lanewise1 = (f: (x: Scalar) => Scalar, a: Fn): Fn =>
      lanes === 1 ? (env) => f(a(env) as Scalar) : (env) => (a(env) as Scalar[]).map(f);
    const lanewise2 = (f: (x: Scalar, y: Scalar) => Scalar, a: Fn, b: Fn): Fn =>
      lanes === 1
        ? (env) => f(a(env) as Scalar, b(env) as Scalar)
        : (env) => { const x = a(env) as Scalar[], y = b(env) as Scalar[]; return x.map((v, i) => f(v, y[i])); };
    switch (e.k) {
      case 'const': {
        const v = finish(e.type.scalar)(e.value);
        return lanes === 1 ? () => v : () => [v, v, v, v];
      }
      case 'var': { const s = slotOf(e.name, false); return (env) => env[s]; }
      case 'load': {
        const idx = expr(e.index);
        const scalar = e.type.scalar;
        return (env) => {
          const i = idx(env) as number;
          const p = access(e.buf, i, lanes);
          const read = (j: number): Scalar => convertValue(readElement(p.view, p.base + j * p.elementBytes, p.param.dtype), p.param.dtype, scalar);
          return lanes === 1 ? read(i) : [read(i), read(i + 1), read(i + 2), read(i + 3)];
        };
      }
      case 'local': {
        const s = arrays.get(e.array);
        if (s === undefined) throw new Error(`${kernel.name}: array '${e.array}' used before it is declared`);
        const idx = expr(e.index);
        return (env) => {
          const a = env[s] as Scalar[], i = idx(env) as number;
          if (!(i >= 0 && i + lanes <= a.length)) throw new KernelOutOfBounds(`${kernel.name}: ${e.array}[${i}] is outside 0..${a.length - 1}`);
          return lanes === 1 ? a[i] : a.slice(i, i + lanes);
        };
      }
      case 'unary': {
        const k = unaryKernel(e.op, e.a.type.scalar);
        if (!k) throw new Error(`${kernel.name}: '${e.op}' is not defined on ${e.a.type.scalar}`);
        const fin = finish(e.type.scalar);
        return lanewise1((x) => fin(k(x)), expr(e.a));
      }
      case 'binary': {
        const k = binaryKernel(e.op, e.type.scalar);
        if (!k) throw new Error(`${kernel.name}: '${e.op}' is not defined on ${e.type.scalar}`);
        const fin = finish(e.type.scalar);
        return lanewise2((x, y) => fin(k(x, y)), expr(e.a), expr(e.b));
      }
      case 'muladd': {
        // Rounded twice, as a target without fma computes it; a fused target differs by
        // less than the accumulation's own rounding, which comparisons already allow.
        const mul = binaryKernel('multiply', e.type.scalar)!, add = binaryKernel('add', e.type.scalar)!;
        const fin = finish(e.type.scalar);
        const product = lanewise2((x, y) => fin(mul(x, y)), expr(e.a), expr(e.b));
        return lanewise2((p, z) => fin(add(p, z)), product, expr(e.c));
      }
      case 'compare': {
        const k = compareKernel(e.dir, undefined, e.a.type.scalar)!;
        return lanewise2((x, y) => k(x, y), expr(e.a), expr(e.b));
      }
      case 'select': {
        const c = expr(e.cond), a = expr(e.a), b = expr(e.b);
        if (lanes === 1) return (env) => (c(env) ? a(env) : b(env));
        const cv = e.cond.type.lanes === 1;
        return (env) => {
          const cc = c(env), x = a(env) as Scalar[], y = b(env) as Scalar[];
          return x.map((v, i) => ((cv ? (cc as number) : (cc as number[])[i]) ? v : y[i]));
        };
      }
      case 'convert': {
        const from = e.a.type.scalar, to = e.type.scalar;
        return lanewise1((x) => convertValue(x, from, to), expr(e.a));
      }
      case 'bitcast': {
        const from = e.a.type.scalar, to = e.type.scalar;
        const dv = new DataView(new ArrayBuffer(8));
        return lanewise1((x) => { writeElement(dv, 0, from, x); return readElement(dv, 0, to); }, expr(e.a));
      }
      case 'round': {
        const r = rounder(e.to);
        return lanewise1((x) => r(x as number), expr(e.a));
      }
      case 'splat': { const a = expr(e.a); return (env) => { const v = a(env) as Scalar; return [v, v, v, v]; }; }
      case 'vector': { const ls = e.lanes.map(expr); return (env) => ls.map((l) => l(env) as Scalar); }
      case 'extract': { const a = expr(e.a); return (env) => (a(env) as Scalar[])[e.lane]; }
    }
  };

  const block = (stmts: readonly Stmt[]): Run => {
    const runs = stmts.map(stmt);
    return (env) => { for (const r of runs) r(env); };
  };

  const stmt = (s: Stmt): Run => {
    switch (s.k) {
      case 'let': { const v = expr(s.value); const slot = slotOf(s.name, true); return (env) => { env[slot] = v(env); }; }
      case 'assign': { const v = expr(s.value); const slot = slotOf(s.name, false); return (env) => { env[slot] = v(env); }; }
      case 'store': {
        const idx = expr(s.index), v = expr(s.value);
        const lanes = s.value.type.lanes, scalar = s.value.type.scalar;
        return (env) => {
          const i = idx(env) as number, x = v(env);
          const p = access(s.buf, i, lanes);
          if (p.param.access === 'read') throw new Error(`${kernel.name}: store into read-only ${p.param.name}`);
          const write = (j: number, val: Scalar): void =>
            writeElement(p.view, p.base + j * p.elementBytes, p.param.dtype, convertValue(val, scalar, p.param.dtype));
          if (lanes === 1) write(i, x as Scalar);
          else (x as Scalar[]).forEach((val, l) => write(i + l, val));
        };
      }
      case 'array': {
        const slot = slots.size + arrays.size;
        arrays.set(s.name, slot);
        const zero: Scalar = isWideInt(s.type) ? 0n : 0;
        return (env) => { env[slot] = new Array<Scalar>(s.size).fill(zero); };
      }
      case 'localStore': {
        const s0 = arrays.get(s.array);
        if (s0 === undefined) throw new Error(`${kernel.name}: array '${s.array}' used before it is declared`);
        const idx = expr(s.index), v = expr(s.value);
        const lanes = s.value.type.lanes;
        return (env) => {
          const a = env[s0] as Scalar[], i = idx(env) as number;
          if (!(i >= 0 && i + lanes <= a.length)) throw new KernelOutOfBounds(`${kernel.name}: ${s.array}[${i}] is outside 0..${a.length - 1}`);
          const x = v(env);
          if (lanes === 1) a[i] = x as Scalar;
          else (x as Scalar[]).forEach((val, l) => { a[i + l] = val; });
        };
      }
      case 'loop': {
        const l = s.loop;
        const start = expr(l.start), end = expr(l.end);
        const slot = slotOf(l.var, true);
        const body = block(l.body);
        return (env) => {
          const e = end(env) as number;
          for (let i = start(env) as number; i < e; i += l.step) { env[slot] = i; body(env); }
        };
      }
      case 'if': {
        const c = expr(s.cond), t = block(s.then), f = block(s.else);
        return (env) => (c(env) ? t(env) : f(env));
      }
      case 'barrier': return () => {};
    }
  };

  const body = block(kernel.body);
  return (params) => {
    current = params;
    body([]);
  };
}

/** A computed value as its type holds it: f32 rounded, integers wrapped, pred 0/1. */
function finish(t: ScalarType): (x: Scalar) => Scalar {
  if (t === 'pred') return (x) => (x ? 1 : 0);
  return finisher(t);
}

// Internal wasm helper functions, added to the module the first time a kernel needs one.
// Anything that uses an operand more than once (guarded integer division, f16 rounding,
// the transcendentals) is a helper with parameters, so the kernel emitter only ever
// builds trees whose operands are used once; binaryen inlines the small ones.
import binaryen from 'binaryen';
import type { CompareDir } from '../../ir/kernel/kernel.js';

export type M = binaryen.Module;
export type X = binaryen.ExpressionRef;
export type T = binaryen.Type;

/** Locals of one function being built: parameters first, then vars. */
export class Fn {
  readonly vars: T[] = [];
  constructor(readonly m: M, readonly params: readonly T[]) {}
  /** local.get of parameter i (a fresh node on every call: binaryen IR is a tree). */
  p(i: number): X {
    return this.m.local.get(i, this.params[i]);
  }
  local(type: T): Local {
    this.vars.push(type);
    return new Local(this.m, this.params.length + this.vars.length - 1, type);
  }
}

export class Local {
  constructor(private readonly m: M, readonly index: number, readonly type: T) {}
  get g(): X {
    return this.m.local.get(this.index, this.type);
  }
  set(x: X): X {
    return this.m.local.set(this.index, x);
  }
  tee(x: X): X {
    return this.m.local.tee(this.index, x, this.type);
  }
}

export class Lib {
  private readonly made = new Set<string>();
  constructor(readonly m: M) {}

  /** A call to helper `name`, building it with `build` the first time it is asked for. */
  call(name: string, params: readonly T[], result: T, args: readonly X[], build: (f: Fn) => X): X {
    this.define(name, params, result, build);
    return this.m.call(name, args, result);
  }

  define(name: string, params: readonly T[], result: T, build: (f: Fn) => X): void {
    if (this.made.has(name)) return;
    this.made.add(name);
    const f = new Fn(this.m, params);
    const body = build(f);
    this.m.addFunction(name, binaryen.createType([...params]), result, f.vars, body);
  }
}

type Cmp = (a: X, b: X) => X;
type Ordered = 'lt' | 'le' | 'gt' | 'ge';
/** A binaryen op group's comparisons (m.f32, m.i64, m.i32x4, ...): floats name them plainly, ints by signedness. */
type Compares = { eq: Cmp; ne: Cmp } & ({ [N in Ordered]: Cmp } | { [N in `${Ordered}_${'s' | 'u'}`]: Cmp });

/** Each compare direction's instruction name; the ordered ones take a signedness suffix on integers. */
const COMPARE_NAMES: { readonly [D in CompareDir]: { readonly name: 'eq' | 'ne' | Ordered; readonly ordered: boolean } } = {
  EQ: { name: 'eq', ordered: false }, NE: { name: 'ne', ordered: false },
  LT: { name: 'lt', ordered: true }, LE: { name: 'le', ordered: true },
  GT: { name: 'gt', ordered: true }, GE: { name: 'ge', ordered: true },
};

/**
 * a <dir> b with `group`'s instruction: `sign` picks the signed or unsigned form of an
 * integer group's ordered comparisons (float groups have only one).
 */
export function compareIn(group: Compares, dir: CompareDir, sign: 's' | 'u', a: X, b: X): X {
  const ops = group as unknown as Record<string, Cmp>;
  const { name, ordered } = COMPARE_NAMES[dir];
  return (ordered && !(name in ops) ? ops[`${name}_${sign}`] : ops[name])(a, b);
}

/** 16 bytes of a v128 constant with four 32-bit lanes. */
export function bytes32(lanes: readonly number[], float: boolean): number[] {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  lanes.forEach((v, i) => (float ? dv.setFloat32(i * 4, v, true) : dv.setInt32(i * 4, v | 0, true)));
  return Array.from(b);
}

export function bytes64(lanes: readonly number[] | readonly bigint[], float: boolean): number[] {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  lanes.forEach((v: number | bigint, i: number) =>
    float ? dv.setFloat64(i * 8, Number(v), true) : dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v)), true));
  return Array.from(b);
}

/** The value of an i32.const expression, or undefined for anything else. */
export function constantI32(x: X): number | undefined {
  if (binaryen.getExpressionId(x) !== binaryen.ConstId || binaryen.getExpressionType(x) !== binaryen.i32) return undefined;
  return (binaryen.getExpressionInfo(x) as binaryen.ConstInfo).value as number;
}

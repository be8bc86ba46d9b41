// One builder for the transcendentals' code: each operation written once over a float
// width (f32 or f64) and a lane count (a scalar, or a v128 of four f32 or two f64), so a
// function body reads the same in every form. math.ts emits its f64 / f64x2 helpers with
// it, math64.ts and trig64.ts their scalar f64 ones, math_f32.ts its fast f32 / f32x4 code.
import binaryen from 'binaryen';
import { bytes32, bytes64, Local, type Lib, type T, type X } from './lib.js';

/** Where the code goes: a helper function of its own, or in place in a kernel. */
export interface Site {
  readonly lib: Lib;
  /** A fresh local of the function the code is emitted into. */
  readonly local: (type: T) => Local;
  /** In place: the functions it uses go in place too, rather than as calls. */
  readonly inline: boolean;
}

/** A site that is a helper function `f` of its own. */
export const helperSite = (lib: Lib, f: { local(type: T): Local }): Site => ({ lib, local: (type) => f.local(type), inline: false });

export class Num {
  readonly stmts: X[] = [];
  constructor(readonly site: Site, readonly width: 32 | 64, readonly vec: boolean) {}
  get lib(): Lib { return this.site.lib; }
  get m(): binaryen.Module { return this.site.lib.m; }
  /** The type of a float value, of its integer view, and of a comparison's mask. */
  get ft(): T { return this.vec ? binaryen.v128 : this.width === 32 ? binaryen.f32 : binaryen.f64; }
  get it(): T { return this.vec ? binaryen.v128 : this.width === 32 ? binaryen.i32 : binaryen.i64; }
  get mt(): T { return this.vec ? binaryen.v128 : binaryen.i32; }

  // binaryen's op groups for this width: scalar float, vector float, scalar int, vector int.
  private get F() { return this.width === 32 ? this.m.f32 : this.m.f64; }
  private get FV() { return this.width === 32 ? this.m.f32x4 : this.m.f64x2; }
  private get I() { return this.width === 32 ? this.m.i32 : this.m.i64; }
  private get IV() { return this.width === 32 ? this.m.i32x4 : this.m.i64x2; }

  /** A float constant in every lane. */
  c(x: number): X {
    if (!this.vec) return this.F.const(x);
    return this.m.v128.const(this.width === 32 ? bytes32([x, x, x, x], true) : bytes64([x, x], true));
  }
  /** An integer constant (the same width as the floats) in every lane. */
  ci(x: number | bigint): X {
    if (this.width === 32) return this.vec ? this.m.v128.const(bytes32([Number(x), Number(x), Number(x), Number(x)], false)) : this.m.i32.const(Number(x));
    return this.vec ? this.m.v128.const(bytes64([BigInt(x), BigInt(x)], false)) : this.m.i64.const(BigInt(x));
  }

  let(x: X, type: T = this.ft): Local {
    const l = this.site.local(type);
    this.stmts.push(l.set(x));
    return l;
  }
  letm(x: X): Local { return this.let(x, this.mt); }
  leti(x: X): Local { return this.let(x, this.it); }
  done(result: X): X { return this.m.block(null, [...this.stmts, result], this.ft); }

  private fb(op: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'eq' | 'ne' | 'lt' | 'gt' | 'ge') {
    return (a: X, b: X): X => (this.vec ? this.FV[op](a, b) : this.F[op](a, b));
  }
  private fu(op: 'sqrt' | 'abs' | 'neg' | 'floor' | 'nearest') {
    return (a: X): X => (this.vec ? this.FV[op](a) : this.F[op](a));
  }

  add = this.fb('add');
  sub = this.fb('sub');
  mul = this.fb('mul');
  div = this.fb('div');
  min = this.fb('min');
  max = this.fb('max');
  sqrt = this.fu('sqrt');
  abs = this.fu('abs');
  neg = this.fu('neg');
  floor = this.fu('floor');
  nearest = this.fu('nearest');
  eq = this.fb('eq');
  ne = this.fb('ne');
  lt = this.fb('lt');
  gt = this.fb('gt');
  ge = this.fb('ge');

  /** Masks: i32 0/1 for scalars, all-ones lanes for vectors. */
  and = (a: X, b: X): X => (this.vec ? this.m.v128.and(a, b) : this.m.i32.and(a, b));
  or = (a: X, b: X): X => (this.vec ? this.m.v128.or(a, b) : this.m.i32.or(a, b));
  not = (a: X): X => (this.vec ? this.m.v128.not(a) : this.m.i32.eqz(a));
  sel(mask: X, a: X, b: X): X { return this.vec ? this.m.v128.bitselect(a, b, mask) : this.m.select(mask, a, b); }

  /** The integer view of float lanes, and back (a v128 is both already). */
  bits = (a: X): X => (this.vec ? a : this.I.reinterpret(a));
  float = (a: X): X => (this.vec ? a : this.F.reinterpret(a));
  iand = (a: X, b: X): X => (this.vec ? this.m.v128.and(a, b) : this.I.and(a, b));
  ior = (a: X, b: X): X => (this.vec ? this.m.v128.or(a, b) : this.I.or(a, b));
  iadd = (a: X, b: X): X => (this.vec ? this.IV.add(a, b) : this.I.add(a, b));
  isub = (a: X, b: X): X => (this.vec ? this.IV.sub(a, b) : this.I.sub(a, b));
  /** Shifts by a constant count: a vector's count is an i32, a scalar's is of its own width. */
  shl = (a: X, n: number): X => (this.vec ? this.IV.shl(a, this.m.i32.const(n)) : this.I.shl(a, this.ci(n)));
  shr = (a: X, n: number): X => (this.vec ? this.IV.shr_u(a, this.m.i32.const(n)) : this.I.shr_u(a, this.ci(n)));
  shrs = (a: X, n: number): X => (this.vec ? this.IV.shr_s(a, this.m.i32.const(n)) : this.I.shr_s(a, this.ci(n)));
  /** Sign bit set (−0 and −NaN included). */
  signbit = (a: X): X => (this.vec ? this.IV.lt_s(a, this.ci(0)) : this.I.lt_s(this.I.reinterpret(a), this.ci(0)));

  /** |mag| with the sign bit of `sgn`. */
  copysign(mag: X, sgn: X): X {
    if (!this.vec) return this.F.copysign(mag, sgn);
    const sign = this.width === 32 ? -0x80000000 : -0x8000000000000000n;
    return this.m.v128.or(this.m.v128.andnot(mag, this.ci(sign)), this.m.v128.and(sgn, this.ci(sign)));
  }

  /**
   * `a` clamped below by `lo` and above by `hi` (either may be omitted). NaN stays NaN:
   * wasm's pmin/pmax (one instruction each, unlike min/max) return their first operand
   * when a comparison with NaN fails.
   */
  clamp(a: X, lo?: number, hi?: number): X {
    // Scalars compare and select, which reads `a` twice: through a local, since binaryen
    // IR is a tree and an expression node may not appear twice.
    const twice = (x: X): [X, X] => { const l = this.let(x); return [l.g, l.g]; };
    if (lo !== undefined) {
      if (this.vec) a = this.FV.pmax(a, this.c(lo));
      else { const [u, v] = twice(a); a = this.m.select(this.F.lt(u, this.c(lo)), this.c(lo), v); }
    }
    if (hi !== undefined) {
      if (this.vec) a = this.FV.pmin(a, this.c(hi));
      else { const [u, v] = twice(a); a = this.m.select(this.F.gt(u, this.c(hi)), this.c(hi), v); }
    }
    return a;
  }

  /** Σ coeffs[i] xⁱ by Horner's rule (Estrin's shorter chain measured no faster here, and less accurate). */
  poly(x: Local, coeffs: readonly number[]): X {
    let acc = this.c(coeffs[coeffs.length - 1]);
    for (let i = coeffs.length - 2; i >= 0; i--) acc = this.add(this.mul(acc, x.g), this.c(coeffs[i]));
    return acc;
  }
}

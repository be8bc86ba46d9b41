// dot and convolution.
//
// Accumulation follows the result dtype. f32 (and f16/bf16, which XLA's CPU backend
// computes in f32) accumulates in f32 with every multiply and every add rounded
// (Math.fround after each, an unfused multiply-add), in row-major order over the
// contracting dimensions, and the sum is rounded to the result dtype at the end. f64
// accumulates in doubles; integers wrap modulo 2^32 (2^64 for s64/u64) like hardware.
// Backends that fuse multiply-adds or reassociate differ by rounding, which the golden
// suite's per-dtype tolerances cover.
import { isFloat, type DType } from '../dtype.js';
import type { Literal, Values } from '../literal.js';
import type { InstructionOf } from '../module.js';
import { alloc, arr, fail, otherDims, pack, product, put, resultShape, strides } from './util.js';
import { decode, fullWindow, planWindow } from './window.js';
import { finisher, type Scalar } from '../scalar/value.js';

type Mode = 'f32' | 'f64' | 'int' | 'pred' | 'big';

function modeOf(dt: DType): Mode {
  if (dt === 'f64') return 'f64';
  if (isFloat(dt)) return 'f32';
  if (dt === 'pred') return 'pred';
  if (dt === 's64' || dt === 'u64') return 'big';
  return 'int';
}

type Buf = ArrayLike<Scalar>;

/** acc + Σ_{k<K} A[ao + k·as] · B[bo + k·bs], in the arithmetic of `mode`. */
function mac(mode: Mode, acc: Scalar, A: Buf, ao: number, as: number, B: Buf, bo: number, bs: number, K: number): Scalar {
  switch (mode) {
    case 'f32': {
      const a = A as ArrayLike<number>, b = B as ArrayLike<number>;
      let s = acc as number;
      for (let k = 0; k < K; k++, ao += as, bo += bs) s = Math.fround(s + Math.fround(a[ao] * b[bo]));
      return s;
    }
    case 'f64': {
      const a = A as ArrayLike<number>, b = B as ArrayLike<number>;
      let s = acc as number;
      for (let k = 0; k < K; k++, ao += as, bo += bs) s += a[ao] * b[bo];
      return s;
    }
    case 'int': {
      const a = A as ArrayLike<number>, b = B as ArrayLike<number>;
      let s = acc as number;
      for (let k = 0; k < K; k++, ao += as, bo += bs) s = (s + Math.imul(a[ao], b[bo])) | 0;
      return s;
    }
    case 'pred': {
      let s = acc as number;
      for (let k = 0; k < K; k++, ao += as, bo += bs) s |= (A[ao] ? 1 : 0) & (B[bo] ? 1 : 0);
      return s;
    }
    case 'big': {
      const a = A as ArrayLike<bigint>, b = B as ArrayLike<bigint>;
      let s = acc as bigint;
      for (let k = 0; k < K; k++, ao += as, bo += bs) s += a[ao] * b[bo];
      return s;
    }
  }
}

/** Operand storage in the kind `mode` computes with: bigints for 'big', numbers otherwise. */
function asKind(mode: Mode, v: Values): Buf {
  const wide = !(v instanceof Float64Array);
  if (mode === 'big') return wide ? v : Array.from(v as Float64Array, (x) => BigInt(x));
  return wide ? Float64Array.from(v as BigInt64Array, (x) => Number(x)) : v;
}

const zero = (mode: Mode): Scalar => (mode === 'big' ? 0n : 0);

export function evalDot(instr: InstructionOf<'dot'>, ops: Literal[]): Literal {
  const lhs = arr(instr, ops[0], 'lhs'), rhs = arr(instr, ops[1], 'rhs');
  const out = resultShape(instr);
  const lb = instr.attrs.lhs_batch_dims ?? [], rb = instr.attrs.rhs_batch_dims ?? [];
  const lc = instr.attrs.lhs_contracting_dims ?? [], rc = instr.attrs.rhs_contracting_dims ?? [];
  const Ld = lhs.shape.dims, Rd = rhs.shape.dims;
  if (lb.length !== rb.length || lc.length !== rc.length) fail(instr, 'dot has unmatched batch or contracting dimensions');
  lb.forEach((d, i) => { if (Ld[d] !== Rd[rb[i]]) fail(instr, `batch dimension sizes differ: ${Ld[d]} vs ${Rd[rb[i]]}`); });
  lc.forEach((d, i) => { if (Ld[d] !== Rd[rc[i]]) fail(instr, `contracting dimension sizes differ: ${Ld[d]} vs ${Rd[rc[i]]}`); });
  const lf = otherDims(Ld.length, [...lb, ...lc]), rf = otherDims(Rd.length, [...rb, ...rc]);
  const B = product(lb.map((d) => Ld[d])), K = product(lc.map((d) => Ld[d]));
  const M = product(lf.map((d) => Ld[d])), N = product(rf.map((d) => Rd[d]));
  if (B * M * N !== product(out.dims)) fail(instr, `dot result has ${product(out.dims)} elements, expected ${B * M * N}`);
  const mode = modeOf(out.dtype);
  // Packed as [batch, free, contracting] so each output element reads two contiguous runs.
  const L = asKind(mode, pack(lhs, [...lb, ...lf, ...lc]));
  const R = asKind(mode, pack(rhs, [...rb, ...rf, ...rc]));
  const data = alloc(out.dtype, B * M * N);
  const fin = finisher(out.dtype), z = zero(mode);
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) put(data, o++, fin(mac(mode, z, L, (b * M + m) * K, 1, R, (b * N + n) * K, 1, K)));
  return { shape: out, data };
}

export function evalConvolution(instr: InstructionOf<'convolution'>, ops: Literal[]): Literal {
  const lhs = arr(instr, ops[0], 'input'), rhs = arr(instr, ops[1], 'kernel');
  const out = resultShape(instr);
  const dl = instr.attrs.dim_labels;
  const fgc = instr.attrs.feature_group_count ?? 1, bgc = instr.attrs.batch_group_count ?? 1;
  const Ld = lhs.shape.dims, Kd = rhs.shape.dims, Od = out.dims;
  const nsp = dl.inputSpatial.length;
  const winSp = dl.kernelSpatial.map((d) => Kd[d]);
  const win = fullWindow(instr.attrs.window, nsp, (i) => winSp[i]);
  const ls = strides(Ld), ks = strides(Kd), os = strides(Od);
  const N = Ld[dl.inputBatch], C = Ld[dl.inputFeature];
  const O = Kd[dl.kernelOutput], Cg = Kd[dl.kernelInput], outB = Od[dl.outputBatch];
  if (C !== Cg * fgc) fail(instr, `input features ${C} != kernel input features ${Cg} × feature_group_count ${fgc}`);
  if (O % fgc !== 0 || O % bgc !== 0) fail(instr, `output features ${O} not divisible by the group counts`);
  if (N !== outB * bgc) fail(instr, `input batch ${N} != output batch ${outB} × batch_group_count ${bgc}`);
  if (Od[dl.outputFeature] !== O) fail(instr, `output features ${Od[dl.outputFeature]} != kernel output features ${O}`);
  win.forEach((w, i) => { if (w.size !== winSp[i]) fail(instr, `window size ${w.size} != kernel spatial size ${winSp[i]}`); });

  const outSp = dl.outputSpatial.map((d) => Od[d]);
  const plan = planWindow(win, outSp, dl.inputSpatial.map((d) => Ld[d]), dl.inputSpatial.map((d) => ls[d]));
  // Kernel offset for each window position, honouring window reversal.
  const kOff = new Int32Array(plan.count);
  for (let q = 0; q < plan.count; q++) {
    let off = 0;
    for (let i = 0; i < nsp; i++) {
      const k = plan.pos[q * nsp + i];
      off += (win[i].reversal ? winSp[i] - 1 - k : k) * ks[dl.kernelSpatial[i]];
    }
    kOff[q] = off;
  }

  const mode = modeOf(out.dtype);
  const L = asKind(mode, lhs.data), Kr = asKind(mode, rhs.data);
  const data = alloc(out.dtype, product(Od));
  const fin = finisher(out.dtype), z = zero(mode);
  const P = product(outSp), opos = new Int32Array(nsp);
  const lfs = ls[dl.inputFeature], kis = ks[dl.kernelInput];
  const oPerFg = O / fgc, oPerBg = O / bgc, nPerBg = N / bgc;
  for (let ob = 0; ob < outB; ob++) {
    for (let of = 0; of < O; of++) {
      const fg = Math.floor(of / oPerFg), bg = Math.floor(of / oPerBg);
      const lBase = (ob + bg * nPerBg) * ls[dl.inputBatch] + fg * Cg * lfs;
      const kBase = of * ks[dl.kernelOutput];
      for (let p = 0; p < P; p++) {
        decode(p, outSp, opos);
        let outOff = ob * os[dl.outputBatch] + of * os[dl.outputFeature];
        for (let i = 0; i < nsp; i++) outOff += opos[i] * os[dl.outputSpatial[i]];
        let acc = z;
        for (let q = 0; q < plan.count; q++) {
          let lOff = lBase, ok = true;
          for (let i = 0; i < nsp; i++) {
            const t = plan.tables[i][opos[i] * winSp[i] + plan.pos[q * nsp + i]];
            if (t < 0) { ok = false; break; }
            lOff += t;
          }
          if (ok) acc = mac(mode, acc, L, lOff, lfs, Kr, kBase + kOff[q], kis, Cg);
        }
        put(data, outOff, fin(acc));
      }
    }
  }
  return { shape: out, data };
}

// The kernel IR: one small, target-neutral imperative language that lowering writes
// once and every target (wasm, WGSL, CUDA C) only renders. docs/kernel-ir.md shows how
// each construct maps onto each target.
//
// A Program is what a compiled module is: buffers laid out in memory regions, kernels
// over buffer parameters, and the steps that run them (launches in order, with HLO's
// while and conditional as loops and switches over them). Nothing here knows which
// target will render it.
//
// Types. Values are scalars or 4-lane vectors of a compute type. Compute types are
// named like HLO element types so that every operator means exactly what the HLO
// opcode of the same name means (the reference interpreter's scalar kernels define
// them): f32, s32, u32, pred, and the 64-bit f64, s64, u64. Narrower storage (f16,
// bf16, s8, u8, s16, u16, pred) widens on load and narrows on store, with HLO `convert`
// rounding.
//
// 64-bit values are scalars only: a vector is 128 bits of four 32-bit lanes, which has no
// room for four 64-bit ones, and targets differ in what they can do with two (wasm has
// i64x2 without division, WGSL has no 64-bit types at all). Lowering computes a kernel
// that touches a 64-bit type one element at a time; the builders refuse a 64-bit vector.
import type { DType } from '../dtype.js';

/** Element types arithmetic runs in. */
export type ScalarType = 'f32' | 's32' | 'u32' | 'pred' | 'f64' | 's64' | 'u64';
/** Lanes of a value: a scalar, or a 128-bit vector of four 32-bit lanes. */
export type Lanes = 1 | 4;

/** Facts about each compute type: its width, and the most lanes a value of it may have. */
export const SCALAR_TYPES: { readonly [S in ScalarType]: { readonly bytes: 1 | 4 | 8; readonly maxLanes: Lanes } } = {
  pred: { bytes: 1, maxLanes: 4 },
  f32: { bytes: 4, maxLanes: 4 },
  s32: { bytes: 4, maxLanes: 4 },
  u32: { bytes: 4, maxLanes: 4 },
  f64: { bytes: 8, maxLanes: 1 },
  s64: { bytes: 8, maxLanes: 1 },
  u64: { bytes: 8, maxLanes: 1 },
};

/** A 64-bit compute type (scalar only). */
export const isWide = (s: ScalarType): boolean => SCALAR_TYPES[s].bytes === 8;
/** s64 and u64: their constants and interpreter values are bigints. */
export const isWideInt = (s: ScalarType): boolean => s === 's64' || s === 'u64';

export interface ValueType {
  readonly scalar: ScalarType;
  readonly lanes: Lanes;
}

/** Element types a buffer may hold; each widens on load to `computeTypeOf(dtype)`. */
export const STORAGE_TYPES = ['pred', 's8', 'u8', 's16', 'u16', 's32', 'u32', 'f16', 'bf16', 'f32', 's64', 'u64', 'f64'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export function isStorageType(t: DType): t is StorageType {
  return (STORAGE_TYPES as readonly string[]).includes(t);
}

/** The type a stored element computes in. */
export function computeTypeOf(t: StorageType): ScalarType {
  switch (t) {
    case 'pred': return 'pred';
    case 's8': case 's16': case 's32': return 's32';
    case 'u8': case 'u16': case 'u32': return 'u32';
    case 'f16': case 'bf16': case 'f32': return 'f32';
    case 's64': case 'u64': case 'f64': return t;
  }
}

/** HLO elementwise opcodes with one operand that kernels compute. */
export const UNARY_OPS = [
  'abs', 'negate', 'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic',
  'sqrt', 'rsqrt', 'cbrt', 'sine', 'cosine', 'tan', 'floor', 'ceil', 'round-nearest-afz', 'round-nearest-even',
  'sign', 'not', 'is-finite', 'popcnt', 'clz', 'erf', 'acos', 'acosh', 'asin', 'asinh', 'atanh', 'cosh', 'sinh',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** HLO elementwise opcodes with two operands of one type that kernels compute. */
export const BINARY_OPS = [
  'add', 'subtract', 'multiply', 'divide', 'remainder', 'power', 'maximum', 'minimum', 'atan2',
  'and', 'or', 'xor', 'shift-left', 'shift-right-arithmetic', 'shift-right-logical',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** HLO compare directions; floats compare as IEEE (NaN unordered) like HLO's default. */
export type CompareDir = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';

/**
 * An expression: pure, typed, evaluated per use. Index arithmetic is s32 (buffers hold
 * under 2^31 elements; lowering checks). Every node carries its result type.
 */
export type Expr =
  /** `value` is a bigint for s64 and u64 (exact beyond 2^53), a number for every other type. */
  | { readonly k: 'const'; readonly type: ValueType; readonly value: number | bigint }
  | { readonly k: 'var'; readonly type: ValueType; readonly name: string }
  /** Element `index` of buffer parameter `buf`; lanes 4 reads index..index+3. */
  | { readonly k: 'load'; readonly type: ValueType; readonly buf: number; readonly index: Expr }
  /** Element `index` of a local array. */
  | { readonly k: 'local'; readonly type: ValueType; readonly array: string; readonly index: Expr }
  | { readonly k: 'unary'; readonly type: ValueType; readonly op: UnaryOp; readonly a: Expr }
  | { readonly k: 'binary'; readonly type: ValueType; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'compare'; readonly type: ValueType; readonly dir: CompareDir; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'select'; readonly type: ValueType; readonly cond: Expr; readonly a: Expr; readonly b: Expr }
  /**
   * a·b + c on floats, rounded once (fused) or twice (multiply, then add): the target picks
   * whichever is faster. Only for accumulations whose rounding HLO leaves unspecified (a
   * dot's or a convolution's sum); an HLO multiply feeding an HLO add stays two operators.
   */
  | { readonly k: 'muladd'; readonly type: ValueType; readonly a: Expr; readonly b: Expr; readonly c: Expr }
  /** HLO `convert` between compute types (float→int saturates, NaN→0). */
  | { readonly k: 'convert'; readonly type: ValueType; readonly a: Expr }
  /** Same bits, another type of the same width (HLO `bitcast-convert`). */
  | { readonly k: 'bitcast'; readonly type: ValueType; readonly a: Expr }
  /** A vector with every lane `a`. */
  | { readonly k: 'splat'; readonly type: ValueType; readonly a: Expr }
  /** A vector of four scalars. */
  | { readonly k: 'vector'; readonly type: ValueType; readonly lanes: readonly Expr[] }
  /** One lane of a vector. */
  | { readonly k: 'extract'; readonly type: ValueType; readonly a: Expr; readonly lane: number }
  /** Round an f32 to a narrower float storage type and back (f16/bf16 arithmetic steps). */
  | { readonly k: 'round'; readonly type: ValueType; readonly to: 'f16' | 'bf16'; readonly a: Expr }
  /**
   * A grid kernel's invocation coordinates (s32 scalar): `local` is the invocation's place
   * in its workgroup, `workgroup` the workgroup's place in the launch, along `dim`. Only in
   * a kernel with a `grid`.
   */
  | { readonly k: 'gpuId'; readonly type: ValueType; readonly id: GpuIdKind; readonly dim: 0 | 1 | 2 };

/** Which invocation coordinate a `gpuId` reads. */
export type GpuIdKind = 'local' | 'workgroup';

export type Stmt =
  /** A new variable (mutable; `assign` changes it). */
  | { readonly k: 'let'; readonly name: string; readonly value: Expr }
  | { readonly k: 'assign'; readonly name: string; readonly value: Expr }
  /** Store `value` at element `index` of buffer `buf` (lanes 4 writes index..index+3). */
  | { readonly k: 'store'; readonly buf: number; readonly index: Expr; readonly value: Expr }
  /** A local array (registers or workgroup memory), zero-filled. */
  | { readonly k: 'array'; readonly name: string; readonly type: ScalarType; readonly size: number; readonly scope: 'private' | 'workgroup' }
  | { readonly k: 'localStore'; readonly array: string; readonly index: Expr; readonly value: Expr }
  | { readonly k: 'loop'; readonly loop: Loop }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  /**
   * Every invocation of a workgroup waits here: in a grid kernel, every invocation of the
   * workgroup must reach it (uniform control flow); elsewhere only inside a `parallel`
   * loop's body, on GPU targets.
   */
  | { readonly k: 'barrier' };

/**
 * for (v = start; v < end; v += step). `parallel` iterations are independent (targets
 * spread them over threads or GPU invocations); `unroll` asks for a fully unrolled loop
 * (constant bounds); `serial` promises nothing.
 */
export interface Loop {
  readonly var: string;
  readonly start: Expr;
  readonly end: Expr;
  readonly step: number;
  readonly mode: 'serial' | 'parallel' | 'unroll';
  readonly body: readonly Stmt[];
}

export interface KernelParam {
  readonly name: string;
  readonly dtype: StorageType;
  /** Elements (not bytes). */
  readonly size: number;
  readonly access: 'read' | 'write' | 'readwrite';
}

/**
 * Scheduling decisions, chosen per target and searchable: lowering reads them, targets
 * may too (e.g. a GPU workgroup size). Free-form so that templates add their own knobs.
 */
export type Schedule = Readonly<Record<string, number>>;

/** A GPU kernel's launch: `workgroups` workgroups of `size` invocations; the body runs once per invocation. */
export interface Grid {
  /** Invocations per workgroup along x, y, z; their product is at most the target's maxWorkgroupInvocations. */
  readonly size: readonly [number, number, number];
  /** Workgroups along x, y, z; each at most MAX_GRID_WORKGROUPS. */
  readonly workgroups: readonly [number, number, number];
}

/** The most workgroups along one dim of a grid (WebGPU's default maxComputeWorkgroupsPerDimension, CUDA's grid y and z). */
export const MAX_GRID_WORKGROUPS = 65535;

export interface Kernel {
  readonly name: string;
  readonly params: readonly KernelParam[];
  readonly body: readonly Stmt[];
  readonly schedule: Schedule;
  /** The HLO instruction it came from, for errors and profiles. */
  readonly source: string;
  /**
   * A GPU kernel's launch. Present: the body runs once per invocation of the grid, reads
   * its coordinates with `gpuId`, shares `workgroup` arrays (declared at the body's top
   * level) within its workgroup, and waits at barriers with it; `parallel` loops inside
   * mean only that their iterations are independent (a GPU runs them serially). Absent:
   * the body runs once and targets split its top-level parallel loop (today's CPU form).
   */
  readonly grid?: Grid;
}

/** Invocations per workgroup of a grid. */
export const gridInvocations = (g: Grid): number => g.size[0] * g.size[1] * g.size[2];
/** Workgroups of a grid. */
export const gridWorkgroups = (g: Grid): number => g.workgroups[0] * g.workgroups[1] * g.workgroups[2];

/** Where a program buffer lives: read-only constants, or the working arena. */
export type Region = 'constants' | 'arena';

export interface ProgramBuffer {
  readonly id: number;
  readonly name: string;
  readonly dtype: StorageType;
  readonly dims: readonly number[];
  readonly region: Region;
  /** Byte offset within its region. */
  readonly offset: number;
  readonly bytes: number;
  /** Little-endian contents of a constant. */
  readonly data?: Uint8Array;
}

/**
 * What a program does, in order: launch a kernel, or HLO control flow over buffers.
 * Control flow reads its predicate or index from a buffer the steps before wrote, so a
 * target needs no value passing between steps, only memory (and, with threads, a barrier
 * between the write and the read: every thread must take the same branch).
 */
export type Step =
  | Launch
  /** Run `cond`, read the pred scalar in buffer `pred`; while true, run `body` and again. */
  | { readonly k: 'while'; readonly cond: readonly Step[]; readonly pred: number; readonly body: readonly Step[] }
  /**
   * Run one branch, chosen by the scalar in buffer `index`: a pred picks branch 0 when true
   * and 1 when false; an s32 outside [0, N) picks the last branch (HLO `conditional`).
   */
  | { readonly k: 'switch'; readonly index: number; readonly indexType: 's32' | 'pred'; readonly branches: readonly (readonly Step[])[] };

export interface Launch {
  readonly k: 'launch';
  readonly kernel: number;
  /** Program buffer id for each kernel parameter. */
  readonly args: readonly number[];
}

/** The branch an HLO conditional takes for selector value `v` over `n` branches. */
export function branchIndex(indexType: 's32' | 'pred', v: number, n: number): number {
  if (indexType === 'pred') return v ? 0 : 1;
  return v >= 0 && v < n ? v : n - 1;
}

/** Every launch in `steps`, depth first (loop bodies and every branch included). */
export function* launchesOf(steps: readonly Step[]): Generator<Launch> {
  for (const s of steps) {
    switch (s.k) {
      case 'launch': yield s; break;
      case 'while': yield* launchesOf(s.cond); yield* launchesOf(s.body); break;
      case 'switch': for (const b of s.branches) yield* launchesOf(b); break;
      default: unreachable(s);
    }
  }
}

/** A `default:` of a switch that handles every case: a new case is a type error there. */
export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}

export interface ProgramIO {
  readonly name: string;
  readonly buffer: number;
  /** An output only: the input whose bytes it shares (input/output aliasing); same buffer offset. */
  readonly aliases?: string;
}

export interface Program {
  readonly name: string;
  readonly kernels: readonly Kernel[];
  readonly buffers: readonly ProgramBuffer[];
  /** What a run does, in order (launches, loops, branches). */
  readonly steps: readonly Step[];
  /** Entry parameters in order; the runtime copies each input into its buffer before a run. */
  readonly inputs: readonly ProgramIO[];
  /** Entry results in order (a root tuple's elements); read after the run. */
  readonly outputs: readonly ProgramIO[];
  readonly constantsBytes: number;
  readonly arenaBytes: number;
}

export const SCALAR = (scalar: ScalarType): ValueType => ({ scalar, lanes: 1 });
export const VEC4 = (scalar: ScalarType): ValueType => valueType(scalar, 4);

/** A value type, refusing vectors of a scalar-only (64-bit) type. */
export function valueType(scalar: ScalarType, lanes: Lanes): ValueType {
  if (lanes > SCALAR_TYPES[scalar].maxLanes) throw new Error(`kernel IR: ${scalar} values are scalar only (no ${scalar}x${lanes})`);
  return { scalar, lanes };
}

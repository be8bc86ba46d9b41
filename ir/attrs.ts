// Attribute kinds: the vocabulary opcode schemas are written in. Each kind has one
// TypeScript type here; the HLO parser and the printer each keep a table over
// `AttrKind`, so a new kind fails to compile until both handle it.
import type { Computation } from './module.js';
import type { Literal } from './literal.js';

export interface SliceDim { start: number; limit: number; stride: number }
export interface PadDim { low: number; high: number; interior: number }
export interface WindowDim {
  size: number; stride: number; padLow: number; padHigh: number;
  lhsDilate: number; rhsDilate: number; reversal: boolean;
}
/** Convolution dimension numbers, as `dim_labels=b01f_01io->b01f` spells them. */
export interface ConvDims {
  inputBatch: number; inputFeature: number; inputSpatial: number[];
  kernelInput: number; kernelOutput: number; kernelSpatial: number[];
  outputBatch: number; outputFeature: number; outputSpatial: number[];
}

export interface AttrTypes {
  int: number;
  ints: number[];
  bool: boolean;
  float: number;
  string: string;
  /** A bare word from a fixed vocabulary (`LT`, `kLoop`, `rng_uniform`). */
  enum: string;
  /** A brace list of bare words: `operand_precision={high,default}`. */
  enums: string[];
  slice: SliceDim[];
  padding: PadDim[];
  window: WindowDim[];
  convDims: ConvDims;
  computation: Computation;
  computations: Computation[];
  /** The value in `constant(...)`. */
  literal: Literal;
}
export type AttrKind = keyof AttrTypes;

export interface FieldSpec<K extends AttrKind = AttrKind> {
  readonly kind: K;
  readonly required: boolean;
  /** Printed only when the value differs from this (or the source wrote it). */
  readonly default?: AttrTypes[K];
}

export const req = <K extends AttrKind>(kind: K): FieldSpec<K> & { required: true } => ({ kind, required: true });
export const opt = <K extends AttrKind>(kind: K, dflt?: AttrTypes[K]): FieldSpec<K> & { required: false } =>
  dflt === undefined ? { kind, required: false } : { kind, required: false, default: dflt };

export type Schema = Readonly<Record<string, FieldSpec>>;

/** The attribute object a schema describes: required fields present, optional ones maybe. */
export type AttrsOf<S extends Schema> = {
  -readonly [F in keyof S as S[F]['required'] extends true ? F : never]: AttrTypes[S[F]['kind']];
} & {
  -readonly [F in keyof S as S[F]['required'] extends true ? never : F]?: AttrTypes[S[F]['kind']];
};

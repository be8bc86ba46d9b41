// Shapes: an array of one dtype with static dims (and an optional layout), or a tuple.
import { DType, isDType } from './dtype.js';

export interface Layout {
  /** Dimension numbers from fastest- to slowest-varying, as XLA writes `{1,0}`. */
  readonly minorToMajor: readonly number[];
  /** Anything after `:` in the layout (tiles `T(8,128)`, memory space `S(1)`, ...), kept verbatim. */
  readonly suffix?: string;
}

export interface ArrayShape {
  readonly kind: 'array';
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** Dims written `<=N` (bounded dynamic): the bound is in `dims`. */
  readonly dynamic?: readonly boolean[];
  readonly layout?: Layout;
}

export interface TupleShape {
  readonly kind: 'tuple';
  readonly elements: readonly Shape[];
}

export type Shape = ArrayShape | TupleShape;

export const array = (dtype: DType, dims: readonly number[], layout?: Layout): ArrayShape =>
  layout ? { kind: 'array', dtype, dims: [...dims], layout } : { kind: 'array', dtype, dims: [...dims] };

export const tuple = (elements: readonly Shape[]): TupleShape => ({ kind: 'tuple', elements: [...elements] });

export const scalar = (dtype: DType): ArrayShape => array(dtype, []);

export function isArray(s: Shape): s is ArrayShape {
  return s.kind === 'array';
}

/** The shape as an array, or an error naming what was expected. */
export function asArray(s: Shape, what = 'operand'): ArrayShape {
  if (s.kind !== 'array') throw new Error(`${what} must be an array, got tuple ${shapeToString(s)}`);
  return s;
}

export const rank = (s: ArrayShape): number => s.dims.length;
/** Elements of an array with these dims. */
export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
export const elementCount = (s: ArrayShape): number => product(s.dims);

/** Row-major strides (in elements) for dims. */
export function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= dims[i];
  }
  return out;
}

/** Default (row-major) layout: minor_to_major = rank-1 ... 0. */
export const defaultLayout = (r: number): Layout => ({ minorToMajor: Array.from({ length: r }, (_, i) => r - 1 - i) });

/** Same dtype and dims (layouts and dynamic markers ignored), recursively for tuples. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'tuple' && b.kind === 'tuple')
    return a.elements.length === b.elements.length && a.elements.every((e, i) => sameShape(e, b.elements[i]));
  const x = a as ArrayShape, y = b as ArrayShape;
  return x.dtype === y.dtype && sameDims(x.dims, y.dims);
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Shape equality including layout, as the round-trip test needs. */
export function shapeEquals(a: Shape, b: Shape): boolean {
  return shapeToString(a, { layout: true }) === shapeToString(b, { layout: true });
}

export interface ShapePrintOptions {
  layout?: boolean;
}

export function layoutToString(l: Layout): string {
  return `{${l.minorToMajor.join(',')}${l.suffix !== undefined ? ':' + l.suffix : ''}}`;
}

/** XLA's text for a shape: `f32[2,<=3]{1,0}` or `(f32[], s32[4])`; tuples mark every fifth index. */
export function shapeToString(s: Shape, opts: ShapePrintOptions = { layout: true }): string {
  if (s.kind === 'tuple') {
    const parts = s.elements.map((e, i) => (i > 0 && i % 5 === 0 ? `/*index=${i}*/` : '') + shapeToString(e, opts));
    return `(${parts.join(', ')})`;
  }
  const dims = s.dims.map((d, i) => (d < 0 ? '?' : s.dynamic?.[i] ? `<=${d}` : `${d}`)).join(',');
  const isOpaque = s.dtype === 'token' || s.dtype === 'opaque';
  const head = isOpaque && s.dims.length === 0 ? `${s.dtype}[]` : `${s.dtype}[${dims}]`;
  const showLayout = opts.layout && s.layout && (s.dims.length > 0 || s.layout.suffix !== undefined);
  return showLayout ? head + layoutToString(s.layout!) : head;
}

/** Parse a shape written alone (used by tests and the CLI; the HLO parser has its own grammar). */
export function parseDTypeName(name: string): DType {
  if (!isDType(name)) throw new Error(`unknown element type '${name}'`);
  return name;
}

/** Sub-shape at a tuple index path. */
export function subshape(s: Shape, index: readonly number[]): Shape {
  let cur = s;
  for (const i of index) {
    if (cur.kind !== 'tuple' || i < 0 || i >= cur.elements.length)
      throw new Error(`shape index {${index.join(',')}} is not valid in ${shapeToString(s)}`);
    cur = cur.elements[i];
  }
  return cur;
}

/** All array leaves of a shape, in order. */
export function leaves(s: Shape): ArrayShape[] {
  return s.kind === 'array' ? [s] : s.elements.flatMap(leaves);
}

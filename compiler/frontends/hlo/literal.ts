// Constant literals in HLO text: `1`, `{1, 2}`, `{ { 1, 2 }, { 3, 4 } }`, `(1, {2, 3})`,
// `{...}` (values left out of the dump), with inf/nan, hex and true/false.
import { DTYPES } from '../../../ir/dtype.js';
import { ArrayLiteral, Literal, allocValues, setValue, tupleLiteral } from '../../../ir/literal.js';
import { MAX_INTERPRETER_ELEMENTS } from '../../../ir/limits.js';
import { ArrayShape, Shape, elementCount, shapeToString } from '../../../ir/shape.js';
import { Cursor } from './cursor.js';
import * as T from './lexer.js';
import type { Token } from './lexer.js';

export function parseLiteral(c: Cursor, shape: Shape): Literal {
  if (shape.kind === 'tuple') {
    c.expect(T.LParen, "'(' to start a tuple literal");
    const elements: Literal[] = [];
    for (let i = 0; i < shape.elements.length; i++) {
      if (i > 0) c.expect(T.Comma, "','");
      elements.push(c.nested(() => parseLiteral(c, shape.elements[i])));
    }
    c.expect(T.RParen, "')'");
    return tupleLiteral(elements);
  }
  return parseArrayLiteral(c, shape);
}

function parseArrayLiteral(c: Cursor, shape: ArrayShape): ArrayLiteral {
  const first = c.peek();
  if (shape.dtype === 'token') throw c.error('a constant cannot be a token', first);
  if (c.is(T.LBrace) && c.is(T.Ellipsis, 1) && c.is(T.RBrace, 2)) {
    c.pos += 3;
    return { shape, data: allocValues(shape.dtype, 0), elided: true };
  }
  const n = elementCount(shape);
  // Literals are materialised (as the interpreter holds values): a one-token splat must not ask for terabytes.
  if (n > MAX_INTERPRETER_ELEMENTS)
    throw c.error(`constant ${shapeToString(shape, { layout: false })} has ${n} elements; kiln materialises constants of at most 2^28 elements`, first);
  const complex = DTYPES[shape.dtype].cls === 'complex';
  const values: Token[] = [];
  // A lone scalar for an array shape is a splat: every element takes it (newer XLA dumps).
  const splat = shape.dims.length > 0 && !c.is(T.LBrace);
  collect(c, splat ? [] : shape.dims, values, complex);
  // A splat's one value is read once and then copied: a bad value fails before any filling.
  if (complex) {
    // Complex values are (real, imag) pairs, stored interleaved; kiln does not compute with them.
    if (!splat && values.length !== 2 * n) throw c.error(`constant has ${values.length / 2} values but its shape holds ${n}`, first);
    const parts = values.map((tok) => Number(scalarValue(c, tok, { ...shape, dtype: shape.dtype === 'c64' ? 'f32' : 'f64' })));
    const data = new Float64Array(2 * n);
    for (let i = 0; i < 2 * n; i++) data[i] = parts[splat ? i % 2 : i];
    return { shape, data };
  }
  if (!splat && values.length !== n)
    throw c.error(`constant has ${values.length} values but its shape ${shape.dtype}[${shape.dims.join(',')}] holds ${n}`, first);
  const parsed = values.map((tok) => scalarValue(c, tok, shape));
  const data = allocValues(shape.dtype, n);
  for (let i = 0; i < n; i++) setValue(data, shape.dtype, i, parsed[splat ? 0 : i]);
  return { shape, data };
}

/** Gather the scalar tokens of a nested brace literal, checking each level holds dims[0] entries. */
function collect(c: Cursor, dims: readonly number[], out: Token[], complex: boolean): void {
  if (dims.length === 0 && complex) {
    c.expect(T.LParen, "'(' to start a complex value");
    out.push(c.next());
    c.expect(T.Comma, "','");
    out.push(c.next());
    c.expect(T.RParen, "')'");
    return;
  }
  if (dims.length === 0) {
    out.push(c.next());
    return;
  }
  const open = c.expect(T.LBrace, "'{'");
  let n = 0;
  if (!c.is(T.RBrace))
    do {
      c.nested(() => collect(c, dims.slice(1), out, complex));
      n++;
    } while (c.accept(T.Comma));
  c.expect(T.RBrace, "',' or '}'");
  if (n !== dims[0]) throw c.error(`this literal dimension has ${n} entries but the shape says ${dims[0]}`, open);
}

/** Whether an integer is representable in dt (an integer dtype). */
function inRange(v: bigint, bits: number, signed: boolean): boolean {
  const lo = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  return v >= lo && v <= hi;
}

function scalarValue(c: Cursor, tok: Token, shape: ArrayShape): number | bigint {
  const text = tok.image;
  const cls = DTYPES[shape.dtype].cls;
  if (cls === 'pred') {
    if (text === 'true' || text === '1') return 1;
    if (text === 'false' || text === '0') return 0;
    throw c.error(`expected true or false for a pred constant, found '${text}'`, tok);
  }
  if (tok.tokenType === T.Special || text === 'inf' || text === 'nan') {
    if (cls !== 'float') throw c.error(`'${text}' is not a value of ${shape.dtype}`, tok);
    checkNanPayload(c, tok, shape.dtype);
    return text.replace(/\(.*\)$/, '').replace(/^\+/, '').endsWith('nan') ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  }
  if (tok.tokenType === T.Int || tok.tokenType === T.Digits || tok.tokenType === T.Hex) {
    if (cls === 'signed' || cls === 'unsigned') {
      const v = BigInt(text);
      if (!inRange(v, DTYPES[shape.dtype].bits, cls === 'signed'))
        throw c.error(`${text} is out of range for ${shape.dtype}`, tok);
      return shape.dtype === 's64' || shape.dtype === 'u64' ? v : Number(v);
    }
    return finite(c, tok, Number(text), shape);
  }
  if (tok.tokenType === T.Float) {
    if (cls !== 'float') throw c.error(`'${text}' is not a value of ${shape.dtype}`, tok);
    return finite(c, tok, Number(text), shape);
  }
  if (text === 'true' || text === 'false') return text === 'true' ? 1 : 0;
  throw c.error(`expected a ${shape.dtype} value, found '${text}'`, tok);
}

const MANTISSA_BITS: Partial<Record<string, number>> = { f16: 10, bf16: 7, f32: 23, f64: 52 };

/**
 * `nan(0x...)`: the payload must fit the type's mantissa, as XLA's parser requires, and
 * types with a single NaN encoding (the f8 `fn`/`fnuz` kinds) take no payload at all.
 */
function checkNanPayload(c: Cursor, tok: Token, dtype: string): void {
  const m = /\((0x[0-9a-fA-F]+)\)$/.exec(tok.image);
  if (!m) return;
  if (/fnu?z?$/.test(dtype)) throw c.error(`${dtype} has one NaN encoding and takes no NaN payload`, tok);
  const bits = MANTISSA_BITS[dtype] ?? Number(/^f\d+e\d+m(\d+)/.exec(dtype)?.[1] ?? 0);
  const payload = BigInt(m[1]);
  if (payload === 0n || payload >= 1n << BigInt(bits)) throw c.error(`NaN payload ${m[1]} does not fit the ${bits} mantissa bits of ${dtype}`, tok);
}

/** A finite number written in the text must stay finite in its float type (XLA rejects overflow). */
function finite(c: Cursor, tok: Token, v: number, shape: ArrayShape): number {
  const limit = OVERFLOW_AT[shape.dtype] ?? Infinity;
  if (Math.abs(v) >= limit) throw c.error(`${tok.image} overflows ${shape.dtype}`, tok);
  return v;
}

/** Magnitudes at and above which a value rounds to infinity: the largest finite value plus half an ulp. */
const OVERFLOW_AT: Partial<Record<string, number>> = {
  f16: 65520,
  bf16: (2 - 2 ** -8) * 2 ** 127,
  f32: (2 - 2 ** -24) * 2 ** 127,
};

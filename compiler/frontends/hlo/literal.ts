// Constant literals in HLO text: `1`, `{1, 2}`, `{ { 1, 2 }, { 3, 4 } }`, `(1, {2, 3})`,
// `{...}` (values left out of the dump), with inf/nan, hex and true/false.
import { DTYPES } from '../../../ir/dtype.js';
import { ArrayLiteral, Literal, allocValues, setValue, tupleLiteral } from '../../../ir/literal.js';
import { ArrayShape, Shape, elementCount } from '../../../ir/shape.js';
import { Cursor } from './cursor.js';
import * as T from './lexer.js';
import type { Token } from './lexer.js';

export function parseLiteral(c: Cursor, shape: Shape): Literal {
  if (shape.kind === 'tuple') {
    c.expect(T.LParen, "'(' to start a tuple literal");
    const elements: Literal[] = [];
    for (let i = 0; i < shape.elements.length; i++) {
      if (i > 0) c.expect(T.Comma, "','");
      elements.push(parseLiteral(c, shape.elements[i]));
    }
    c.expect(T.RParen, "')'");
    return tupleLiteral(elements);
  }
  return parseArrayLiteral(c, shape);
}

function parseArrayLiteral(c: Cursor, shape: ArrayShape): ArrayLiteral {
  const first = c.peek();
  if (c.is(T.LBrace) && c.is(T.Ellipsis, 1) && c.is(T.RBrace, 2)) {
    c.pos += 3;
    return { shape, data: allocValues(shape.dtype, 0), elided: true };
  }
  const n = elementCount(shape);
  const complex = DTYPES[shape.dtype].cls === 'complex';
  const values: Token[] = [];
  // A lone scalar for an array shape is a splat: every element takes it (newer XLA dumps).
  const splat = shape.dims.length > 0 && !c.is(T.LBrace);
  collect(c, splat ? 0 : shape.dims.length, values, complex);
  if (splat) while (values.length < n * (complex ? 2 : 1)) values.push(...values.slice(0, complex ? 2 : 1));
  if (complex) {
    // Complex values are (real, imag) pairs, stored interleaved; kiln does not compute with them.
    if (values.length !== 2 * n) throw c.error(`constant has ${values.length / 2} values but its shape holds ${n}`, first);
    const data = new Float64Array(2 * n);
    values.forEach((tok, i) => (data[i] = Number(scalarValue(c, tok, { ...shape, dtype: shape.dtype === 'c64' ? 'f32' : 'f64' }))));
    return { shape, data };
  }
  if (values.length !== n)
    throw c.error(`constant has ${values.length} values but its shape ${shape.dtype}[${shape.dims.join(',')}] holds ${n}`, first);
  const data = allocValues(shape.dtype, n);
  values.forEach((tok, i) => setValue(data, shape.dtype, i, scalarValue(c, tok, shape)));
  return { shape, data };
}

/** Gather the scalar tokens of a nested brace literal of the given depth. */
function collect(c: Cursor, depth: number, out: Token[], complex: boolean): void {
  if (depth === 0 && complex) {
    c.expect(T.LParen, "'(' to start a complex value");
    out.push(c.next());
    c.expect(T.Comma, "','");
    out.push(c.next());
    c.expect(T.RParen, "')'");
    return;
  }
  if (depth === 0) {
    out.push(c.next());
    return;
  }
  c.expect(T.LBrace, "'{'");
  if (c.accept(T.RBrace)) return;
  do collect(c, depth - 1, out, complex);
  while (c.accept(T.Comma));
  c.expect(T.RBrace, "',' or '}'");
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
    return text.replace(/\(.*\)$/, '').replace(/^\+/, '').endsWith('nan') ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  }
  if (tok.tokenType === T.Int || tok.tokenType === T.Digits || tok.tokenType === T.Hex) {
    if (shape.dtype === 's64' || shape.dtype === 'u64') return BigInt(text);
    return Number(text);
  }
  if (tok.tokenType === T.Float) {
    if (cls !== 'float') throw c.error(`'${text}' is not a value of ${shape.dtype}`, tok);
    return Number(text);
  }
  if (text === 'true' || text === 'false') return text === 'true' ? 1 : 0;
  throw c.error(`expected a ${shape.dtype} value, found '${text}'`, tok);
}

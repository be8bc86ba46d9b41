// Typed attribute values: one decoder per attribute kind, over the tokens the
// parser captured for that attribute. The table is exhaustive over AttrKind.
import type { AttrKind, AttrTypes, ConvDims, PadDim, SliceDim, WindowDim } from '../../../ir/attrs.js';
import type { Computation } from '../../../ir/module.js';
import { Cursor } from './cursor.js';
import * as T from './lexer.js';

export interface DecodeContext {
  computation(name: string, at: Cursor): Computation;
}

type Decoder<K extends AttrKind> = (c: Cursor, ctx: DecodeContext) => AttrTypes[K];

export const DECODERS: { [K in AttrKind]: Decoder<K> } = {
  int: (c) => int(c),
  ints: (c) => braceList(c, () => int(c)),
  bool: (c) => {
    const tok = c.expect(T.Name, "'true' or 'false'");
    if (tok.image !== 'true' && tok.image !== 'false') throw c.error(`expected 'true' or 'false', found '${tok.image}'`, tok);
    return tok.image === 'true';
  },
  float: (c) => {
    const tok = c.next();
    const v = Number(tok.image);
    if (Number.isNaN(v)) throw c.error(`expected a number, found '${tok.image}'`, tok);
    return v;
  },
  string: (c) => unquote(c.expect(T.Str, 'a string').image),
  enum: (c) => c.expect(T.Name, 'a name').image,
  enums: (c) => braceList(c, () => c.expect(T.Name, 'a name').image),
  slice: (c) => braceList(c, () => sliceDim(c)),
  padding: (c) => (c.atEnd() ? [] : padDims(c.expect(T.Pad, "padding like '0_0x1_1'").image)),
  window: (c) => window(c),
  convDims: (c) => convDims(c),
  computation: (c, ctx) => computationRef(c, ctx),
  computations: (c, ctx) => braceList(c, () => computationRef(c, ctx)),
  literal: () => {
    throw new Error('literal attributes are parsed in operand position');
  },
};

function computationRef(c: Cursor, ctx: DecodeContext): Computation {
  const tok = c.expect(T.Name, 'a computation name');
  return ctx.computation(stripPercent(tok.image), c);
}

export const stripPercent = (s: string): string => (s.startsWith('%') ? s.slice(1) : s);

export function int(c: Cursor): number {
  const tok = c.next();
  if (tok.tokenType !== T.Int && tok.tokenType !== T.Digits && tok.tokenType !== T.Hex)
    throw c.error(`expected an integer, found '${tok.image}'`, tok);
  return Number(tok.image);
}

function braceList<V>(c: Cursor, item: () => V): V[] {
  c.expect(T.LBrace, "'{'");
  const out: V[] = [];
  if (c.accept(T.RBrace)) return out;
  do out.push(item());
  while (c.accept(T.Comma));
  c.expect(T.RBrace, "',' or '}'");
  return out;
}

function sliceDim(c: Cursor): SliceDim {
  c.expect(T.LBracket, "'['");
  const start = int(c);
  c.expect(T.Colon, "':'");
  const limit = int(c);
  const stride = c.accept(T.Colon) ? int(c) : 1;
  c.expect(T.RBracket, "']'");
  return { start, limit, stride };
}

function padDims(text: string): PadDim[] {
  return text.split('x').map((d) => {
    const [low, high, interior = 0] = d.split('_').map(Number);
    return { low, high, interior };
  });
}

/** `3x3`, or a single `3`, as a list. */
function dims(c: Cursor): number[] {
  const tok = c.next();
  if (tok.tokenType === T.DxD) return tok.image.split('x').map(Number);
  if (tok.tokenType === T.Int || tok.tokenType === T.Digits) return [Number(tok.image)];
  throw c.error(`expected sizes like '3x3', found '${tok.image}'`, tok);
}

function window(c: Cursor): WindowDim[] {
  c.expect(T.LBrace, "'{'");
  const fields = new Map<string, number[] | PadDim[]>();
  while (!c.accept(T.RBrace)) {
    const key = c.expect(T.Name, 'a window field (size, stride, pad, lhs_dilate, rhs_dilate, rhs_reversal)');
    c.expect(T.Equals, "'='");
    if (key.image === 'pad') {
      const tok = c.next();
      if (tok.tokenType !== T.Pad) throw c.error(`expected padding like '0_0x1_1', found '${tok.image}'`, tok);
      fields.set('pad', padDims(tok.image));
    } else if (['size', 'stride', 'lhs_dilate', 'rhs_dilate', 'rhs_reversal'].includes(key.image)) {
      fields.set(key.image, dims(c));
    } else throw c.error(`unknown window field '${key.image}'`, key);
  }
  const size = (fields.get('size') as number[] | undefined) ?? [];
  const rankOf = Math.max(size.length, ...[...fields.values()].map((v) => v.length));
  const get = (k: string, i: number, d: number) => ((fields.get(k) as number[] | undefined)?.[i] ?? d);
  const pad = fields.get('pad') as PadDim[] | undefined;
  for (const [k, v] of fields)
    if (v.length !== rankOf) throw c.error(`window field '${k}' has ${v.length} dims, expected ${rankOf}`);
  return Array.from({ length: rankOf }, (_, i) => ({
    size: get('size', i, 1),
    stride: get('stride', i, 1),
    padLow: pad?.[i].low ?? 0,
    padHigh: pad?.[i].high ?? 0,
    lhsDilate: get('lhs_dilate', i, 1),
    rhsDilate: get('rhs_dilate', i, 1),
    reversal: get('rhs_reversal', i, 0) === 1,
  }));
}

/** `b01f_01io->b01f`: letters name batch/feature (input, output) and in/out (kernel); digits name spatial dims. */
function convDims(c: Cursor): ConvDims {
  const tok = c.expect(T.DimLabels, "dim_labels like 'b01f_01io->b01f'");
  const [lhs, rest] = tok.image.split('_');
  const [rhs, out] = rest.split('->');
  const fail = (why: string) => c.error(`bad dim_labels '${tok.image}': ${why}`, tok);
  const part = (s: string, a: string, b: string) => {
    const ia = s.indexOf(a), ib = s.indexOf(b);
    if (ia < 0 || ib < 0) throw fail(`'${s}' must contain '${a}' and '${b}'`);
    const spatial: number[] = [];
    for (let k = 0; k < s.length - 2; k++) {
      const at = s.indexOf(String(k));
      if (at < 0) throw fail(`'${s}' is missing spatial dim ${k}`);
      spatial.push(at);
    }
    return { a: ia, b: ib, spatial };
  };
  const l = part(lhs, 'b', 'f'), r = part(rhs, 'i', 'o'), o = part(out, 'b', 'f');
  if (l.spatial.length !== r.spatial.length || l.spatial.length !== o.spatial.length)
    throw fail('input, kernel and output must have the same number of spatial dims');
  return {
    inputBatch: l.a, inputFeature: l.b, inputSpatial: l.spatial,
    kernelInput: r.a, kernelOutput: r.b, kernelSpatial: r.spatial,
    outputBatch: o.a, outputFeature: o.b, outputSpatial: o.spatial,
  };
}

export function unquote(s: string): string {
  const body = s.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}

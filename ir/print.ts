// The HLO text printer. It writes what XLA writes: `%name = f32[2]{0} add(f32[2]{0} %a, ...)`,
// attributes in the order the source gave them (or the schema's order for built IR),
// and keeps unmodelled attributes verbatim, so print(parse(text)) is a fixed point.
import type { AttrKind, AttrTypes, FieldSpec, PadDim, WindowDim } from './attrs.js';
import type { Computation, Instruction, Module, PrintStyle } from './module.js';
import { OPCODES } from './opcodes.js';
import { literalToString } from './print_literal.js';
import { shapeToString } from './shape.js';

type Encoder<K extends AttrKind> = (v: AttrTypes[K], name: (n: string) => string) => string;

const list = (xs: readonly (string | number)[]) => `{${xs.join(',')}}`;
const x = (xs: readonly number[]) => xs.join('x');

export const ENCODERS: { [K in AttrKind]: Encoder<K> } = {
  int: (v) => String(v),
  ints: (v) => list(v),
  bool: (v) => (v ? 'true' : 'false'),
  float: (v) => String(v),
  string: (v) => JSON.stringify(v),
  enum: (v) => v,
  enums: (v) => list(v),
  // Like XLA: strides are written for every dim or for none.
  slice: (v) => {
    const strided = v.some((d) => d.stride !== 1);
    return `{${v.map((d) => `[${d.start}:${d.limit}${strided ? `:${d.stride}` : ''}]`).join(', ')}}`;
  },
  padding: (v) => padding(v),
  window: (v) => windowToString(v),
  convDims: (d) => {
    const part = (n: number, a: number, b: number, spatial: number[], la: string, lb: string) => {
      const chars = new Array<string>(n);
      chars[a] = la;
      chars[b] = lb;
      spatial.forEach((pos, k) => (chars[pos] = String(k)));
      return chars.join('');
    };
    const n = d.inputSpatial.length + 2;
    return `${part(n, d.inputBatch, d.inputFeature, d.inputSpatial, 'b', 'f')}_${part(n, d.kernelInput, d.kernelOutput, d.kernelSpatial, 'i', 'o')}->${part(n, d.outputBatch, d.outputFeature, d.outputSpatial, 'b', 'f')}`;
  },
  computation: (v, name) => name(v.name),
  computations: (v, name) => `{${v.map((c) => name(c.name)).join(', ')}}`,
  literal: (v) => literalToString(v),
};

/** `0_0x1_1`; interior padding is written for every dim or for none, like XLA. */
const padding = (v: readonly PadDim[]) => {
  const interior = v.some((p) => p.interior !== 0);
  return v.map((p) => `${p.low}_${p.high}${interior ? `_${p.interior}` : ''}`).join('x');
};

function windowToString(w: readonly WindowDim[]): string {
  if (w.length === 0) return '{}';
  const parts = [`size=${x(w.map((d) => d.size))}`];
  if (w.some((d) => d.stride !== 1)) parts.push(`stride=${x(w.map((d) => d.stride))}`);
  if (w.some((d) => d.padLow !== 0 || d.padHigh !== 0))
    parts.push(`pad=${padding(w.map((d) => ({ low: d.padLow, high: d.padHigh, interior: 0 })))}`);
  if (w.some((d) => d.lhsDilate !== 1)) parts.push(`lhs_dilate=${x(w.map((d) => d.lhsDilate))}`);
  if (w.some((d) => d.rhsDilate !== 1)) parts.push(`rhs_dilate=${x(w.map((d) => d.rhsDilate))}`);
  if (w.some((d) => d.reversal)) parts.push(`rhs_reversal=${x(w.map((d) => (d.reversal ? 1 : 0)))}`);
  return `{${parts.join(' ')}}`;
}

/** Header attributes XLA prints as blocks of their own lines rather than inline. */
const HEADER_BLOCKS: Record<string, { before?: string; after?: string }> = {
  debug_attributes: { before: ',\n' },
  origin_recovery_table: { after: '\n' },
};

export function printModule(m: Module, style: PrintStyle = m.style): string {
  const head: string[] = [];
  if (!m.headerless) {
    let line = `HloModule ${m.name}`;
    for (const a of m.headerAttrs) line += `${HEADER_BLOCKS[a.name]?.before ?? ', '}${a.name}=${a.text}${HEADER_BLOCKS[a.name]?.after ?? ''}`;
    head.push(line, '');
  }
  // XLA ends its stack-frame sections with an extra blank line.
  if (m.debugInfo) head.push(m.debugInfo, '', '');
  const bodies = m.computations.map((c) => printComputation(c, style));
  return [...head, bodies.join('\n\n'), ''].join('\n');
}

export function printComputation(c: Computation, style: PrintStyle): string {
  const name = namer(style);
  const sig = style.signatures
    ? ` (${c.params.map((p) => `${p.name}: ${shapeToString(p.shape, { layout: false })}`).join(', ')}) -> ${shapeToString(c.root.shape, { layout: false })}`
    : '';
  const lines = c.instructions.map((i) => `  ${i === c.root ? 'ROOT ' : ''}${printInstruction(i, style)}`);
  const tail = c.attrs?.length ? ', ' + c.attrs.map((a) => `${a.name}=${a.text}`).join(', ') : '';
  return [`${c.isEntry ? 'ENTRY ' : ''}${name(c.name)}${sig} {`, ...lines, `}${tail}`].join('\n');
}

export function printInstruction(i: Instruction, style: PrintStyle): string {
  const name = namer(style);
  const opcode = i.asyncOf ? `${i.asyncOf}-${i.opcode.slice('async-'.length)}` : i.opcode;
  return `${name(i.name)} = ${shapeToString(i.shape)} ${opcode}(${operandsText(i, style)})${attributesText(i, name)}`;
}

function operandsText(i: Instruction, style: PrintStyle): string {
  if (i.opcode === 'parameter') return String(i.attrs.parameter_number);
  if (i.opcode === 'constant') return literalToString(i.attrs.literal);
  const name = namer(style);
  // XLA marks every fifth operand only in its long form (the one that writes operand shapes).
  return i.operands
    .map((o, k) => (style.operandShapes ? `${k > 0 && k % 5 === 0 ? `/*index=${k}*/` : ''}${shapeToString(o.shape)} ` : '') + name(o.name))
    .join(', ');
}

/** `, name=value` for each attribute: in source order when known, else schema order then raw ones. */
function attributesText(i: Instruction, name: (n: string) => string): string {
  const schema = OPCODES[i.opcode].schema as Readonly<Record<string, FieldSpec>>;
  const values = i.attrs as Record<string, unknown>;
  const written = new Set(i.attrOrder ?? []);
  const typed = Object.keys(schema).filter((f) => f !== 'parameter_number' && f !== 'literal');
  const shouldPrint = (f: string) => values[f] !== undefined && (written.has(f) || !isDefault(schema[f], values[f]));
  const order = i.attrOrder
    ? [...i.attrOrder, ...typed.filter((f) => !written.has(f)), ...i.raw.map((r) => r.name).filter((n) => !written.has(n))]
    : [...typed, ...i.raw.map((r) => r.name)];
  const out: string[] = [];
  for (const f of order) {
    const raw = i.raw.find((r) => r.name === f);
    if (raw) out.push(`${f}=${raw.text}`);
    else if (schema[f] && shouldPrint(f)) out.push(`${f}=${(ENCODERS[schema[f].kind] as Encoder<AttrKind>)(values[f] as never, name)}`);
  }
  return out.map((s) => `, ${s}`).join('');
}

function isDefault(spec: FieldSpec, v: unknown): boolean {
  if (spec.default === undefined) return false;
  return JSON.stringify(spec.default) === JSON.stringify(v);
}

const namer = (style: PrintStyle) => (n: string) => (style.percent ? `%${n}` : n);

// Seeded mutations of real models for the fuzz test: bytes of a protobuf, fields of a
// decoded ONNX model, and tokens of HLO text. Each mutator takes the PRNG, so a seed gives
// the same mutants on every machine.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import { OPCODES } from '../../ir/opcodes.js';

export type Rand = () => number;

export const pick = <T>(next: Rand, xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
const below = (next: Rand, n: number): number => Math.floor(next() * n);

/** Values at the edges where size and index arithmetic goes wrong. */
const INTERESTING = [0, 1, -1, 2, 3, 7, 64, 255, 65535, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 1e9];

// ---- bytes ---------------------------------------------------------------------------

export function mutateBytes(bytes: Uint8Array, next: Rand): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = below(next, out.length);
  switch (below(next, 5)) {
    case 0: return out.subarray(0, at);
    case 1: out[at] ^= 1 << below(next, 8); return out;
    case 2: out[at] = pick(next, [0, 0x7f, 0x80, 0xff]); return out;
    case 3: return concat(out.subarray(0, at), out.subarray(below(next, out.length)));
    default: return concat(out.subarray(0, at), out.subarray(at, Math.min(out.length, at + 1 + below(next, 16))), out.subarray(at));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

// ---- ONNX fields ---------------------------------------------------------------------

type FieldMutator = (m: ModelProto, next: Rand, ops: readonly string[]) => void;

const graphValues = (m: ModelProto) => [...(m.graph?.input ?? []), ...(m.graph?.output ?? [])];

const FIELD_MUTATORS: FieldMutator[] = [
  // a graph input's or output's dimension
  (m, next) => {
    const v = pick(next, graphValues(m));
    const t = v?.type?.value;
    if (t?.case !== 'tensorType' || !t.value.shape?.dim.length) return;
    const d = pick(next, t.value.shape.dim);
    d.value = next() < 0.8 ? { case: 'dimValue', value: BigInt(pick(next, INTERESTING)) } : { case: 'dimParam', value: 'n' };
  },
  // an element type
  (m, next) => {
    const t = pick(next, graphValues(m))?.type?.value;
    if (t?.case === 'tensorType') t.value.elemType = below(next, 24);
  },
  // an integer, list or float attribute of a node
  (m, next) => {
    const a = pick(next, pick(next, m.graph?.node ?? [])?.attribute ?? []);
    if (!a) return;
    if (a.ints.length && next() < 0.5) a.ints[below(next, a.ints.length)] = BigInt(pick(next, INTERESTING));
    else if (a.ints.length) a.ints = a.ints.slice(0, below(next, a.ints.length));
    else if (a.floats.length) a.floats[below(next, a.floats.length)] = pick(next, [NaN, Infinity, -1, 0, 1e30]);
    else a.i = BigInt(pick(next, INTERESTING));
  },
  // a node's op type, taken from another model
  (m, next, ops) => {
    const n = pick(next, m.graph?.node ?? []);
    if (n) n.opType = pick(next, ops);
  },
  // a node input: another value, empty, or unknown
  (m, next) => {
    const nodes = m.graph?.node ?? [];
    const n = pick(next, nodes);
    if (!n?.input.length) return;
    const names = [...nodes.flatMap((x) => x.output), ...graphValues(m).map((v) => v.name), '', 'nowhere'];
    n.input[below(next, n.input.length)] = pick(next, names);
  },
  // drop an input of a node, or a whole node
  (m, next) => {
    const nodes = m.graph?.node ?? [];
    const k = below(next, nodes.length);
    if (!nodes[k]) return;
    if (next() < 0.5 && nodes[k].input.length) nodes[k].input.pop();
    else nodes.splice(k, 1);
  },
  // an initializer's dims or data
  (m, next) => {
    const t = pick(next, m.graph?.initializer ?? []);
    if (!t) return;
    if (next() < 0.5 && t.dims.length) t.dims[below(next, t.dims.length)] = BigInt(pick(next, INTERESTING));
    else t.rawData = t.rawData.subarray(0, below(next, t.rawData.length + 1));
  },
  // the opset
  (m, next) => {
    const o = pick(next, m.opsetImport);
    if (o) o.version = BigInt(pick(next, [1, 6, 7, 9, 11, 13, 18, 99]));
  },
];

/** A field-level mutant of a model (1 to 3 changes), re-encoded; bytes that do not decode get a byte mutation. */
export function mutateOnnx(bytes: Uint8Array, next: Rand, ops: readonly string[]): Uint8Array {
  if (next() < 0.3) return mutateBytes(bytes, next);
  let m: ModelProto;
  try {
    m = fromBinary(ModelProtoSchema, bytes);
  } catch {
    return mutateBytes(bytes, next);
  }
  const changes = 1 + below(next, 3);
  for (let k = 0; k < changes; k++) pick(next, FIELD_MUTATORS)(m, next, ops);
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, m));
}

/** Op types of a set of models, for op-type swaps. */
export function opTypes(models: readonly Uint8Array[]): string[] {
  const ops = new Set<string>();
  for (const b of models) {
    try {
      for (const n of fromBinary(ModelProtoSchema, b).graph?.node ?? []) ops.add(n.opType);
    } catch { /* a source that does not decode adds no ops */ }
  }
  return [...ops].sort();
}

// ---- HLO text ------------------------------------------------------------------------

const DTYPES = ['pred', 's8', 'u8', 's32', 'u32', 'f16', 'bf16', 'f32', 'f64', 's64', 'c64', 'token'];
const OPCODE_NAMES = Object.keys(OPCODES);

type TextMutator = (text: string, next: Rand) => string;

/** Replace the k-th match of `re` (chosen at random) by `by(match)`. */
function replaceOne(text: string, re: RegExp, next: Rand, by: (m: string) => string): string {
  const hits = [...text.matchAll(re)];
  if (!hits.length) return text;
  const h = pick(next, hits);
  return text.slice(0, h.index) + by(h[0]) + text.slice(h.index + h[0].length);
}

const number: TextMutator = (t, next) => replaceOne(t, /(?<![\w.%])-?\d+(?![\w.])/g, next, () => String(pick(next, INTERESTING)));
const dtype: TextMutator = (t, next) => replaceOne(t, new RegExp(`\\b(${DTYPES.join('|')})(?=\\[)`, 'g'), next, () => pick(next, DTYPES));
const opcode: TextMutator = (t, next) => replaceOne(t, /\b[a-z][a-z-]*(?=\()/g, next, () => pick(next, OPCODE_NAMES));

// Changes that keep the text parsable come more often than the ones that mostly break
// the parser (line deletions, character edits), so more mutants reach the later stages.
const TEXT_MUTATORS: TextMutator[] = [
  number, number, number, dtype, dtype, opcode, opcode,
  (t, next) => {
    const lines = t.split('\n');
    lines.splice(below(next, lines.length), 1);
    return lines.join('\n');
  },
  (t, next) => replaceOne(t, /, [a-z_]+=(\{[^}]*\}|[\w.%-]+)/g, next, () => ''),
  (t, next) => replaceOne(t, /%?[\w.-]+(?=[,)])/g, next, () => pick(next, [...t.matchAll(/^\s*(?:ROOT\s+)?(%?[\w.-]+)\s*=/gm)].map((m) => m[1]).concat(['nowhere']))),
  (t, next) => {
    const at = below(next, t.length);
    return next() < 0.5 ? t.slice(0, at) + t.slice(at + 1 + below(next, 8)) : t.slice(0, at) + pick(next, [...'{}[](),=:%<>-0123456789']) + t.slice(at);
  },
];

/** Ops whose result shape cannot be inferred (ir/shape_inference's written-shape rules). */
const WRITTEN = new Set(['parameter', 'constant', 'reshape', 'broadcast', 'convert', 'bitcast-convert', 'bitcast', 'iota', 'rng', 'rng-bit-generator', 'custom-call']);

/**
 * The text without the result shapes kiln can infer: a mutated dimension or attribute
 * then flows on through shape inference instead of stopping at the first written shape
 * that no longer agrees, so more mutants reach the passes, lowering and the interpreter.
 */
function stripShapes(text: string): string {
  return text.replace(/^(\s*(?:ROOT\s+)?%?[\w.-]+\s*=\s*)([a-z]\w*\[[^\]]*\](?:\{[^}]*\})?)\s+([a-z][\w-]*)\(/gm,
    (all, head: string, _shape: string, op: string) => (WRITTEN.has(op) ? all : `${head}${op}(`));
}

export function mutateHlo(text: string, next: Rand): string {
  let out = next() < 0.5 ? stripShapes(text) : text;
  const changes = 1 + below(next, 3);
  for (let k = 0; k < changes; k++) out = pick(next, TEXT_MUTATORS)(out, next);
  return out;
}

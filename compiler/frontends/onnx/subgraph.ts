// What an ONNX subgraph reads from the scopes around it. A subgraph (If's branches,
// Loop's and Scan's bodies) may name any value of an enclosing graph; kiln turns each
// such read into an explicit operand of the computation the subgraph becomes, so it has
// to know the names first. The answer is memoised per GraphProto: a subgraph nested k
// deep is asked once per enclosing level, and walking it again each time would make
// deep nesting quadratic or worse.
import type { ComputationBuilder } from '../../../ir/builder.js';
import { OnnxError } from './errors.js';
import { tensorValues, type LoadedModel } from './model.js';
import type { OnnxValue } from './ops/types.js';
import type { GraphProto, ValueInfoProto } from './proto/onnx_pb.js';
import { dtypeOf, onnxTypeName } from './tensor.js';

const outerCache = new WeakMap<GraphProto, readonly string[]>();

/** Names g reads that it does not define (its inputs, initializers, node outputs), including reads of its own subgraphs. */
export function outerNames(g: GraphProto): readonly string[] {
  const cached = outerCache.get(g);
  if (cached) return cached;
  const defined = new Set<string>([...g.input.map((v) => v.name), ...g.initializer.map((t) => t.name)]);
  for (const n of g.node) for (const o of n.output) defined.add(o);
  const read = new Set<string>();
  for (const n of g.node) {
    for (const i of n.input) if (i !== '') read.add(i);
    for (const a of n.attribute) {
      for (const sub of a.g ? [a.g, ...a.graphs] : a.graphs) for (const name of outerNames(sub)) read.add(name);
    }
  }
  for (const o of g.output) read.add(o.name); // an output may be an outer value as it is
  const out = [...read].filter((name) => !defined.has(name));
  outerCache.set(g, out);
  return out;
}

/** What kind of value an input or output of a subgraph holds, when not a tensor. */
function nonTensorKind(vi: ValueInfoProto): string | undefined {
  const c = vi.type?.value.case;
  if (c === 'sequenceType') return 'a sequence';
  if (c === 'optionalType') return 'an optional';
  if (c === 'mapType') return 'a map';
  if (c === 'sparseTensorType') return 'a sparse tensor';
  return undefined;
}

/** Refuses a subgraph whose inputs or outputs are sequences, optionals or maps, before lowering any of its nodes. */
function checkTensorsOnly(g: GraphProto, where: string): void {
  for (const [what, list] of [['input', g.input], ['output', g.output]] as const)
    for (const vi of list) {
      const kind = nonTensorKind(vi);
      // "is not a tensor" as for graph inputs, which the conformance table counts as out of scope.
      if (kind) throw new OnnxError(`${where}: ${what} '${vi.name}' is not a tensor (it is ${kind}); kiln supports only tensor values in subgraphs`);
    }
}

/**
 * The values a subgraph's nodes start from in computation c: the outer ones it reads,
 * its inputs bound to formals (whose element types must match any it declares; its
 * declared shapes are often partial, so the formals' shapes rule), its initializers.
 */
export function subgraphScope(
  g: GraphProto, c: ComputationBuilder, formals: readonly OnnxValue[], outer: ReadonlyMap<string, OnnxValue>, where: string, model: LoadedModel,
): Map<string, OnnxValue> {
  checkTensorsOnly(g, where);
  if (g.input.length !== formals.length) throw new OnnxError(`${where}: the graph has ${g.input.length} inputs, expected ${formals.length}`);
  const values = new Map(outer);
  g.input.forEach((vi, i) => {
    const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
    const got = formals[i].instr.shape;
    if (tt && tt.elemType !== 0 && got.kind === 'array' && dtypeOf(tt.elemType, `${where}: input '${vi.name}'`) !== got.dtype)
      throw new OnnxError(`${where}: input '${vi.name}' is declared ${onnxTypeName(tt.elemType)}, but receives ${got.dtype}`);
    values.set(vi.name, formals[i]);
  });
  for (const t of g.initializer) {
    const lit = tensorValues(t, `${where}: initializer '${t.name}'`, model);
    values.set(t.name, { instr: c.constant(lit), literal: lit });
  }
  return values;
}

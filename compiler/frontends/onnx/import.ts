// Importing an ONNX graph into kiln IR: graph inputs become parameters (with the
// model's names), initializers constants (or parameters when asked), each node is
// lowered by its entry in the op table, and values known at compile time (shapes,
// Constant nodes, arithmetic on them) are folded so that Reshape, Slice, Pad... see
// their shape arguments as numbers.
import { ComputationBuilder, ModuleBuilder } from '../../../ir/builder.js';
import type { DType } from '../../../ir/dtype.js';
import { evaluate } from '../../../ir/interpret/index.js';
import type { ArrayLiteral } from '../../../ir/literal.js';
import type { Computation, Instruction, Module } from '../../../ir/module.js';
import { array, elementCount, scalar, type ArrayShape } from '../../../ir/shape.js';
import { isEngineError } from '../../../ir/bugs.js';
import { exactElements } from '../../../ir/limits.js';
import { NeedsConstant, nodeLabel, OnnxError, OnnxUnsupported } from './errors.js';
import { checkNode, checkOutputs } from './validate.js';
import { decodeModel, tensorValues, type LoadedModel } from './model.js';
import { ONNX_OPS } from './ops/index.js';
import type { AttrKind, AttrSchema, LowerCtx, OnnxValue } from './ops/types.js';
import { LATEST_OPSET } from './ops/types.js';
import type { AttributeProto, GraphProto, NodeProto, ValueInfoProto } from './proto/onnx_pb.js';
import { outerNames, subgraphScope } from './subgraph.js';
import { checkDims, dtypeOf, onnxTypeName } from './tensor.js';

export interface ImportOptions {
  /** Concrete dims per graph input name, for inputs with symbolic or unknown dims. */
  shapes?: Readonly<Record<string, readonly number[]>>;
  /** Values of symbolic dimension names (`batch=8`), applied to every input that uses them. */
  dims?: Readonly<Record<string, number>>;
  /** Floating-point initializers become trailing parameters instead of constants. */
  weightsAsParameters?: boolean;
  /**
   * Graph inputs whose values are fixed at compile time (a shape, axes, pads fed as an
   * input): they become constants, so the ops that need them known see them.
   */
  constants?: Readonly<Record<string, ArrayLiteral>>;
}

export interface ImportedModel {
  module: Module;
  /** Parameter names in parameter order (graph inputs, then weights when asked). */
  inputs: string[];
  /** Output names in the order of the root tuple (or the single root). */
  outputs: string[];
  /** The default-domain opset the model imports. */
  opset: number;
  /** With weightsAsParameters: the values of the initializers that became parameters, in their order. */
  weights: { name: string; value: ArrayLiteral }[];
}

/** Values whose element count is at most this are folded when all their inputs are known. */
const FOLD_LIMIT = 1 << 16;

export function importOnnx(bytes: Uint8Array, file = '<model>', opts: ImportOptions = {}): ImportedModel {
  return importModel(decodeModel(bytes, file), opts);
}

type Value = OnnxValue;

/** What every node of one import shares, at any depth of subgraphs. */
interface Importer {
  model: LoadedModel;
  opset: number;
  mb: ModuleBuilder;
  reducers: Map<string, Computation>;
}

export function importModel(model: LoadedModel, opts: ImportOptions = {}): ImportedModel {
  const graph = model.proto.graph!;
  const opset = defaultOpset(model);
  const mb = new ModuleBuilder(sanitize(graph.name || 'onnx_model'));
  const inputs: string[] = [];
  const weights: ImportedModel['weights'] = [];
  let outputs: string[] = [];
  mb.entry('main', (b) => {
    const values = new Map<string, Value>();
    const inits = new Set(graph.initializer.map((t) => t.name));
    for (const vi of graph.input) {
      if (inits.has(vi.name)) continue; // older exporters list initializers as inputs too
      const fixed = opts.constants?.[vi.name];
      if (fixed) {
        values.set(vi.name, { instr: b.constant(fixed, sanitize(vi.name)), literal: fixed });
        continue;
      }
      values.set(vi.name, { instr: b.parameter(inputShape(vi, model, opts), sanitize(vi.name)) });
      inputs.push(vi.name);
    }
    for (const t of graph.initializer) {
      const where = `${model.file}: initializer '${t.name}'`;
      const lit = tensorValues(t, where, model);
      if (opts.weightsAsParameters && isFloat(lit.shape.dtype)) {
        values.set(t.name, { instr: b.parameter(lit.shape, sanitize(t.name)) });
        inputs.push(t.name);
        weights.push({ name: t.name, value: lit });
      } else values.set(t.name, { instr: b.constant(lit, sanitize(t.name)), literal: lit });
    }
    const imp: Importer = { model, opset, mb, reducers: new Map() };
    const skipped = lowerNodes(imp, graph, b, values, model.file, inputs);
    outputs = graph.output.map((o) => o.name);
    const roots = outputs.map((name) => graphOutput(values, skipped, name, model.file).instr);
    if (roots.length === 0) throw new OnnxError(`${model.file}: the graph has no outputs`);
    return roots.length === 1 ? roots[0] : roots;
  });
  const module = pruneDead(mb.build());
  return { module, inputs, outputs, opset, weights };
}

/** The default domain's opset; 0 when the model imports none (then only other domains' nodes, which fail by domain). */
function defaultOpset(model: LoadedModel): number {
  const imp = model.proto.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!imp) return 0;
  const v = Number(imp.version);
  if (v < 1 || v > LATEST_OPSET) throw new OnnxError(`${model.file}: opset ${v} is outside what kiln supports (1-${LATEST_OPSET})`);
  return v;
}

/** The shape of a graph input, with symbolic dims bound from the options. */
function inputShape(vi: ValueInfoProto, model: LoadedModel, opts: ImportOptions): ArrayShape {
  const where = `${model.file}: input '${vi.name}'`;
  const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
  if (!tt) throw new OnnxError(`${where} is not a tensor (sequence, map and optional inputs are not supported)`);
  const dtype = dtypeOf(tt.elemType, where);
  const given = opts.shapes?.[vi.name];
  if (given) {
    const rank = tt.shape?.dim.length;
    if (rank !== undefined && rank !== given.length) throw new OnnxError(`${where} has rank ${rank}, --shape gives ${given.length} dims`);
    return array(dtype, checkDims(given, where));
  }
  if (!tt.shape) throw new OnnxError(`${where} has no shape in the model; give one with --shape ${vi.name}=DIMS`);
  const dims = tt.shape.dim.map((d, i) => {
    if (d.value.case === 'dimValue') return d.value.value;
    const sym = d.value.case === 'dimParam' ? d.value.value : undefined;
    const bound = sym !== undefined ? opts.dims?.[sym] : undefined;
    if (bound !== undefined) return bound;
    throw new OnnxError(
      `${where}: dimension ${i} is ${sym ? `symbolic ('${sym}')` : 'unknown'}; bind it with --shape ${vi.name}=DIMS${sym ? ` or --dim ${sym}=N` : ''}`,
    );
  });
  return array(dtype, checkDims(dims, where));
}

/**
 * Lowers a graph's nodes in order into b, adding their outputs to values. Returns the
 * optional outputs left uncomputed (name → node). `where` prefixes every error; `params` names
 * the computation's parameters (the graph inputs at top level; none in a subgraph, whose
 * parameters are its captures) for NeedsConstant.
 */
function lowerNodes(
  imp: Importer, graph: GraphProto, b: ComputationBuilder, values: Map<string, Value>, where: string, params: readonly string[] = [],
): Map<string, string> {
  const skipped = new Map<string, string>();
  graph.node.forEach((node, k) => lowerNode(imp, node, k, b, values, skipped, where, params));
  return skipped;
}

function graphOutput(values: Map<string, Value>, skipped: Map<string, string>, name: string, where: string): Value {
  const v = values.get(name);
  if (!v && skipped.has(name)) throw new OnnxError(`${where}: graph output '${name}' is an optional output of ${skipped.get(name)} that kiln does not compute`);
  if (!v) throw new OnnxError(`${where}: graph output '${name}' is not produced by any node`);
  return v;
}

/**
 * A subgraph lowered into c (a branch or loop body computation, or the node's own
 * computation when an If's branch is known): its inputs bound to formals, the names it
 * reads from outside to outer, its own initializers made constants.
 */
function lowerSubgraph(
  imp: Importer, g: GraphProto, c: ComputationBuilder, formals: readonly Value[], outer: ReadonlyMap<string, Value>, where: string,
): Value[] {
  const values = subgraphScope(g, c, formals, outer, where, imp.model);
  const skipped = lowerNodes(imp, g, c, values, where);
  return g.output.map((o) => graphOutput(values, skipped, o.name, where));
}

function lowerNode(
  imp: Importer, node: NodeProto, index: number, b: ComputationBuilder, values: Map<string, Value>,
  skipped: Map<string, string>, where: string, params: readonly string[],
): void {
  const { model, opset, mb } = imp;
  const nodeName = nodeLabel({ name: node.name || `#${index}`, opType: node.opType, domain: node.domain }, opset);
  const label = `${where}: ${nodeName}`;
  const fail = (msg: string): never => {
    throw new OnnxError(`${label}: ${msg}`);
  };
  const unsupported = (msg: string): never => {
    throw new OnnxUnsupported(`${label}: ${msg}`);
  };
  if (node.domain !== '' && node.domain !== 'ai.onnx') unsupported(`domain '${node.domain}' is not supported`);
  if (opset === 0) fail('the model imports no opset of the default ONNX domain');
  const entry = Object.hasOwn(ONNX_OPS, node.opType) ? ONNX_OPS[node.opType] : undefined;
  if (!entry) return unsupported('kiln has no lowering for this op');
  if (opset < entry.opsets[0] || opset > entry.opsets[1])
    unsupported(`kiln implements ${node.opType} for opsets ${entry.opsets[0]}-${entry.opsets[1]}`);
  const attrs = decodeAttrs(node.attribute, entry.attrs, model, fail);
  const inputOf = (i: number): Value | undefined => {
    const name = node.input[i];
    if (name === undefined || name === '') return undefined;
    const v = values.get(name);
    if (!v && skipped.has(name)) fail(`input '${name}' is an optional output of ${skipped.get(name)} that kiln does not compute`);
    if (!v) fail(`input '${name}' is not a graph input, an initializer or an earlier node's output`);
    return v;
  };
  checkNode(node, (i) => inputOf(i)?.instr.shape, fail);
  const ctx: LowerCtx = {
    b, mb, opset,
    inputCount: node.input.length,
    outputCount: node.output.length,
    input: (i) => inputOf(i)?.instr ?? fail(`input ${i} is required`),
    optional: (i) => inputOf(i)?.instr,
    known: (i) => inputOf(i)?.literal,
    constant: (i, what) => {
      const v = inputOf(i) ?? fail(`input ${i} (${what}) is required`);
      if (v.literal) return v.literal;
      throw new NeedsConstant(
        `${label}: input ${i} (${what}) must be known at compile time (an initializer, a Constant, or a graph input fixed with --bind NAME=PATH.npy)`,
        parametersOf(v.instr).flatMap((n) => (params[n] === undefined ? [] : [params[n]])), nodeName,
      );
    },
    reducer: (opName, dtype) => reducer(mb, imp.reducers, opName, dtype),
    fail,
    graphs: {
      captures: (g) => new Map(outerNames(g).flatMap((n) => (values.has(n) ? [[n, values.get(n)!] as const] : []))),
      lower: (g, attr, c, formals, outer) => lowerSubgraph(imp, g, c, formals, outer, `${label} ${attr}`),
    },
  };
  let outs: Instruction[];
  try {
    outs = entry.lower(ctx, attrs as never);
  } catch (e) {
    if (isEngineError(e)) throw e; // a TypeError in a lowering is kiln's bug (exit 70), not bad input
    if (e instanceof OnnxError && e.message.startsWith(`${model.file}: `)) throw e; // already names where
    return fail((e as Error).message);
  }
  checkOutputs(outs, fail);
  const inputsKnown = node.input.every((n) => n === '' || values.get(n)?.literal !== undefined);
  node.output.forEach((name, k) => {
    if (name === '') return;
    const instr = outs[k];
    if (!instr) {
      if (k === 0) fail('produced no output');
      skipped.set(name, nodeLabel({ name: node.name || `#${index}`, opType: node.opType, domain: node.domain }, opset));
      return; // an optional output kiln does not compute: an error only if something reads it
    }
    // A lowering may return a constant even from unknown inputs (Shape, Size of a static shape).
    values.set(name, inputsKnown || instr.opcode === 'constant' ? fold(b, instr) : { instr });
  });
}

/** A value computed from constants only, evaluated now when small. */
function fold(b: ComputationBuilder, instr: Instruction): Value {
  if (instr.shape.kind !== 'array' || elementCount(instr.shape) > FOLD_LIMIT) return { instr };
  if (instr.opcode === 'constant') return { instr, literal: instr.attrs.literal as ArrayLiteral };
  const order = reachable(instr);
  // A loop's trip count may be anything a file says: run it when the model runs, not now.
  if (order.some((i) => i.opcode === 'parameter' || i.opcode === 'while')) return { instr };
  // A small result can come from a huge intermediate (an Expand then a reduction): fold only what is cheap to hold.
  if (order.some((i) => i.shape.kind === 'array' && exactElements(i.shape.dims) > FOLD_LIMIT)) return { instr };
  const lit = evaluate({ name: 'fold', instructions: order, root: instr, isEntry: false, params: [] }, []) as ArrayLiteral;
  return { instr: b.constant(lit), literal: lit };
}

/** Instructions instr depends on, operands first. */
function reachable(instr: Instruction): Instruction[] {
  const seen = new Set<Instruction>();
  const order: Instruction[] = [];
  const visit = (i: Instruction) => {
    if (seen.has(i)) return;
    seen.add(i);
    i.operands.forEach(visit);
    order.push(i);
  };
  visit(instr);
  return order;
}

/** The numbers of the parameters a value is computed from. */
function parametersOf(instr: Instruction): number[] {
  return reachable(instr).filter((i) => i.opcode === 'parameter').map((i) => i.attrs.parameter_number as number);
}

/** Drops instructions nothing uses (left behind by folding), keeping every parameter. */
function pruneDead(m: Module): Module {
  for (const c of m.computations) {
    const live = new Set(reachable(c.root));
    for (const p of c.params) live.add(p);
    c.instructions = c.instructions.filter((i) => live.has(i));
  }
  return m;
}

function reducer(mb: ModuleBuilder, cache: Map<string, Computation>, opName: Parameters<LowerCtx['reducer']>[0], dtype: DType): Computation {
  const key = `${opName}.${dtype}`;
  let c = cache.get(key);
  if (!c) {
    c = mb.computation(`${opName}_${dtype}`, (r) => r.op(opName, [r.parameter(scalar(dtype), 'x'), r.parameter(scalar(dtype), 'y')], {}));
    cache.set(key, c);
  }
  return c;
}

const ATTR_TYPES: Record<AttrKind, number> = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8 };

function decodeAttrs(list: AttributeProto[], schema: AttrSchema, model: LoadedModel, fail: (m: string) => never): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = spec.default;
  const seen = new Set<string>();
  for (const a of list) {
    const spec = Object.hasOwn(schema, a.name) ? schema[a.name] : undefined;
    if (!spec) fail(`attribute '${a.name}' is not supported`);
    if (seen.has(a.name)) fail(`attribute '${a.name}' is given twice`);
    seen.add(a.name);
    if (a.refAttrName) fail(`attribute '${a.name}' refers to a function attribute, which kiln does not support`);
    const want = ATTR_TYPES[spec!.kind];
    if (a.type !== 0 && a.type !== want) fail(`attribute '${a.name}' has type ${a.type}, expected ${spec!.kind}`);
    out[a.name] = attrValue(a, spec!.kind, model);
  }
  return out;
}

const decoder = new TextDecoder();

function attrValue(a: AttributeProto, kind: AttrKind, model: LoadedModel): unknown {
  switch (kind) {
    case 'int': return Number(a.i);
    case 'ints': return a.ints.map(Number);
    case 'float': return a.f;
    case 'floats': return [...a.floats];
    case 'string': return decoder.decode(a.s);
    case 'strings': return a.strings.map((s) => decoder.decode(s));
    case 'tensor': {
      if (!a.t) throw new OnnxError(`${model.file}: attribute '${a.name}' has no tensor`);
      return tensorValues(a.t, `${model.file}: attribute '${a.name}'`, model);
    }
    case 'graph': return a.g satisfies GraphProto | undefined;
  }
}

const isFloat = (d: DType) => d === 'f32' || d === 'f64' || d === 'f16' || d === 'bf16';

/** ONNX names may hold any character; HLO names are [A-Za-z0-9_.-]. */
export function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(s) ? s : `v_${s}`;
}

export { onnxTypeName };

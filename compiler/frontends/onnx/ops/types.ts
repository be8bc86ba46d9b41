// What an entry of the ONNX op table is: the opsets it covers, its attributes with
// their kinds and defaults, and a lowering onto kiln IR through the builder.
//
// Attribute specs drive the types: `attrs: { axis: int(1), perm: ints() }` gives the
// lowering `a.axis: number` and `a.perm: number[] | undefined`.
import type { DType } from '../../../../ir/dtype.js';
import type { ArrayLiteral } from '../../../../ir/literal.js';
import type { Computation, Instruction } from '../../../../ir/module.js';
import type { ComputationBuilder, ModuleBuilder } from '../../../../ir/builder.js';
import type { GraphProto } from '../proto/onnx_pb.js';

export interface AttrKinds {
  int: number;
  ints: number[];
  float: number;
  floats: number[];
  string: string;
  strings: string[];
  tensor: ArrayLiteral;
  graph: GraphProto;
}
export type AttrKind = keyof AttrKinds;

export interface AttrSpec<K extends AttrKind = AttrKind, D extends AttrKinds[K] | undefined = AttrKinds[K] | undefined> {
  kind: K;
  default: D;
}

const spec = <K extends AttrKind>(kind: K) =>
  (<D extends AttrKinds[K] | undefined = undefined>(dflt?: D): AttrSpec<K, D> => ({ kind, default: dflt as D }));
export const int = spec('int');
export const ints = spec('ints');
export const float = spec('float');
export const floats = spec('floats');
export const string = spec('string');
export const strings = spec('strings');
export const tensor = spec('tensor');
export const graph = spec('graph');

export type AttrSchema = Readonly<Record<string, AttrSpec>>;

/** Attribute values as a lowering sees them: defaulted ones are never undefined. */
export type AttrValues<S extends AttrSchema> = {
  readonly [N in keyof S]: S[N] extends AttrSpec<infer K, infer D> ? (D extends undefined ? AttrKinds[K] | undefined : AttrKinds[K]) : never;
};

/** A value as the importer tracks it: its instruction, and its values when known at compile time. */
export interface OnnxValue {
  readonly instr: Instruction;
  readonly literal?: ArrayLiteral;
}

/**
 * Subgraphs (If's branches, Loop's and Scan's bodies) for the control-flow ops. A
 * subgraph reads outer values by name; kiln makes every such read explicit, so the op
 * passes those values into the computation the subgraph becomes.
 */
export interface Subgraphs {
  /**
   * The values of enclosing scopes that g reads, directly or from a subgraph inside it,
   * by name, as values of the node's computation. Names not found are left out (the
   * read fails inside g, naming the node that reads it).
   */
  captures(g: GraphProto): Map<string, OnnxValue>;
  /**
   * Lowers g into computation c: g's inputs bound to formals in order, the names it reads
   * from outside to outer (values of c). `attr` names g in errors. Returns g's outputs.
   */
  lower(g: GraphProto, attr: string, c: ComputationBuilder, formals: readonly OnnxValue[], outer: ReadonlyMap<string, OnnxValue>): OnnxValue[];
}

/** What a lowering gets: the node's inputs as IR values, and the builders. */
export interface LowerCtx {
  /** The entry computation being built. */
  readonly b: ComputationBuilder;
  readonly mb: ModuleBuilder;
  /** The opset of the node's domain the model imports. */
  readonly opset: number;
  /** How many inputs the node lists (optional ones may be ''). */
  readonly inputCount: number;
  /** How many outputs the node lists. */
  readonly outputCount: number;
  /** Input i; throws naming the node when it is missing and required. */
  input(i: number): Instruction;
  /** Input i, or undefined when absent or ''. */
  optional(i: number): Instruction | undefined;
  /** Input i's values, which must be known at compile time (an initializer, a Constant, or folded). */
  constant(i: number, what: string): ArrayLiteral;
  /** Input i's values when known at compile time. */
  known(i: number): ArrayLiteral | undefined;
  /** A scalar computation (a, b) -> op(a, b) for reductions, made once per (op, dtype). */
  reducer(op: 'add' | 'multiply' | 'maximum' | 'minimum' | 'and' | 'or', dtype: DType): Computation;
  /** Throws an error naming the node, its op and opset. */
  fail(message: string): never;
  /** The node's subgraphs, for control flow. */
  readonly graphs: Subgraphs;
}

export interface OnnxOp<S extends AttrSchema = AttrSchema> {
  /** First and last opset of the default domain this entry implements. */
  readonly opsets: readonly [number, number];
  readonly attrs: S;
  /** Returns one IR value per node output (trailing optional outputs may be left off). */
  lower(ctx: LowerCtx, a: AttrValues<S>): Instruction[];
}

/** Declares a table entry with its attribute types inferred from the schema. */
export const op = <S extends AttrSchema>(o: OnnxOp<S>): OnnxOp<S> => o;

/** The latest opset kiln knows (ONNX 1.12, the conformance tests' version). */
export const LATEST_OPSET = 17;

// Instructions, computations and modules: the HLO graph itself.
import type { Opcode, OpAttrs } from './opcodes.js';
import type { Shape } from './shape.js';

/** An attribute kiln does not model (metadata, sharding, backend_config, ...), kept as written. */
export interface RawAttr {
  readonly name: string;
  readonly text: string;
}

/** An instruction of opcode K. `attrs` is the typed attribute object its schema describes. */
export interface InstructionOf<K extends Opcode> {
  name: string;
  opcode: K;
  shape: Shape;
  operands: Instruction[];
  attrs: OpAttrs<K>;
  /** Unmodelled attributes, in source order. */
  raw: RawAttr[];
  /** Names of all attributes as the source wrote them, so printing keeps their order. */
  attrOrder?: string[];
  /** For XLA's generic async wrappers (`add-start`): the wrapped opcode as written. */
  asyncOf?: string;
  /** Where the text defined it, for error messages. */
  loc?: SourceLoc;
}

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Instruction = { [K in Opcode]: InstructionOf<K> }[Opcode];

export function is<K extends Opcode>(instr: Instruction, op: K): instr is Extract<Instruction, { opcode: K }> {
  return instr.opcode === op;
}

export interface Computation {
  name: string;
  /** In a valid order: every operand before its users (the order the text wrote them). */
  instructions: Instruction[];
  root: Instruction;
  isEntry: boolean;
  /** Parameters by parameter number. */
  params: Instruction[];
  /** Attributes written after the closing brace (`}, execution_thread="x"`), kept as written. */
  attrs?: RawAttr[];
}

/** How the source spelled things that carry no meaning, so printing can keep them. */
export interface PrintStyle {
  /** Names written with a leading `%`. */
  percent: boolean;
  /** Operands written with their shapes: `add(f32[2] %a, f32[2] %b)`. */
  operandShapes: boolean;
  /** Computations headed with their signature: `%c (a: f32[]) -> f32[] {`. */
  signatures: boolean;
}

export const CANONICAL_STYLE: PrintStyle = { percent: true, operandShapes: true, signatures: true };

export interface Module {
  name: string;
  /** Header attributes (`entry_computation_layout=...`), kept as written. */
  headerAttrs: RawAttr[];
  /** In definition order; callees before callers, the entry last as XLA prints it. */
  computations: Computation[];
  entry: Computation;
  /** XLA's stack-frame sections (`FileNames`, `StackFrames`, ...), kept verbatim. */
  debugInfo?: string;
  /** Present when the source had no `HloModule` line (XLA's header-less mode). */
  headerless?: boolean;
  style: PrintStyle;
}

export function findComputation(m: Module, name: string): Computation | undefined {
  return m.computations.find((c) => c.name === name);
}

/** Computations an instruction calls, from its typed attributes. */
export function calledComputations(instr: Instruction): Computation[] {
  const out: Computation[] = [];
  for (const v of Object.values(instr.attrs as Record<string, unknown>)) {
    if (isComputation(v)) out.push(v);
    else if (Array.isArray(v) && v.length > 0 && isComputation(v[0])) out.push(...(v as Computation[]));
  }
  return out;
}

function isComputation(v: unknown): v is Computation {
  return typeof v === 'object' && v !== null && 'instructions' in v && 'root' in v;
}

/** Users of each instruction within a computation. */
export function usersOf(c: Computation): Map<Instruction, Instruction[]> {
  const users = new Map<Instruction, Instruction[]>(c.instructions.map((i) => [i, []]));
  for (const i of c.instructions) for (const o of i.operands) users.get(o)?.push(i);
  return users;
}

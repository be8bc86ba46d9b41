// The verifier: checks that a Module is well formed (structure, attributes, shapes) and
// names the computation and instruction of every problem it finds. Shapes are checked by
// re-inferring each instruction's result with the written shape at hand and comparing.
import type { AttrKind } from './attrs.js';
import { Computation, Instruction, Module, calledComputations } from './module.js';
import { OPCODES, Opcode, isOpcode } from './opcodes.js';
import { Shape } from './shape.js';
import { ShapeError, inferShape, shapeMismatch } from './shape_inference.js';
import { checkOpaqueForm } from './verify_opaque.js';
import { VerifyError } from './verify_error.js';

export { VerifyError } from './verify_error.js';

/** Throws the first problem found, as a VerifyError. */
export function verifyModule(m: Module): void {
  const errors = verifyModuleAll(m);
  if (errors.length > 0) throw errors[0];
}

/** Every problem found, in module order. */
export function verifyModuleAll(m: Module): VerifyError[] {
  const errors: VerifyError[] = [];
  const report = (c: string | undefined, i: string | undefined, detail: string) => errors.push(new VerifyError(c, i, detail));

  if (!m.computations.includes(m.entry)) report(undefined, undefined, `the entry computation %${m.entry?.name} is not in the module's computations`);
  const names = new Set<string>();
  for (const c of m.computations) {
    if (names.has(c.name)) report(c.name, undefined, `the name %${c.name} is used by two computations`);
    names.add(c.name);
    if (c.isEntry !== (c === m.entry))
      report(c.name, undefined, c.isEntry ? 'is marked as entry but the module has another entry' : 'is the entry but not marked as entry');
  }
  // Which computation holds each instruction, to tell a foreign operand from a late one.
  const owner = new Map<Instruction, Computation>();
  for (const c of m.computations) for (const i of c.instructions ?? []) owner.set(i, c);
  const position = new Map(m.computations.map((c, k) => [c, k]));
  m.computations.forEach((c, k) => verifyComputation(m, c, k, owner, position, report));
  return errors;
}

type Report = (computation: string | undefined, instruction: string | undefined, detail: string) => void;

function verifyComputation(
  m: Module, c: Computation, index: number, owner: Map<Instruction, Computation>,
  position: Map<Computation, number>, report: Report,
): void {
  const here = (i: Instruction | undefined, detail: string) => report(c.name, i?.name, detail);
  if (!Array.isArray(c.instructions) || c.instructions.length === 0) return here(undefined, 'has no instructions');
  const order = new Map<Instruction, number>();
  const names = new Set<string>();
  c.instructions.forEach((i, k) => {
    if (order.has(i)) here(i, 'appears twice in the instruction list');
    else order.set(i, k);
    if (names.has(i.name) && order.get(i) === k) here(i, `the name %${i.name} is used by two instructions`);
    names.add(i.name);
  });
  if (!c.root) here(undefined, 'has no root');
  else if (!order.has(c.root)) here(undefined, `the root %${c.root.name} is not one of its instructions`);

  verifyParameters(c, here);

  c.instructions.forEach((instr, k) => {
    if (order.get(instr) !== k) return;
    if (!isOpcode(instr.opcode)) return here(instr, `unknown opcode ${String(instr.opcode)}`);
    instr.operands.forEach((o, j) => {
      const home = owner.get(o);
      if (home === c) {
        if (order.get(o)! >= k) here(instr, `operand ${j} %${o.name} is defined after its use`);
      } else {
        here(instr, home ? `operand ${j} %${o.name} belongs to computation %${home.name}` : `operand ${j} %${o.name} is in no computation of the module`);
      }
    });
    for (const callee of calledComputations(instr)) {
      const p = position.get(callee);
      if (p === undefined) here(instr, `calls computation %${callee.name}, which is not in the module`);
      else if (callee === m.entry) here(instr, `calls the entry computation %${callee.name}`);
      else if (p >= index) here(instr, `calls computation %${callee.name}, which is defined after its caller (callees come first)`);
    }
    const formProblem = checkOpaqueForm(instr);
    if (formProblem) here(instr, formProblem);
    const attrProblems = checkAttributes(instr);
    attrProblems.forEach((p) => here(instr, p));
    const shapeProblem = checkShapeValid(instr.shape);
    if (shapeProblem) return here(instr, shapeProblem);
    if (attrProblems.length === 0) {
      const problem = checkInstructionShape(instr);
      if (problem) here(instr, problem);
    }
  });
}

function verifyParameters(c: Computation, here: (i: Instruction | undefined, detail: string) => void): void {
  const params = c.instructions.filter((i) => i.opcode === 'parameter');
  const byNumber = new Map<number, Instruction>();
  for (const p of params) {
    if (p.opcode !== 'parameter') continue;
    const n = p.attrs.parameter_number;
    if (!Number.isInteger(n) || n < 0 || n >= params.length) {
      here(p, `parameter number ${n} is out of range: the computation has ${params.length} parameter${params.length === 1 ? '' : 's'}, numbered 0..${params.length - 1}`);
      continue;
    }
    const other = byNumber.get(n);
    if (other) here(p, `parameter number ${n} is also used by %${other.name}`);
    else byNumber.set(n, p);
  }
  if (!Array.isArray(c.params)) return here(undefined, 'has no parameter list');
  if (c.params.length !== params.length)
    here(undefined, `its parameter list has ${c.params.length} entries but it has ${params.length} parameter instructions`);
  c.params.forEach((p, n) => {
    const actual = byNumber.get(n);
    if (actual && p !== actual) here(undefined, `its parameter list has %${p.name} at ${n}, but parameter ${n} is %${actual.name}`);
  });
}

/** The inferred shape disagrees with the written one (or cannot be inferred): why. */
export function checkInstructionShape(instr: Instruction): string | undefined {
  try {
    const inferred = inferShape(instr.opcode, instr.operands.map((o) => o.shape), instr.attrs as never, { written: instr.shape });
    return shapeMismatch(instr.opcode, instr.shape, inferred);
  } catch (e) {
    // Anything but a ShapeError is a bug in shape inference, not a problem of the module:
    // let it surface as one (the fuzz test and the CLI's exit code 70 rely on that).
    if (e instanceof ShapeError) return e.detail;
    throw e;
  }
}

// --- Written shapes ------------------------------------------------------------------

export function checkShapeValid(s: Shape | undefined): string | undefined {
  if (!s) return 'has no shape';
  if (s.kind === 'tuple') {
    for (const e of s.elements) {
      const p = checkShapeValid(e);
      if (p) return p;
    }
    return undefined;
  }
  // -1 is an unbounded dynamic dimension (`?`).
  const bad = s.dims.findIndex((d, i) => !Number.isInteger(d) || (d < 0 && !(d === -1 && s.dynamic?.[i])));
  if (bad >= 0) return `shape has dimension ${bad} of size ${s.dims[bad]}, must be a non-negative integer`;
  if (s.layout) {
    const m2m = s.layout.minorToMajor;
    const ok = m2m.length === s.dims.length && [...m2m].sort((a, b) => a - b).every((d, i) => d === i);
    // XLA allows an empty layout `{}` only where it means nothing; a wrong length is an error.
    if (!ok && !(m2m.length === 0 && s.dims.length === 0))
      return `layout {${m2m.join(',')}} is not a permutation of the ${s.dims.length} dimensions of the shape`;
  }
  return undefined;
}

// --- Attributes ----------------------------------------------------------------------

const isInt = (v: unknown) => Number.isInteger(v);
const isInts = (v: unknown) => Array.isArray(v) && v.every(isInt);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasInts = (v: unknown, keys: readonly string[]) => isObj(v) && keys.every((k) => isInt(v[k]));
const isComputation = (v: unknown) => isObj(v) && Array.isArray(v.instructions) && 'root' in v;

const KIND_CHECKS: { [K in AttrKind]: readonly [test: (v: unknown) => boolean, expected: string] } = {
  int: [isInt, 'an integer'],
  ints: [isInts, 'a list of integers'],
  bool: [(v) => typeof v === 'boolean', 'true or false'],
  float: [(v) => typeof v === 'number', 'a number'],
  string: [(v) => typeof v === 'string', 'a string'],
  enum: [(v) => typeof v === 'string', 'a word'],
  enums: [(v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'a list of words'],
  slice: [(v) => Array.isArray(v) && v.every((d) => hasInts(d, ['start', 'limit', 'stride'])), 'a list of [start:limit:stride]'],
  padding: [(v) => Array.isArray(v) && v.every((d) => hasInts(d, ['low', 'high', 'interior'])), 'a list of low_high_interior'],
  window: [
    (v) => Array.isArray(v) && v.every((d) => hasInts(d, ['size', 'stride', 'padLow', 'padHigh', 'lhsDilate', 'rhsDilate'])),
    'a window',
  ],
  convDims: [
    (v) => hasInts(v, ['inputBatch', 'inputFeature', 'kernelInput', 'kernelOutput', 'outputBatch', 'outputFeature'])
      && isObj(v) && isInts(v.inputSpatial) && isInts(v.kernelSpatial) && isInts(v.outputSpatial),
    'convolution dimension labels',
  ],
  computation: [isComputation, 'a computation'],
  computations: [(v) => Array.isArray(v) && v.every(isComputation), 'a list of computations'],
  literal: [(v) => isObj(v) && isObj(v.shape), 'a literal'],
};

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isObj(v)) return 'an object';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Required attributes present, no unknown ones, each of its schema's kind. */
export function checkAttributes(instr: Instruction): string[] {
  const schema = OPCODES[instr.opcode as Opcode].schema as Record<string, { kind: AttrKind; required: boolean }>;
  const attrs = (instr.attrs ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema))
    if (spec.required && attrs[name] === undefined) problems.push(`missing required attribute ${name}`);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    const spec = schema[name];
    if (!spec) {
      problems.push(`${instr.opcode} has no attribute ${name}`);
      continue;
    }
    const [test, expected] = KIND_CHECKS[spec.kind];
    if (!test(value)) problems.push(`attribute ${name} should be ${expected}, got ${describe(value)}`);
  }
  return problems;
}

// From parsed text to IR: resolve operand and computation names, decode typed
// attributes by their schema kind, order instructions, and infer missing shapes.
import { isEngineError } from '../../../ir/bugs.js';
import { shapeTooLarge } from '../../../ir/limits.js';
import type { FieldSpec } from '../../../ir/attrs.js';
import type { Literal } from '../../../ir/literal.js';
import type { Computation, Instruction, Module, RawAttr } from '../../../ir/module.js';
import { OPCODES } from '../../../ir/opcodes.js';
import { sameShape, shapeToString, type Shape } from '../../../ir/shape.js';
import { inferShape } from '../../../ir/shape_inference.js';
import { DECODERS, DecodeContext } from './attributes.js';
import { Cursor } from './cursor.js';
import { Name } from './lexer.js';
import { checkRawInstructionAttr } from './raw_checks.js';
import type { ParsedComputation, ParsedInstruction, ParsedModule, Signature } from './parser.js';

export function resolveModule(pm: ParsedModule, c: Cursor): Module {
  const parsed = new Map<string, ParsedComputation>();
  for (const pc of pm.computations) {
    if (parsed.has(pc.name)) throw c.error(`computation ${pc.nameTok.image} is defined twice`, pc.nameTok);
    parsed.set(pc.name, pc);
  }
  const done = new Map<string, Computation>();
  const inProgress = new Set<string>();

  // Callees are built before callers, so a caller's missing shapes can use their root shapes.
  const build = (pc: ParsedComputation): Computation => {
    const existing = done.get(pc.name);
    if (existing) return existing;
    if (inProgress.has(pc.name)) throw c.error(`computation ${pc.nameTok.image} calls itself`, pc.nameTok);
    inProgress.add(pc.name);
    const ctx: DecodeContext = {
      computation(name, at) {
        const callee = parsed.get(name);
        if (!callee) throw at.error(`unknown computation '${name}'`, at.peek(-1));
        return build(callee);
      },
    };
    const comp = buildComputation(pc, c, ctx);
    inProgress.delete(pc.name);
    done.set(pc.name, comp);
    return comp;
  };
  const computations = pm.computations.map(build);
  const entries = computations.filter((comp) => comp.isEntry);
  if (entries.length > 1) throw c.error(`more than one ENTRY computation (${entries.map((e) => e.name).join(', ')})`);
  const entry = entries[0] ?? computations[computations.length - 1];
  entry.isEntry = true;
  // Keep the text's order: callees before callers is how XLA prints it too.
  return {
    name: pm.name,
    headerAttrs: pm.headerAttrs,
    computations,
    entry,
    ...(pm.headerless ? { headerless: true } : {}),
    ...(pm.debugInfo ? { debugInfo: pm.debugInfo } : {}),
    style: pm.style,
  };
}

function buildComputation(pc: ParsedComputation, c: Cursor, ctx: DecodeContext): Computation {
  const byName = new Map<string, ParsedInstruction>();
  for (const pi of pc.instructions) {
    if (byName.has(pi.name)) throw c.error(`instruction ${pi.nameTok.image} is defined twice`, pi.nameTok);
    byName.set(pi.name, pi);
  }
  const built = new Map<ParsedInstruction, Instruction>();
  const visiting = new Set<ParsedInstruction>();
  const ordered: Instruction[] = [];

  // Depth-first so an operand written after its user still comes first; a cycle is an error.
  const visit = (pi: ParsedInstruction): Instruction => {
    const have = built.get(pi);
    if (have) return have;
    if (visiting.has(pi)) throw c.error(`instruction ${pi.nameTok.image} depends on itself`, pi.nameTok);
    visiting.add(pi);
    const operands = pi.operandNames.map((tok, k) => {
      const def = byName.get(tok.image.replace(/^%/, ''));
      if (!def) throw c.error(`unknown operand ${tok.image} in computation ${pc.nameTok.image}`, tok);
      const operand = visit(def);
      const written = pi.operandTypes?.[k];
      if (written && !sameShape(written, operand.shape))
        throw c.error(
          `operand ${tok.image} is written as ${shapeToString(written, { layout: false })} but is ${shapeToString(operand.shape, { layout: false })}`,
          tok,
        );
      return operand;
    });
    const instr = buildInstruction(pi, operands, c, ctx);
    visiting.delete(pi);
    built.set(pi, instr);
    ordered.push(instr);
    return instr;
  };
  pc.instructions.forEach(visit);
  checkControlPredecessors(pc, byName, c);

  const roots = pc.instructions.filter((pi) => pi.isRoot);
  if (roots.length > 1) throw c.error(`computation ${pc.nameTok.image} has more than one ROOT`, roots[1].nameTok);
  const root = built.get(roots[0] ?? pc.instructions[pc.instructions.length - 1])!;
  const params = ordered.filter((i) => i.opcode === 'parameter');
  params.sort((a, b) => paramNumber(a) - paramNumber(b));
  if (pc.signature) checkSignature(pc.signature, root, c);
  const comp: Computation = { name: pc.name, instructions: ordered, root, isEntry: pc.isEntry, params };
  if (pc.trailingAttrs.length > 0) comp.attrs = pc.trailingAttrs;
  return comp;
}

/** `control-predecessors={%a, %b}` (kept as a raw attribute) must name instructions of the computation. */
function checkControlPredecessors(pc: ParsedComputation, byName: Map<string, ParsedInstruction>, c: Cursor): void {
  for (const pi of pc.instructions)
    for (const { name, tokens } of pi.attrs) {
      if (name.image !== 'control-predecessors') continue;
      for (const tok of tokens)
        if (tok.tokenType === Name && !byName.has(tok.image.replace(/^%/, '')))
          throw c.error(`control predecessor ${tok.image} is not an instruction of computation ${pc.nameTok.image}`, tok);
    }
}

/**
 * The result written in a computation's signature must be its root's shape, as XLA's
 * parser requires. The parameter list is not checked: XLA's own test files have
 * signatures that list fewer parameters than the body.
 */
function checkSignature(sig: Signature, root: Instruction, c: Cursor): void {
  const fmt = (s: Shape) => shapeToString(s, { layout: false });
  if (!sameShape(sig.result, root.shape))
    throw c.error(`the computation returns ${fmt(sig.result)} but its root %${root.name} is ${fmt(root.shape)}`, sig.resultTok);
}

const paramNumber = (i: Instruction): number => (i.opcode === 'parameter' ? i.attrs.parameter_number : -1);

function buildInstruction(pi: ParsedInstruction, operands: Instruction[], c: Cursor, ctx: DecodeContext): Instruction {
  const schema = OPCODES[pi.opcode].schema as Readonly<Record<string, FieldSpec>>;
  const attrs: Record<string, unknown> = {};
  const raw: RawAttr[] = [];
  if (pi.opcode === 'parameter') attrs.parameter_number = pi.parenValue as number;
  if (pi.opcode === 'constant') attrs.literal = pi.parenValue as Literal;
  for (const { name, tokens } of pi.attrs) {
    const spec = schema[name.image];
    if (name.image in attrs) throw c.error(`attribute '${name.image}' is given twice`, name);
    if (!spec) {
      checkRawInstructionAttr(name, tokens, c, { opcode: pi.opcode, nameTok: pi.nameTok, written: pi.shape, operands: operands.map((o) => o.shape) });
      raw.push({ name: name.image, text: tokens.length ? c.span(tokens[0], tokens[tokens.length - 1]) : '' });
      attrs[name.image] = undefined; // marks it seen for the duplicate check; removed below
      continue;
    }
    const sub = new Cursor(tokens, c.file, c.text, endOf(tokens, name));
    attrs[name.image] = DECODERS[spec.kind](sub, ctx);
    if (!sub.atEnd()) throw sub.error(`unexpected '${sub.peek()!.image}' in attribute '${name.image}'`);
  }
  for (const r of raw) delete attrs[r.name];
  for (const [field, spec] of Object.entries(schema))
    if (spec.required && attrs[field] === undefined)
      throw c.error(`${pi.opcode} ${pi.nameTok.image} is missing attribute '${field}'`, pi.opTok);

  let shape = pi.shape;
  if (!shape) {
    try {
      shape = inferShape(pi.opcode, operands.map((o) => o.shape), attrs as never);
    } catch (e) {
      if (isEngineError(e)) throw e;
      throw c.error(`cannot infer the shape of ${pi.nameTok.image}: ${(e as Error).message}`, pi.opTok);
    }
    // A written shape was checked by the parser; an inferred one (a pad, a concatenate) can still be out of range.
    const tooLarge = shapeTooLarge(shape);
    if (tooLarge) throw c.error(`${pi.nameTok.image}: ${tooLarge}`, pi.opTok);
  }
  const instr = { name: pi.name, opcode: pi.opcode, shape, operands, attrs, raw } as Instruction;
  if (pi.attrs.length > 0) instr.attrOrder = pi.attrs.map((a) => a.name.image);
  if (pi.asyncOf) instr.asyncOf = pi.asyncOf;
  instr.loc = { file: c.file, line: pi.nameTok.startLine ?? 0, column: pi.nameTok.startColumn ?? 0 };
  return instr;
}

function endOf(tokens: { endLine?: number; endColumn?: number }[], fallback: { endLine?: number; endColumn?: number }) {
  const last = tokens[tokens.length - 1] ?? fallback;
  return { line: last.endLine ?? 0, column: (last.endColumn ?? 0) + 1 };
}

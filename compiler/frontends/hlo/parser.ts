// The HLO text parser: module header, computations, instructions, shapes. Attribute
// values are captured as token spans here and decoded by kind in attributes.ts, the
// way XLA's own parser decides an attribute's grammar by its name.
import { isDType } from '../../../ir/dtype.js';
import type { PrintStyle, RawAttr } from '../../../ir/module.js';
import { OPCODES, Opcode, isOpcode } from '../../../ir/opcodes.js';
import { shapeTooLarge } from '../../../ir/limits.js';
import { ArrayShape, Layout, Shape } from '../../../ir/shape.js';
import { Cursor, HloParseError } from './cursor.js';
import * as T from './lexer.js';
import type { Token } from './lexer.js';
import { int, stripPercent } from './attributes.js';
import { parseLiteral } from './literal.js';
import { checkHeaderAttr, checkLayoutSuffix } from './raw_checks.js';

/** An instruction as written, before operands and attributes are resolved. */
export interface ParsedInstruction {
  nameTok: Token;
  name: string;
  isRoot: boolean;
  shape?: Shape;
  opcode: Opcode;
  asyncOf?: string;
  opTok: Token;
  operandNames: Token[];
  /** The type written before each operand name (`f32[2] %x`), checked against its definition. */
  operandTypes?: (Shape | undefined)[];
  /** parameter(N) or constant(literal). */
  parenValue?: unknown;
  attrs: { name: Token; tokens: Token[] }[];
}

export interface ParsedComputation {
  nameTok: Token;
  name: string;
  isEntry: boolean;
  instructions: ParsedInstruction[];
  trailingAttrs: RawAttr[];
  /** `(a: f32[], ...) -> f32[]` when written; checked against the parameters and root. */
  signature?: Signature;
}

export interface Signature {
  params: { nameTok: Token; shape: Shape }[];
  result: Shape;
  resultTok: Token;
}

export interface ParsedModule {
  name: string;
  headerless: boolean;
  headerAttrs: RawAttr[];
  computations: ParsedComputation[];
  style: PrintStyle;
  debugInfo?: string;
}

export function tokenize(text: string, file: string): Cursor {
  const lexed = T.hloLexer.tokenize(text);
  const lines = text.split('\n');
  const eof = { line: lines.length, column: lines[lines.length - 1].length + 1 };
  if (lexed.errors.length > 0) {
    const e = lexed.errors[0];
    throw new HloParseError(file, e.line ?? 0, e.column ?? 0, `unexpected character '${text[e.offset]}'`);
  }
  return new Cursor(lexed.tokens, file, text, eof);
}

/** Reads a whole module; remembers how the text spelled optional things (its print style). */
export function parseModuleText(c: Cursor): ParsedModule {
  return new TextParser(c).module();
}

class TextParser {
  private operandShapes = false;
  private signatures = false;
  /** Nested operand instructions of the instruction being read. */
  private nested: ParsedInstruction[] = [];
  /** Computations written inline (`to_apply={...}`) since the last top-level one. */
  private inlined: ParsedComputation[] = [];
  /** Counter that keeps generated names unique within the module. */
  private generated = 0;
  constructor(private readonly c: Cursor) {}

  module(): ParsedModule {
    const c = this.c;
  let name = '_';
  const headerAttrs: RawAttr[] = [];
  const headerless = !c.isWord('HloModule');
  if (!headerless) {
    c.next();
    const tok = c.next();
    if (tok.tokenType !== T.Name && tok.tokenType !== T.Str) throw c.error(`expected a module name, found '${tok.image}'`, tok);
    name = tok.image;
    c.accept(T.Colon); // old dumps wrote `HloModule name:`
    while (c.accept(T.Comma)) headerAttrs.push(rawAttr(c, checkHeaderAttr));
  }
  const computations: ParsedComputation[] = [];
  const debugInfo = stackFrameSections(c);
  while (!c.atEnd()) computations.push(...this.computation());
  if (computations.length === 0) throw c.error('expected a computation');
  const percent = computations[0].instructions[0].nameTok.image.startsWith('%');
  return {
    name, headerless, headerAttrs, computations, debugInfo,
    style: { percent, operandShapes: this.operandShapes, signatures: this.signatures },
  };
  }

  computation(): ParsedComputation[] {
    const c = this.c;
    const isEntry = c.isWord('ENTRY');
    if (isEntry) c.next();
    const nameTok = c.expect(T.Name, 'a computation name');
    const signature = c.is(T.LParen) ? parseSignature(c) : undefined;
    if (signature) this.signatures = true;
    const comp = this.computationBody(nameTok, isEntry);
    if (signature) comp.signature = signature;
    while (c.accept(T.Comma)) comp.trailingAttrs.push(rawAttr(c));
    // Computations written inline in attributes come first: callees before callers.
    const out = [...this.inlined, comp];
    this.inlined = [];
    return out;
  }

  /** `{ instructions }`. Nested operand instructions are placed before their users. */
  private computationBody(nameTok: Token, isEntry: boolean): ParsedComputation {
    const c = this.c;
    c.expect(T.LBrace, `'{' to open computation ${nameTok.image}`);
    const outer = this.nested;
    this.nested = [];
    const instructions: ParsedInstruction[] = [];
    while (!c.accept(T.RBrace)) {
      if (c.atEnd()) throw c.error(`computation ${nameTok.image} is not closed with '}'`);
      const instr = this.instruction();
      instructions.push(...this.nested, instr);
      this.nested = [];
    }
    this.nested = outer;
    if (instructions.length === 0) throw c.error(`computation ${nameTok.image} has no instructions`, nameTok);
    return { nameTok, name: stripPercent(nameTok.image), isEntry, instructions, trailingAttrs: [] };
  }

  instruction(): ParsedInstruction {
    const c = this.c;
    const isRoot = c.isWord('ROOT');
    if (isRoot) c.next();
    const nameTok = c.expect(T.Name, 'an instruction name');
    c.expect(T.Equals, `'=' after instruction name ${nameTok.image}`);
    const shape = startsShape(c) ? parseShape(c) : undefined;
    const instr = this.instructionBody(nameTok, isRoot, shape);
    while (c.is(T.Comma) && c.is(T.Name, 1) && c.is(T.Equals, 2)) {
      c.next();
      const attrName = c.next();
      c.next();
      const kind = (OPCODES[instr.opcode].schema as Record<string, { kind: string }>)[attrName.image]?.kind;
      if (kind === 'computation' && c.is(T.LBrace)) {
        const inline = c.nested(() => this.computationBody(synthetic(attrName, `${instr.name}.${attrName.image}.${this.generated++}`), false));
        this.inlined.push(inline);
        instr.attrs.push({ name: attrName, tokens: [inline.nameTok] });
      } else instr.attrs.push({ name: attrName, tokens: valueTokens(c) });
    }
    return instr;
  }

  /** `opcode(operands)` after the name and shape; shared by nested operand instructions. */
  private instructionBody(nameTok: Token, isRoot: boolean, shape: Shape | undefined): ParsedInstruction {
    const c = this.c;
    const opTok = c.expect(T.Name, 'an opcode');
    const { opcode, asyncOf } = resolveOpcode(c, opTok);
    c.expect(T.LParen, `'(' after opcode ${opTok.image}`);
    const instr: ParsedInstruction = {
      nameTok, name: stripPercent(nameTok.image), isRoot, shape, opcode, asyncOf, opTok, operandNames: [], attrs: [],
    };
    if (opcode === 'parameter') instr.parenValue = int(c);
    else if (opcode === 'constant') {
      if (!shape) throw c.error(`constant ${nameTok.image} needs a written shape`, opTok);
      instr.parenValue = parseLiteral(c, shape);
    } else if (!c.is(T.RParen)) {
      const types: (Shape | undefined)[] = [];
      do {
        const [tok, type] = this.operand();
        instr.operandNames.push(tok);
        types.push(type);
      } while (c.accept(T.Comma));
      if (types.some((t) => t)) instr.operandTypes = types;
    }
    c.expect(T.RParen, `')' to close the operands of ${nameTok.image}`);
    return instr;
  }

  /**
   * `[shape] name`, or a nested instruction `shape opcode(...)` that becomes its own
   * instruction. Returns the name and the type written before it, if any.
   */
  operand(): [Token, Shape | undefined] {
    const c = this.c;
    const shape = startsShape(c) ? parseShape(c) : undefined;
    if (shape) this.operandShapes = true;
    if (c.is(T.Name) && c.is(T.LParen, 1)) {
      const opTok = c.peek()!;
      const nested = c.nested(() => this.instructionBody(synthetic(opTok, `${opTok.image}.nested.${this.generated++}`), false, shape));
      this.nested.push(nested);
      return [nested.nameTok, undefined];
    }
    let nameTok = c.expect(T.Name, 'an operand name');
    // `%p0#1#0`: shorthand for element 0 of element 1 of tuple %p0, read as get-tuple-elements.
    while (c.isWord('#') && (c.is(T.Int, 1) || c.is(T.Digits, 1))) {
      const hash = c.next();
      const index = c.next();
      const last = !(c.isWord('#') && (c.is(T.Int, 1) || c.is(T.Digits, 1)));
      const gteName = synthetic(hash, `${stripPercent(nameTok.image)}.element.${this.generated++}`);
      this.nested.push({
        nameTok: gteName, name: gteName.image, isRoot: false, shape: last ? shape : undefined,
        opcode: 'get-tuple-element', opTok: hash, operandNames: [nameTok],
        attrs: [{ name: synthetic(hash, 'index'), tokens: [index] }],
      });
      nameTok = gteName;
      if (last) return [nameTok, undefined];
    }
    return [nameTok, shape];
  }
}

/** `(a: f32[], b: (s32[], f32[2])) -> f32[]`: what the parameters and root must be. */
function parseSignature(c: Cursor): Signature {
  const params: Signature['params'] = [];
  c.expect(T.LParen, "'('");
  if (!c.accept(T.RParen)) {
    do {
      const nameTok = c.expect(T.Name, 'a parameter name');
      c.expect(T.Colon, "':'");
      params.push({ nameTok, shape: parseShape(c) });
    } while (c.accept(T.Comma));
    c.expect(T.RParen, "',' or ')'");
  }
  c.expect(T.Arrow, "'->'");
  const resultTok = c.peek()!;
  return { params, result: parseShape(c), resultTok };
}

/** A made-up token for a generated name, placed where its source construct is. */
function synthetic(at: Token, image: string): Token {
  return { ...at, image };
}

const SECTIONS = new Set(['FileNames', 'FunctionNames', 'FileLocations', 'StackFrames']);

/**
 * XLA's debug-info sections between the header and the first computation
 * (`FileNames` / `1 "a.py"` ...), kept verbatim: kiln does not use them.
 */
function stackFrameSections(c: Cursor): string | undefined {
  const start = c.peek();
  let end: Token | undefined;
  while (c.peek() && SECTIONS.has(c.peek()!.image) && (c.is(T.Int, 1) || c.is(T.Digits, 1))) {
    end = c.next();
    while (c.is(T.Int) || c.is(T.Digits)) {
      c.next();
      if (c.is(T.Str)) end = c.next();
      else if (c.is(T.LBrace)) {
        let depth = 0;
        do {
          end = c.next();
          if (end.tokenType === T.LBrace) depth++;
          if (end.tokenType === T.RBrace) depth--;
        } while (depth > 0 && !c.atEnd());
      } else throw c.error(`expected a string or '{...}' in the ${start!.image} section`);
    }
  }
  return end ? c.span(start!, end) : undefined;
}

/**
 * Ops that are asynchronous on their own, with their own start/done opcodes (or, for
 * send and recv, themselves as the start): XLA's generic `-start`/`-update`/`-done`
 * wrapping does not apply to them. The list gives the halves that are real opcodes.
 */
const NATIVE_ASYNC: Readonly<Record<string, readonly string[]>> = {
  'all-reduce': ['start', 'done'], 'all-gather': ['start', 'done'], 'collective-permute': ['start', 'done'],
  copy: ['start', 'done'], send: ['done'], recv: ['done'],
};

function resolveOpcode(c: Cursor, tok: Token): { opcode: Opcode; asyncOf?: string } {
  const word = tok.image;
  if (isOpcode(word)) return { opcode: word };
  // XLA's generic async wrappers: `add-start`, `fusion-update`, `custom-call-done`...
  const m = /^(.*)-(start|update|done)$/.exec(word);
  if (m && isOpcode(m[1])) {
    const native = NATIVE_ASYNC[m[1]];
    if (native !== undefined && !native.includes(m[2])) throw c.error(`'${word}' is not an opcode: ${m[1]} is asynchronous in its own right (${native.map((s) => `${m[1]}-${s}`).join(', ')})`, tok);
    return { opcode: `async-${m[2]}` as Opcode, asyncOf: m[1] };
  }
  throw c.error(`unknown opcode '${word}'`, tok);
}

/** Tokens of one attribute value: balanced groups and words up to a top-level ',' or the end of its line. */
function valueTokens(c: Cursor): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (;;) {
    const tok = c.peek();
    if (!tok) break;
    if (depth === 0) {
      if (tok.tokenType === T.Comma || tok.tokenType === T.RParen || tok.tokenType === T.RBrace) break;
      const prev = out[out.length - 1];
      if (prev && tok.startLine !== prev.endLine) break;
      if (prev && (tok.image === 'ROOT' || (tok.tokenType === T.Name && c.is(T.Equals, 1)))) break;
    }
    if (tok.tokenType === T.LBrace || tok.tokenType === T.LParen || tok.tokenType === T.LBracket) depth++;
    if (tok.tokenType === T.RBrace || tok.tokenType === T.RParen || tok.tokenType === T.RBracket) depth--;
    out.push(c.next());
  }
  if (out.length === 0 && !c.atEnd() && !c.is(T.Comma)) throw c.error(`expected an attribute value, found '${c.peek()!.image}'`);
  return out;
}

function rawAttr(c: Cursor, check?: (name: Token, tokens: Token[], c: Cursor) => void): RawAttr {
  const nameTok = c.expect(T.Name, 'an attribute name');
  c.expect(T.Equals, "'='");
  const toks = valueTokens(c);
  check?.(nameTok, toks, c);
  return { name: nameTok.image, text: toks.length ? c.span(toks[0], toks[toks.length - 1]) : '' };
}

function startsShape(c: Cursor): boolean {
  if (c.is(T.LParen)) return true;
  const tok = c.peek();
  return tok?.tokenType === T.Name && isDType(tok.image) && c.is(T.LBracket, 1);
}

export function parseShape(c: Cursor): Shape {
  if (c.accept(T.LParen)) {
    const elements: Shape[] = [];
    if (!c.accept(T.RParen)) {
      do elements.push(c.nested(() => parseShape(c)));
      while (c.accept(T.Comma));
      c.expect(T.RParen, "',' or ')' in a tuple shape");
    }
    return { kind: 'tuple', elements };
  }
  const typeTok = c.expect(T.Name, 'an element type');
  if (!isDType(typeTok.image)) throw c.error(`unknown element type '${typeTok.image}'`, typeTok);
  const close = c.expect(T.LBracket, "'['");
  const dims: number[] = [];
  const dynamic: boolean[] = [];
  let end = close;
  if (!c.is(T.RBracket)) {
    do {
      const bounded = !!c.accept(T.LessEq);
      if (c.isWord('?')) {
        c.next();
        dims.push(-1);
        dynamic.push(true);
      } else {
        const at = c.peek();
        const d = int(c);
        if (d < 0) throw c.error(`dimension size ${d} is negative`, at);
        // Past 2^53 a JS number rounds: refuse rather than hold (and print) a different size.
        if (!Number.isSafeInteger(d)) throw c.error(`dimension size ${at?.image} is larger than 2^53 - 1, the most kiln holds exactly`, at);
        dims.push(d);
        dynamic.push(bounded);
      }
    } while (c.accept(T.Comma));
  }
  end = c.expect(T.RBracket, "',' or ']' in a shape");
  const shape: ArrayShape = { kind: 'array', dtype: typeTok.image, dims };
  const tooLarge = shapeTooLarge(shape);
  if (tooLarge) throw c.error(tooLarge, typeTok);
  const withDyn = dynamic.some((d) => d) ? { ...shape, dynamic } : shape;
  // A layout is glued to the ']' (a '{' after a space opens a computation body).
  const next = c.peek();
  if (next?.tokenType === T.LBrace && next.startOffset === (end.endOffset ?? end.startOffset) + 1)
    return { ...withDyn, layout: parseLayout(c) };
  return withDyn;
}

function parseLayout(c: Cursor): Layout {
  c.expect(T.LBrace, "'{'");
  const minorToMajor: number[] = [];
  while (c.is(T.Int) || c.is(T.Digits)) {
    minorToMajor.push(int(c));
    if (!c.accept(T.Comma)) break;
  }
  if (c.accept(T.Colon)) {
    const suffix: Token[] = [];
    let depth = 0;
    while (c.peek() && !(depth === 0 && c.is(T.RBrace))) {
      const tok = c.next();
      if (tok.tokenType === T.LBrace || tok.tokenType === T.LParen) depth++;
      if (tok.tokenType === T.RBrace || tok.tokenType === T.RParen) depth--;
      suffix.push(tok);
    }
    c.expect(T.RBrace, "'}' to close the layout");
    checkLayoutSuffix(suffix, c);
    return { minorToMajor, suffix: suffix.length ? c.span(suffix[0], suffix[suffix.length - 1]) : '' };
  }
  c.expect(T.RBrace, "',' or '}' in a layout");
  return { minorToMajor };
}

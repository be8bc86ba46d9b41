// Rules XLA's parser enforces on attributes kiln keeps verbatim (sharding, replica
// groups, result accuracy, original values, custom-call details, module aliasing). kiln
// does not use their meaning, but text XLA rejects must not pass here either; each check
// reads just enough of the value to apply XLA's rule, and points at the offending token.
import type { Shape } from '../../../ir/shape.js';
import { sameShape, shapeToString } from '../../../ir/shape.js';
import { Cursor } from './cursor.js';
import * as T from './lexer.js';
import type { Token } from './lexer.js';
import { parseShape } from './parser.js';

/** What a check sees of the instruction that carries the attribute. */
export interface RawSite {
  readonly opcode: string;
  readonly nameTok: Token;
  /** The result shape as written; undefined when the text left it out. */
  readonly written: Shape | undefined;
  readonly operands: readonly Shape[];
}

type Check = (value: Cursor, name: Token, site: RawSite) => void;

/** Checks `name=value` kept raw on an instruction; throws an HloParseError where XLA's parser fails. */
export function checkRawInstructionAttr(name: Token, tokens: Token[], c: Cursor, site: RawSite): void {
  const check = INSTRUCTION_CHECKS[name.image];
  if (check) check(sub(tokens, name, c), name, site);
}

/** Checks a module header attribute. */
export function checkHeaderAttr(name: Token, tokens: Token[], c: Cursor): void {
  const check = HEADER_CHECKS[name.image];
  if (check) check(sub(tokens, name, c));
}

function sub(tokens: Token[], name: Token, c: Cursor): Cursor {
  const last = tokens[tokens.length - 1] ?? name;
  return new Cursor(tokens, c.file, c.text, { line: last.endLine ?? 0, column: (last.endColumn ?? 0) + 1 });
}

const int = (c: Cursor, what: string): number => {
  const tok = c.peek();
  if (tok?.tokenType !== T.Int && tok?.tokenType !== T.Digits) throw c.error(`expected ${what}, found ${tok ? `'${tok.image}'` : 'end of input'}`);
  return Number(c.next().image);
};

/** `[a,b,...]`: the integers inside. */
function bracketInts(c: Cursor, what: string): number[] {
  c.expect(T.LBracket, `'[' to open ${what}`);
  const out: number[] = [];
  if (!c.is(T.RBracket)) do out.push(int(c, `an integer in ${what}`)); while (c.accept(T.Comma));
  c.expect(T.RBracket, `']' to close ${what}`);
  return out;
}

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * `[dims]` followed by the devices: an explicit list `0,1,2,...` or an iota `<=[n...]`
 * (optionally transposed, `T(1,0)`); their count must fill the tile assignment.
 */
function checkDeviceList(c: Cursor, what: string): void {
  const dims = bracketInts(c, `the ${what} dimensions`);
  const at = c.peek();
  let count: number;
  if (c.accept(T.LessEq)) count = product(bracketInts(c, 'the iota dimensions'));
  else {
    count = 0;
    while (c.is(T.Int) || c.is(T.Digits)) {
      count++;
      c.next();
      if (!(c.is(T.Comma) && (c.is(T.Int, 1) || c.is(T.Digits, 1)))) break;
      c.next();
    }
  }
  if (count !== product(dims))
    throw c.error(`the ${what} [${dims.join(',')}] holds ${product(dims)} devices but ${count} are listed`, at);
}

/** `{devices=[2,2]0,1,2,3 ...}` wherever it appears (tuple shardings hold several). */
const sharding: Check = (c) => {
  while (!c.atEnd()) {
    if (c.isWord('devices') && c.is(T.Equals, 1)) {
      c.next();
      c.next();
      checkDeviceList(c, 'tile assignment');
    } else c.next();
  }
};

/** Iota device lists `[2,2]<=[4]` and meshes `mesh['x'=2,'y'=2] {'x'}`; explicit `{{0,1},...}` lists have no rule here. */
const replicaGroups: Check = (c) => {
  if (c.is(T.LBracket)) return checkDeviceList(c, 'replica group list');
  if (c.isWord('mesh')) return checkMesh(c);
};

function checkMesh(c: Cursor): void {
  c.next();
  c.expect(T.LBracket, "'[' after mesh");
  const axes = new Map<string, number>();
  let deviceIds: { at: Token; count: number } | undefined;
  while (!c.accept(T.RBracket)) {
    if (c.isWord('device_ids')) {
      const at = c.next();
      c.expect(T.Equals, "'='");
      c.expect(T.LParen, "'(' to open the device ids");
      let count = 0;
      if (!c.is(T.RParen)) do (int(c, 'a device id'), count++); while (c.accept(T.Comma));
      c.expect(T.RParen, "')' to close the device ids");
      deviceIds = { at, count };
    } else {
      const axis = c.expect(T.Str, 'an axis name');
      c.expect(T.Equals, "'=' after the axis name");
      axes.set(axis.image.slice(1, -1), int(c, 'an axis size'));
    }
    c.accept(T.Comma);
  }
  const devices = product([...axes.values()]);
  if (deviceIds && deviceIds.count !== devices)
    throw c.error(`the mesh has ${devices} devices but device_ids lists ${deviceIds.count}`, deviceIds.at);
  if (!c.accept(T.LBrace)) return;
  while (!c.atEnd() && !c.is(T.RBrace)) {
    const tok = c.next();
    if (tok.tokenType === T.Str && !axes.has(tok.image.slice(1, -1)))
      throw c.error(`axis ${tok.image} is not an axis of the mesh (${[...axes.keys()].map((a) => `'${a}'`).join(', ')})`, tok);
  }
}

/** Ops whose result accuracy can be chosen: XLA's unary transcendentals. */
const TRANSCENDENTAL = new Set([
  'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'logistic', 'rsqrt', 'sqrt', 'cbrt', 'tanh', 'sine', 'cosine', 'tan', 'erf',
]);
const TOLERANCES = new Set(['atol', 'rtol', 'ulps']);

/** `{mode=default|highest}` or `{tolerance={atol=.., rtol=.., ulps=..}}`, on a transcendental op only. */
const resultAccuracy: Check = (c, name, site) => {
  if (!TRANSCENDENTAL.has(site.opcode)) throw c.error(`result_accuracy is not allowed on ${site.opcode}, only on transcendental ops`, name);
  c.expect(T.LBrace, "'{' to open result_accuracy");
  const field = c.expect(T.Name, "'mode' or 'tolerance'");
  c.expect(T.Equals, "'='");
  if (field.image === 'mode') {
    const mode = c.expect(T.Name, 'a mode');
    if (!['default', 'highest'].includes(mode.image.toLowerCase())) throw c.error(`unknown result accuracy mode '${mode.image}' (default or highest)`, mode);
  } else if (field.image === 'tolerance') {
    c.expect(T.LBrace, "'{' to open the tolerance");
    do {
      const key = c.expect(T.Name, 'atol, rtol or ulps');
      if (!TOLERANCES.has(key.image)) throw c.error(`unknown tolerance '${key.image}' (atol, rtol or ulps)`, key);
      c.expect(T.Equals, "'='");
      c.next();
    } while (c.accept(T.Comma));
    c.expect(T.RBrace, "'}' to close the tolerance");
  } else throw c.error(`unknown result_accuracy field '${field.image}' (mode or tolerance)`, field);
  c.expect(T.RBrace, "'}' to close result_accuracy");
};

/** An original value names each leaf of the result: no leaf is empty. */
const origin: Check = (c) => {
  while (!c.atEnd()) {
    const tok = c.next();
    if (tok.tokenType === T.LBrace && c.is(T.RBrace)) throw c.error('an original value leaf is empty', tok);
  }
};

const API_VERSIONS = new Set(['API_VERSION_ORIGINAL', 'API_VERSION_STATUS_RETURNING', 'API_VERSION_STATUS_RETURNING_UNIFIED', 'API_VERSION_TYPED_FFI']);

const apiVersion: Check = (c) => {
  const tok = c.next();
  if (!API_VERSIONS.has(tok.image)) throw c.error(`unknown custom-call api_version '${tok.image}' (${[...API_VERSIONS].join(', ')})`, tok);
};

/** One layout constraint per operand, each the operand's shape. */
const operandLayouts: Check = (c, name, site) => {
  c.expect(T.LBrace, "'{' to open the operand layout constraints");
  const shapes: [Token, Shape][] = [];
  if (!c.is(T.RBrace)) do shapes.push([c.peek()!, parseShape(c)]); while (c.accept(T.Comma));
  c.expect(T.RBrace, "'}' to close the operand layout constraints");
  if (shapes.length !== site.operands.length)
    throw c.error(`${shapes.length} operand layout constraints for ${site.operands.length} operands`, name);
  shapes.forEach(([at, s], i) => {
    if (!sameShape(s, site.operands[i]))
      throw c.error(`operand layout constraint ${i} is ${shapeToString(s, { layout: false })} but operand ${i} is ${shapeToString(site.operands[i], { layout: false })}`, at);
  });
};

/** `calls=` kept raw: only the async wrappers take it without a schema field of their own. */
const calls: Check = (c, name, site) => {
  if (!site.opcode.startsWith('async-')) throw c.error(`unexpected attribute calls on ${site.opcode}`, name);
};

const INSTRUCTION_CHECKS: Readonly<Record<string, Check>> = {
  sharding, replica_groups: replicaGroups, result_accuracy: resultAccuracy, origin,
  api_version: apiVersion, operand_layout_constraints: operandLayouts, calls,
};

/** `{0, 1}`: a shape index. */
function shapeIndex(c: Cursor): void {
  c.expect(T.LBrace, "'{' to open a shape index");
  if (!c.is(T.RBrace)) do int(c, 'an integer in a shape index'); while (c.accept(T.Comma));
  c.expect(T.RBrace, "'}' to close a shape index");
}

/** `(param, {index})`, with an alias kind after the index where `kinds` allows one. */
function paramIndex(c: Cursor, kinds: boolean): void {
  c.expect(T.LParen, "'(' to open a parameter and shape index");
  int(c, 'a parameter number');
  c.expect(T.Comma, "','");
  shapeIndex(c);
  if (kinds && c.accept(T.Comma)) {
    const kind = c.expect(T.Name, 'an alias kind');
    if (kind.image !== 'may-alias' && kind.image !== 'must-alias') throw c.error(`unknown alias kind '${kind.image}'`, kind);
  }
  c.expect(T.RParen, "')'");
}

/** `{ }` around comma-separated entries, and nothing after. */
function braced(c: Cursor, entry: () => void): void {
  c.expect(T.LBrace, "'{'");
  if (!c.is(T.RBrace)) do entry(); while (c.accept(T.Comma));
  c.expect(T.RBrace, "',' or '}'");
  if (!c.atEnd()) throw c.error(`unexpected '${c.peek()!.image}'`);
}

const HEADER_CHECKS: Readonly<Record<string, (c: Cursor) => void>> = {
  /** `{ {output index}: (param, {param index}[, kind]), ... }` */
  input_output_alias: (c) => braced(c, () => {
    shapeIndex(c);
    c.expect(T.Colon, "':' after the output index");
    paramIndex(c, true);
  }),
  /** `{ (param, {param index}), ... }` */
  buffer_donor: (c) => braced(c, () => paramIndex(c, false)),
};

/** Dimension level types of a sparse layout's `D(...)`: dense, compressed, singleton, loose compressed. */
const DIM_LEVELS = new Set(['D', 'C', 'S', 'H']);

/**
 * A layout's tail after ':' (kept verbatim): `D(...)` names only known dimension level
 * types, and a physical shape `P(...)` belongs to sparse layouts only.
 */
export function checkLayoutSuffix(tokens: Token[], c: Cursor): void {
  let sparse = false;
  let physical: Token | undefined;
  tokens.forEach((tok, k) => {
    if (tokens[k + 1]?.tokenType !== T.LParen || tok.tokenType !== T.Name) return;
    if (tok.image === 'P') physical = tok;
    if (tok.image !== 'D') return;
    for (let j = k + 2; j < tokens.length && tokens[j].tokenType !== T.RParen; j++) {
      const level = tokens[j];
      if (level.tokenType !== T.Name) continue;
      if (!DIM_LEVELS.has(level.image)) throw c.error(`unknown dimension level type '${level.image}' (D, C, S or H)`, level);
      if (level.image !== 'D') sparse = true;
    }
  });
  if (physical && !sparse) throw c.error('a physical shape P(...) is only allowed in a sparse layout', physical);
}

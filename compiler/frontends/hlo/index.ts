// The HLO text frontend: `parseHlo(text)` reads XLA's HLO text into a kiln Module.
import type { Literal } from '../../../ir/literal.js';
import type { Module } from '../../../ir/module.js';
import { parseLiteral } from './literal.js';
import { parseModuleText, parseShape, tokenize } from './parser.js';
import { resolveModule } from './resolve.js';

export { HloParseError } from './cursor.js';

/** Parse HLO text (with or without an `HloModule` header). Errors name file:line:col. */
export function parseHlo(text: string, file = '<input>'): Module {
  const c = tokenize(text, file);
  return resolveModule(parseModuleText(c), c);
}

/** Parse `shape literal` text such as `f32[2] {1, 2}` (the golden files' value format). */
export function parseLiteralText(text: string, file = '<literal>'): Literal {
  const c = tokenize(text, file);
  const shape = parseShape(c);
  const lit = parseLiteral(c, shape);
  if (!c.atEnd()) throw c.error(`unexpected '${c.peek()!.image}' after the literal`);
  return lit;
}

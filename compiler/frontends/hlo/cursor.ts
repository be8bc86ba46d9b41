// A cursor over HLO tokens with errors that name file:line:col.
import type { TokenType } from 'chevrotain';
import type { Token } from './lexer.js';

export class HloParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'HloParseError';
  }
}

/**
 * How deep tuples, nested operands, literals and inline computations may nest. The
 * parser is recursive descent; this keeps a hostile file from overflowing the JS stack
 * (real XLA dumps nest a handful of levels).
 */
export const MAX_NESTING = 500;

export class Cursor {
  pos = 0;
  private depth = 0;
  constructor(
    readonly tokens: Token[],
    readonly file: string,
    readonly text: string,
    /** End of input: where errors at EOF point. */
    private readonly eof: { line: number; column: number },
  ) {}

  peek(k = 0): Token | undefined {
    return this.tokens[this.pos + k];
  }
  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }
  is(type: TokenType, k = 0): boolean {
    return this.peek(k)?.tokenType === type;
  }
  isWord(word: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok !== undefined && tok.image === word;
  }
  next(): Token {
    const tok = this.tokens[this.pos];
    if (!tok) throw this.error('unexpected end of input');
    this.pos++;
    return tok;
  }
  accept(type: TokenType): Token | undefined {
    return this.is(type) ? this.next() : undefined;
  }
  expect(type: TokenType, what: string): Token {
    if (this.is(type)) return this.next();
    throw this.error(`expected ${what}, found ${describe(this.peek())}`);
  }
  error(detail: string, at: Token | undefined = this.peek()): HloParseError {
    if (!at) return new HloParseError(this.file, this.eof.line, this.eof.column, detail);
    return new HloParseError(this.file, at.startLine ?? 0, at.startColumn ?? 0, detail);
  }
  /** Runs `parse` one nesting level deeper, refusing to go past MAX_NESTING. */
  nested<T>(parse: () => T): T {
    if (this.depth >= MAX_NESTING) throw this.error(`nesting deeper than ${MAX_NESTING} levels (tuples, nested operands, literals or inline computations)`);
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
  /** Source text from the start of token a to the end of token b, as written. */
  span(a: Token, b: Token): string {
    return this.text.slice(a.startOffset, (b.endOffset ?? b.startOffset) + 1);
  }
}

export function describe(tok: Token | undefined): string {
  return tok ? `'${tok.image}'` : 'end of input';
}

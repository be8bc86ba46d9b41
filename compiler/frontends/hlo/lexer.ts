// HLO text tokens, lexed by chevrotain. Order matters: chevrotain takes the first
// pattern that matches, so the specific shapes of XLA's attribute values
// (`b01f_01io->b01f`, `0_0x1_1`, `3x3`) come before plain numbers and names.
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

const t = (name: string, pattern: RegExp, extra: { group?: string; longer_alt?: TokenType } = {}) =>
  createToken({ name, pattern, ...extra });

export const WhiteSpace = t('WhiteSpace', /\s+/, { group: Lexer.SKIPPED });
export const BlockComment = t('BlockComment', /\/\*[^]*?\*\//, { group: Lexer.SKIPPED });
export const LineComment = t('LineComment', /\/\/[^\n]*/, { group: Lexer.SKIPPED });
export const Str = t('Str', /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/);
/** `{...}`: a constant whose values the dump left out. */
export const Ellipsis = t('Ellipsis', /\.\.\./);
export const DimLabels = t('DimLabels', /[0-9bf?]{2,}_[0-9io?]{2,}->[0-9bf?]{2,}/);
export const Pad = t('Pad', /-?\d+_-?\d+(?:_-?\d+)?(?:x-?\d+_-?\d+(?:_-?\d+)?)*/);
export const DxD = t('DxD', /\d+(?:x\d+)+(?![\w.])/);
export const Hex = t('Hex', /-?0x[0-9a-fA-F]+/);
export const Float = t('Float', /[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+(?:[eE][-+]?\d+)?)/);
export const Int = t('Int', /[-+]?\d+(?![\w.])/);
/** `-inf`, `-nan`, `nan(0x...)`: signed or payload-carrying specials. */
export const Special = t('Special', /[-+]?(?:inf|nan)(?:\(0x[0-9a-fA-F]+\))?(?![\w.])/);
/** Names: `%`-prefixed or bare; `-` inside a name but never the start of `->`. */
export const Name = t('Name', /%[\w.]+(?:-(?!>)[\w.]*)*|[a-zA-Z_$][\w.$]*(?:-(?!>)[\w.$]*)*/);
export const Arrow = t('Arrow', /->/);
export const LessEq = t('LessEq', /<=/);
export const LBrace = t('LBrace', /\{/);
export const RBrace = t('RBrace', /\}/);
export const LParen = t('LParen', /\(/);
export const RParen = t('RParen', /\)/);
export const LBracket = t('LBracket', /\[/);
export const RBracket = t('RBracket', /\]/);
export const Comma = t('Comma', /,/);
export const Equals = t('Equals', /=/);
export const Colon = t('Colon', /:/);
/** Odd punctuation inside tiled layouts and raw attribute blobs (`*`, `#`, `?`, `<`, `>`, `!`). */
export const Other = t('Other', /[*#?<>!@^~+-]/);
/** An unsigned integer that runs into a name, e.g. the `0` of a tile spec; kept lexable. */
export const Digits = t('Digits', /\d+/);

export const ALL_TOKENS = [
  WhiteSpace, BlockComment, LineComment, Str, Ellipsis, DimLabels, Pad, DxD, Hex, Float, Special, Int, Name,
  Arrow, LessEq, LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Equals, Colon, Other, Digits,
];

export const hloLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

export type Token = IToken;

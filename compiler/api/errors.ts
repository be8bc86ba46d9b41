// The one error the library throws: the CLI's classification (compiler/exit_codes.ts) of
// what went wrong, as a value a program can branch on. Its own file, importing nothing, so
// that `import { KilnError } from 'kiln'` loads no compiler.

/** The CLI's exit codes: 2 usage, 3 bad input, 4 not compiled, imported or run, 5 backend unavailable here, 70 a kiln bug. */
export type ErrorCode = 2 | 3 | 4 | 5 | 70;

/**
 * What `compile()` and `run()` throw. `code` is the exit code `kiln` would give for the same
 * failure, `kind` what the CLI prints before the message (`error`, `not compiled`, `too
 * large`, `not imported`, `unavailable`, `usage`, `internal error`), `message` the CLI's
 * one line, and `cause` the compiler's own error (an `HloParseError`, a `NotCompiled`, ...).
 */
export class KilnError extends Error {
  override name = 'KilnError';
  readonly code: ErrorCode;
  readonly kind: string;

  constructor(code: ErrorCode, kind: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.kind = kind;
  }
}

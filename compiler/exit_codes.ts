// What kind of failure an error is, as the CLI's exit code says it: the one place that
// tells a user's mistake (bad input, an op kiln does not compile) from a kiln bug. The
// CLI reports by it; the fuzz test holds kiln to it (every failure a user error, never 70).
// Only small modules are imported: the CLI loads this at start-up.
import { isStackOverflow } from '../ir/bugs.js';
import { InterpretError } from '../ir/interpret/util.js';
import { TooLarge } from '../ir/limits.js';
import { familyOf, type Opcode } from '../ir/opcodes.js';
import { VerifyError } from '../ir/verify_error.js';
import { NotCompiled } from '../passes/lower/errors.js';
import { UnsupportedType } from '../passes/lower/types.js';
import { NotSupported } from '../targets/wasm/errors.js';
import { InputError, Unavailable, UsageError } from './errors.js';
import { HloParseError } from './frontends/hlo/cursor.js';
import { OnnxError, OnnxUnsupported } from './frontends/onnx/errors.js';

/** 2 usage error, 3 bad input, 4 not compiled, imported or run, 5 backend unavailable here, 70 internal error. */
export type FailureCode = 2 | 3 | 4 | 5 | 70;

export interface Failure {
  readonly code: FailureCode;
  /** What the CLI prints before the message: `error`, `not compiled`, `too large`, ... */
  readonly kind: string;
  /** One line for the user (the stack trace, for a kiln bug). */
  readonly message: string;
}

export const exitCodeOf = (e: unknown): FailureCode => classify(e).code;

export function classify(e: unknown): Failure {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof UsageError || (e as { code?: string } | undefined)?.code?.startsWith('ERR_PARSE_ARGS')) return { code: 2, kind: 'usage', message };
  if (e instanceof Unavailable) return { code: 5, kind: 'unavailable', message };
  if (e instanceof OnnxUnsupported) return { code: 4, kind: 'not imported', message };
  // The frontends' and the verifier's own errors are bad input wherever they surface.
  if (e instanceof InputError || e instanceof HloParseError || e instanceof OnnxError || e instanceof VerifyError) return { code: 3, kind: 'error', message };
  if (isFileError(e)) // -o naming a folder, --output-dir naming a file, a read-only disk: the user's paths, not a bug
    return { code: 3, kind: 'error', message: `cannot ${/write|mkdir|open|rename|copy/.test(e.syscall) ? 'write' : 'read'} ${e.path}: ${e.code}` };
  if (e instanceof TooLarge) return { code: 4, kind: 'too large', message };
  // What the reference interpreter does not compute (complex, f8, unbounded dims) or its work budget.
  if (e instanceof InterpretError) return { code: 4, kind: 'not run', message };
  if (isStackOverflow(e))
    return { code: 4, kind: 'not run', message: "the module nests (calls, tuples) deeper than kiln's recursion reaches (JS stack overflow)" };
  if (e instanceof NotCompiled || e instanceof UnsupportedType || e instanceof NotSupported)
    return { code: 4, kind: 'not compiled', message: interpreterRuns(e) ? `${message} (kiln run --backend interpreter runs it)` : message };
  return { code: 70, kind: 'internal error', message: (e as Error)?.stack ?? message };
}

/** Whether the reference interpreter runs what a target refused (not opaque ops, dynamic shapes or complex numbers). */
const interpreterRuns = (e: Error): boolean =>
  !(e instanceof NotCompiled) || (familyOf(e.opcode as Opcode) !== 'opaque' && !/unbounded dynamic dimensions|random numbers|complex numbers/.test(e.reason));

/** A Node file-system error (it names the call and the path), as opposed to a kiln bug. */
const isFileError = (e: unknown): e is NodeJS.ErrnoException & { syscall: string; path: string } =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string' && typeof (e as NodeJS.ErrnoException).path === 'string' &&
  typeof (e as NodeJS.ErrnoException).code === 'string';

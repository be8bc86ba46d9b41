// What kind of failure an error is, as the CLI's exit code says it: the one place that
// tells a user's mistake (bad input, an op kiln does not compile) from a kiln bug. The
// CLI reports by it; the fuzz test holds kiln to it (every failure a user error, never 70).
import { InterpretError } from '../ir/interpret/index.js';
import { VerifyError } from '../ir/verify.js';
import { NotCompiled } from '../passes/lower/errors.js';
import { UnsupportedType } from '../passes/lower/types.js';
import { NotSupported } from '../targets/wasm/ops.js';
import { UsageError } from './backend.js';
import { HloParseError } from './frontends/hlo/index.js';
import { OnnxError } from './frontends/onnx/errors.js';
import { InputError } from './load.js';

/** 2 usage error, 3 bad input, 4 not compiled (or not interpreted), 70 internal error. */
export type FailureCode = 2 | 3 | 4 | 70;

export function exitCodeOf(e: unknown): FailureCode {
  if (e instanceof UsageError || (e as { code?: string } | undefined)?.code?.startsWith('ERR_PARSE_ARGS')) return 2;
  // The frontends' and the verifier's own errors are bad input wherever they surface.
  if (e instanceof InputError || e instanceof HloParseError || e instanceof OnnxError || e instanceof VerifyError) return 3;
  // InterpretError: what the reference interpreter does not compute (complex, f8) or its work budget.
  if (e instanceof NotCompiled || e instanceof UnsupportedType || e instanceof NotSupported || e instanceof InterpretError) return 4;
  return 70;
}

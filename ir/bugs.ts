// Which errors are kiln's own bugs. kiln reports bad input with its own error classes
// (or a plain Error from one of its checks); a TypeError, ReferenceError or RangeError
// comes from the JS engine when kiln's code went wrong (read a field of undefined,
// allocated past a limit it should have checked). Code that rewords errors as "bad
// input" must let these through, so that they reach the user as internal errors.

/**
 * The engine ran out of stack: a structure nested deeper than kiln's recursion handles.
 * Called near the stack's end, so it must not call much: a regular expression compiled
 * there overflows again (as a SyntaxError).
 */
export const isStackOverflow = (e: unknown): boolean =>
  e instanceof RangeError && e.message === 'Maximum call stack size exceeded';

/** An error thrown by the JS engine rather than by kiln's checks (stack overflow aside). */
export function isEngineError(e: unknown): boolean {
  if (isStackOverflow(e)) return false;
  return e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError ||
    e instanceof SyntaxError || e instanceof EvalError || e instanceof URIError;
}

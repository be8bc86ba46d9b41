// The verifier's error, in a file of its own so that whoever classifies errors (the CLI,
// at start-up) need not load the verifier and shape inference to recognise one.

export class VerifyError extends Error {
  constructor(
    /** The computation's name, absent for problems of the module as a whole. */
    readonly computation: string | undefined,
    /** The instruction's name, absent for problems of a computation as a whole. */
    readonly instruction: string | undefined,
    /** The problem, without the location. */
    readonly detail: string,
  ) {
    super(`${where(computation, instruction)}${detail}`);
    this.name = 'VerifyError';
  }
}

function where(computation?: string, instruction?: string): string {
  if (computation === undefined) return 'module: ';
  return instruction === undefined ? `computation %${computation}: ` : `computation %${computation}, instruction %${instruction}: `;
}

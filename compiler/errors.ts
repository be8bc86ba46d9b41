// The errors that say the user or the machine, not kiln, must change something; in a file of
// their own so that the CLI's exit codes need nothing else loaded.

/** A mistake in how kiln was called (exit code 2), as opposed to bad input (exit code 3). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input (exit code 3): unreadable, malformed or invalid model or array files. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * The backend asked for cannot run on this machine (exit code 5): no WebGPU adapter, no
 * deno binary. Neither the call nor the model is wrong, so it is neither 2 nor 3; a script
 * can tell it apart and skip, as the tests do.
 */
export class Unavailable extends Error {
  override name = 'Unavailable';
}

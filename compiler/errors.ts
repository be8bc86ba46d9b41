// The two errors that say the user, not kiln, must change something; in a file of their
// own so that the CLI's exit codes need nothing else loaded.

/** A mistake in how kiln was called (exit code 2), as opposed to bad input (exit code 3). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input (exit code 3): unreadable, malformed or invalid model or array files. */
export class InputError extends Error {
  override name = 'InputError';
}

// The wasm target's error, in a file of its own so that code which only catches it (the
// CLI's exit codes) does not load binaryen, which every other file here imports.

/** An operation or element type this target does not compile yet (the CLI's exit code 4). */
export class NotSupported extends Error {
  override name = 'NotSupported';
}

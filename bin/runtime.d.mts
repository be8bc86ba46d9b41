// Types of bin/runtime.mjs, for the artifact writer that imports it.

/** runtime/'s modules, relative to it ('/'-separated), sorted. */
export function runtimeSources(runtimeDir: string): string[];
/** A module whose .d.ts could not be made, and why. */
export interface RuntimeProblem {
  file: string;
  message: string;
}
/** The built runtime: 'wasm/index.js' and 'wasm/index.d.ts' → bytes, sorted by name; and the modules left without a .d.ts. */
export function buildRuntime(runtimeDir: string): { files: Map<string, Uint8Array>; problems: RuntimeProblem[] };
/** A module's .d.ts from its text alone (isolated declarations). */
export function declarations(fileName: string, source: string): string;

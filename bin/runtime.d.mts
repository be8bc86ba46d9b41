// Types of bin/runtime.mjs, for the artifact writer that imports it.

/** runtime/'s modules, relative to it ('/'-separated), sorted. */
export function runtimeSources(runtimeDir: string): string[];
/** The built runtime: 'wasm/index.js' and 'wasm/index.d.ts' → bytes, sorted by name. */
export function buildRuntime(runtimeDir: string): Map<string, Uint8Array>;
/** A module's .d.ts from its text alone (isolated declarations). */
export function declarations(fileName: string, source: string): string;

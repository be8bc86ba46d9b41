// The targets kiln knows: `--target NAME` and the driver look a description up here,
// and nothing else in the compiler lists targets. Each target owns its description
// (targets/NAME/target.ts, data only and light to import: the CLI's option tables read
// this file). WGSL joins as `wgsl: { description: WGSL_TARGET, … }` from targets/wgsl.
import type { TargetDescription } from '../ir/target.js';
import { WASM_TARGET } from '../targets/wasm/target.js';

export interface KnownTarget {
  readonly description: TargetDescription;
  /** What the target makes, for `--target`'s help. */
  readonly summary: string;
}

export const TARGETS = {
  wasm: { description: WASM_TARGET, summary: 'WebAssembly SIMD: one module of v128 kernels, run by runtime/wasm' },
} as const satisfies Readonly<Record<string, KnownTarget>>;

export type TargetName = keyof typeof TARGETS;

/** What `kiln compile` and compileProgram use when no target is named. */
export const DEFAULT_TARGET: TargetName = 'wasm';

/** The target named `name`, or undefined (an own key only: `constructor` is no target). */
export function findTarget(name: string): KnownTarget | undefined {
  return Object.prototype.hasOwnProperty.call(TARGETS, name) ? TARGETS[name as TargetName] : undefined;
}

export const targetNames = (): string[] => Object.keys(TARGETS);

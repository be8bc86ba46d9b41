// The shaders the golden suite generates: every golden case compiled for WGSL_TARGET as the
// webgpu backend compiles it; and those of the GPU schedules' property suite
// (tests/lower/gpu_properties.ts), whose reductions, GEMMs and transposes (workgroup arrays,
// barriers) the golden suite's small cases never reach. Both WGSL compilers check the same
// lists: naga in Deno (tests/wgsl/validate.test.ts) and Tint in Chromium
// (tests/browser/tint.test.ts).
import { compileProgram } from '../../compiler/compile.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import type { Module } from '../../ir/module.js';
import { loadCases } from '../golden/harness.js';
import { PROPERTIES } from '../lower/gpu_properties.js';

export interface GoldenShader {
  /** `case/shaders/file.wgsl`: unique across the suite, and what a failure names. */
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
  /** `@workgroup_size(x, y, z)`. */
  readonly workgroupSize: readonly [number, number, number];
}

/** Cases refused for f64 (golden.test.ts lists each with its reason): at most these. */
export const MAX_REFUSED = 4;

/** `m`'s shaders, named `prefix/shaders/file.wgsl`; throws NotSupported where WGSL_TARGET refuses it. */
export function shadersOf(prefix: string, m: Module): GoldenShader[] {
  const art = compileWgsl(compileProgram(m, { target: WGSL_TARGET }).program);
  return art.manifest.shaders.map((s) => ({ name: `${prefix}/${s.file}`, code: art.shaders.get(s.file)!, entryPoint: s.entryPoint, workgroupSize: s.workgroupSize }));
}

export function goldenShaders(): { shaders: GoldenShader[]; refused: string[] } {
  const shaders: GoldenShader[] = [], refused: string[] = [];
  for (const c of loadCases()) {
    try {
      shaders.push(...shadersOf(c.name, c.module));
    } catch (e) {
      if (!(e instanceof NotSupported)) throw e;
      refused.push(c.name);
    }
  }
  return { shaders, refused };
}

/** The property suite's shaders, named by schedule and case. */
export const propertyShaders = (): GoldenShader[] => PROPERTIES.flatMap((p) => p.cases.flatMap((c) => shadersOf(`${p.schedule}: ${c.name}`, c.module)));

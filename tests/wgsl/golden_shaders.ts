// The shaders the golden suite generates: every golden case compiled for WGSL_TARGET as the
// webgpu backend compiles it. Both WGSL compilers check the same list: naga in Deno
// (tests/wgsl/validate.test.ts) and Tint in Chromium (tests/browser/tint.test.ts).
import { compileProgram } from '../../compiler/compile.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { loadCases } from '../golden/harness.js';

export interface GoldenShader {
  /** `case/shaders/file.wgsl`: unique across the suite, and what a failure names. */
  readonly name: string;
  readonly code: string;
  readonly entryPoint: string;
}

/** Cases refused for 64-bit types (golden.test.ts lists each with its reason): at most these. */
export const MAX_REFUSED = 8;

export function goldenShaders(): { shaders: GoldenShader[]; refused: string[] } {
  const shaders: GoldenShader[] = [], refused: string[] = [];
  for (const c of loadCases()) {
    let art;
    try {
      art = compileWgsl(compileProgram(c.module, { target: WGSL_TARGET }).program);
    } catch (e) {
      if (!(e instanceof NotSupported)) throw e;
      refused.push(c.name);
      continue;
    }
    for (const s of art.manifest.shaders) shaders.push({ name: `${c.name}/${s.file}`, code: art.shaders.get(s.file)!, entryPoint: s.entryPoint });
  }
  return { shaders, refused };
}

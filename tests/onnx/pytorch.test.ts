// Models exported by PyTorch (tests/onnx/pytorch/export.py, run with Debian's
// python3-torch) must match PyTorch's own outputs within 1e-4 relative on every backend.
// The models are exported afresh into a temporary folder (LeNet-5's weights alone are
// 13 MB, too big to commit); without python3-torch these tests are skipped.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { webgpuAdapter } from '../../compiler/webgpu_backend.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import { readNpy } from '../../compiler/io/npy.js';
import type { ArrayLiteral } from '../../ir/literal.js';
import { exportedModels, haveTorch } from './pytorch/exported.js';
import { PYTORCH_CASES, RTOL, worstError } from './pytorch_cases.js';


const CASES = PYTORCH_CASES;

const maxAbs = (got: ArrayLiteral, want: ArrayLiteral): number =>
  Array.from(want.data as ArrayLike<number>).reduce((m, b, i) => Math.max(m, Math.abs(Number(got.data[i]) - b)), 0);

describe.skipIf(!haveTorch)('PyTorch-exported models', () => {
  let dir = '';
  beforeAll(() => {
    dir = exportedModels();
  }, 300_000);

  it('exports every model', () => {
    expect(readdirSync(dir).sort()).toEqual(CASES.map((c) => c.model).sort());
  });

  // The kernel IR executor checks lowering on small modules; for 13 MB models the wasm
  // backend runs the very same lowered program.
  /** Models the compiled backends do not compile yet, with the reason they give. */
  const NOT_COMPILED: Record<string, string> = {};
  /**
   * Models webgpu refuses on Mesa lavapipe (no GPU): a kernel that loops past lavapipe's
   * 65535-iteration cap in one invocation (compiler/webgpu_backend.ts), which would be cut
   * short silently. None since the GPU schedules (workgroup tiles) split the dense layers.
   */
  const LAVAPIPE_LOOP_CAP: readonly string[] = [];
  /** webgpu is held to PyTorch by absolute error too (f32 on another device's math). */
  const WEBGPU_ATOL = 1e-4;

  for (const backend of BACKENDS.filter((b) => b.name !== 'kernels'))
    for (const { model, opts } of CASES)
      it(`${model} on ${backend.name} matches PyTorch`, async (ctx) => {
        if (await backend.unavailable()) return ctx.skip(); // webgpu without Deno or an adapter
        const d = join(dir, model);
        const imported = importOnnxFile(join(d, 'model.onnx'), opts);
        const input = readNpy(readFileSync(join(d, 'input_0.npy')));
        const want = readNpy(readFileSync(join(d, 'output_0.npy')));
        const lavapipe = backend.name === 'webgpu' && /llvmpipe/i.test(webgpuAdapter() ?? '') && LAVAPIPE_LOOP_CAP.includes(model);
        const why = lavapipe ? 'stops every loop nest after 65535' : backend.name === 'interpreter' ? undefined : NOT_COMPILED[model];
        if (why) {
          await expect(backend.prepare(imported.module), `${model} compiles now: take it off NOT_COMPILED`).rejects.toThrow(why);
          return;
        }
        const got = (await (await backend.prepare(imported.module)).run([input])) as ArrayLiteral;
        expect(got.shape.dims).toEqual(want.shape.dims);
        const { rel, at } = worstError(got, want);
        expect(rel, `element ${at}: ${got.data[at]} vs PyTorch ${want.data[at]}`).toBeLessThanOrEqual(RTOL);
        if (backend.name === 'webgpu') expect(maxAbs(got, want)).toBeLessThanOrEqual(WEBGPU_ATOL);
      }, 600_000);
});

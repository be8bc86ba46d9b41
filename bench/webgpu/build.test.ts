// What the WebGPU bench page loads must exist, or the bench fails only in a browser, minutes
// in: the peers' bundles at the paths urls.ts names (a node_modules upgrade may move them),
// page.js bundled without Node imports, and per workload the kiln artifact, the .onnx and
// the f32 files meta.json describes. No browser and no timing here.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPage } from './build.js';
import type { PageModel } from './page.js';
import { ORT_URL, ORT_WASM_PATHS, SCRIPTS } from './urls.js';

describe('bench/webgpu page files', { timeout: 120_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-bench-webgpu-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const built = buildPage(['mlp-b64'], undefined, root);

  it('links the peers\' browser bundles where the page loads them', async () => {
    await built;
    for (const url of [...SCRIPTS, ORT_URL]) expect(existsSync(join(root, url)), url).toBe(true);
    // ort's WebGPU build loads one of its .wasm files from ORT_WASM_PATHS.
    expect(existsSync(join(root, ORT_WASM_PATHS, 'ort-wasm-simd-threaded.asyncify.wasm'))).toBe(true);
  });

  it('bundles page.js for the browser', async () => {
    await built;
    const page = readFileSync(join(root, 'page.js'), 'utf8');
    expect(page).toContain('kilnBench');
    expect(page).not.toMatch(/from ["']node:/);
  });

  it('writes each workload: kiln\'s artifact, the .onnx, inputs and weights as meta.json says', async () => {
    const [b] = await built;
    expect(b!.model.name).toBe('mlp-b64');
    for (const f of ['kiln/model.js', 'kiln/model.json', 'kiln/weights.bin', 'model.onnx']) expect(existsSync(join(b!.dir, f)), f).toBe(true);
    const meta = JSON.parse(readFileSync(join(b!.dir, 'meta.json'), 'utf8')) as PageModel;
    const size = (d: number[]) => d.reduce((a, x) => a * x, 1);
    const last = meta.weights.at(-1)!;
    expect(statSync(join(b!.dir, 'tfjs-weights.bin')).size).toBe(4 * (last.offset + size(last.dims)));
    expect(statSync(join(b!.dir, 'inputs.bin')).size).toBe(4 * meta.inputs.reduce((a, t) => a + size(t.dims), 0));
  });
});

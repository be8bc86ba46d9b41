// tests/lower/gpu_properties.ts's suite on a second WebGPU: Chromium's (Dawn, Tint, SwiftShader's
// Vulkan on the CPU), headless, through the runtime/webgpu an artifact ships, compared with
// the HLO interpreter as on the kernel executor and on Deno's WebGPU (the other two runners).
// Needs `apt-get install chromium`; skipped (and says so) without it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeFiles } from '../../compiler/artifact/index.js';
import { WEBGPU_RUNTIME } from '../../compiler/artifact/webgpu.js';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { inputBytes, readOutput, resultLiteral } from '../../compiler/program_io.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { kernelKinds, PROPERTIES, TOLERANCE, type PropertyCase } from '../lower/gpu_properties.js';
import { findChromium, serve, type Served } from './serve.js';

const CHROMIUM = findChromium();
if (!CHROMIUM) console.warn('tests/browser/gpu_properties: skipped: no chromium at /usr/bin/chromium or on PATH; apt-get install --no-install-recommends chromium');

/** Runs in the page (plain JS): loads each case with the shipped runtime, runs it on its input bytes, returns the output bytes or the error. */
const RUN = `window.runCase = async (c) => {
  const { loadModel } = await import('/runtime/webgpu/index.js');
  window.kilnDevice ??= await (await navigator.gpu.requestAdapter()).requestDevice();
  try {
    const model = await loadModel(window.kilnDevice, c.manifest, { shader: c.shaders, weights: c.weights && new Uint8Array(c.weights) });
    try {
      const out = await model.run(c.inputs.map((b) => new Uint8Array(b)));
      return { outputs: c.manifest.outputs.map((t) => { const v = out[t.name]; return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)); }) };
    } finally {
      model.dispose();
    }
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
};`;

describe.skipIf(!CHROMIUM)('GPU schedules on WebGPU in headless chromium (SwiftShader)', () => {
  let browser: Browser | undefined, page: Page | undefined, server: Served | undefined, root = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kiln-gpu-properties-'));
    for (const [name, bytes] of runtimeFiles([...WEBGPU_RUNTIME])) {
      mkdirSync(dirname(join(root, 'runtime', name)), { recursive: true });
      writeFileSync(join(root, 'runtime', name), bytes);
    }
    server = await serve(root);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 30_000,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-dev-shm-usage', '--disable-gpu-watchdog'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${server.url}/`);
    await page.evaluate(RUN);
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  async function check(c: PropertyCase): Promise<void> {
    const { program } = compileProgram(c.module, { target: WGSL_TARGET });
    expect(kernelKinds(program)).toEqual(c.kinds);
    const art = compileWgsl(program);
    const args = randomInputs(c.module.entry.params.map((p) => p.shape), c.seed);
    const sent = { manifest: art.manifest, shaders: Object.fromEntries(art.shaders), weights: art.weights && Array.from(art.weights), inputs: inputBytes(program, args).map(({ bytes }) => Array.from(bytes)) };
    const r = (await page!.evaluate((x) => (window as unknown as { runCase(x: unknown): Promise<{ outputs?: number[][]; error?: string }> }).runCase(x), sent));
    expect(r.error).toBeUndefined();
    const got = resultLiteral(c.module.entry.root.shape, r.outputs!.map((b, i) => readOutput(program, i, Uint8Array.from(b), 0)));
    expect(compareLiterals(got, interpret(c.module, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
  }

  describe.each(PROPERTIES.map((p) => [p.schedule, p.cases] as const))('%s', (_, cases) => {
    for (const c of cases) {
      it(c.name, async () => { await check(c); }, 60_000);
    }
  });
});

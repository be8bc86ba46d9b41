// Every shader the golden suite generates (tests/wgsl/golden_shaders.ts, the list naga checks
// in tests/wgsl/validate.test.ts) compiles on Tint, Chromium's WGSL compiler, with no error or
// warning; and a compute pipeline is made of each, so Tint's backend (WGSL → SPIR-V for
// SwiftShader's Vulkan here) runs on it too, not only its front end. The shaders of the GPU
// schedules' property suite (tests/lower/gpu_properties.ts) too, whose reductions, GEMMs and
// transposes (workgroup arrays, barriers: Tint's uniformity analysis) the golden suite's cases
// are too small to reach: Tint's front end here, their pipelines and runs in
// tests/browser/gpu_properties.test.ts. Debian's headless chromium
// with --enable-unsafe-webgpu, driven by playwright-core. Needs `apt-get install chromium`;
// skipped (and says so) without it. .ci/run installs it.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenShaders, MAX_REFUSED, propertyShaders, type GoldenShader } from '../wgsl/golden_shaders.js';
import { findChromium, serve, type Served } from './serve.js';

const CHROMIUM = findChromium();
if (!CHROMIUM) console.warn('tests/browser/tint: skipped: no chromium at /usr/bin/chromium or on PATH; apt-get install --no-install-recommends chromium');

interface Report {
  adapter?: string;
  /** Per shader, in order: Tint's messages (errors, warnings, info) and pipeline errors; empty when clean. */
  messages: string[][];
  lost?: string;
}

/**
 * Runs in the page (plain JS, so nothing transforms it): for each shader, createShaderModule and
 * its compilation info, then (where `pipeline`) createComputePipelineAsync with layout 'auto',
 * each inside a validation error scope. A device lost part-way is reported, never taken for a
 * clean run.
 */
const CHECK = `window.tintCheck = async (shaders) => {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { messages: [] };
  const device = await adapter.requestDevice();
  let lost;
  device.lost.then((l) => { lost = l.reason + ': ' + l.message; });
  const messages = [];
  for (const s of shaders) {
    const m = [];
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ label: s.name, code: s.code });
    for (const x of (await module.getCompilationInfo()).messages) m.push(x.type + ' ' + x.lineNum + ':' + x.linePos + ': ' + x.message);
    const scoped = await device.popErrorScope();
    if (scoped) m.push('module: ' + scoped.message);
    if (s.pipeline) {
      device.pushErrorScope('validation');
      try {
        await device.createComputePipelineAsync({ label: s.name, layout: 'auto', compute: { module, entryPoint: s.entryPoint } });
      } catch (e) {
        m.push('pipeline: ' + (e && e.message ? e.message : String(e)));
      }
      const piped = await device.popErrorScope();
      if (piped) m.push('pipeline: ' + piped.message);
    }
    messages.push(m);
  }
  const info = adapter.info ?? {};
  device.destroy();
  return { adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' '), messages, lost };
};`;

describe.skipIf(!CHROMIUM)('Tint (headless chromium, SwiftShader)', () => {
  let browser: Browser | undefined;
  let server: Served | undefined;

  beforeAll(async () => {
    // navigator.gpu needs a secure context: http://127.0.0.1 is one, about:blank is not.
    server = await serve(import.meta.dirname);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 30_000,
      // --no-sandbox: chromium's sandbox refuses root and wants user namespaces containers lack.
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-dev-shm-usage', '--disable-gpu-watchdog'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  /** Tint's report on `shaders`: none may give an error or a warning, nor fail to make a pipeline (where `pipeline` says). */
  async function expectClean(what: string, shaders: (GoldenShader & { pipeline: boolean })[]): Promise<void> {
    const page = await browser!.newPage();
    page.setDefaultTimeout(240_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    try {
      await page.goto(`${server!.url}/`);
      await page.evaluate(CHECK);
      const started = performance.now();
      const report = (await page.evaluate((s: GoldenShader[]) => (window as unknown as { tintCheck(s: GoldenShader[]): Promise<Report> }).tintCheck(s), shaders));
      expect(report.adapter, 'chromium gave no WebGPU adapter').toBeDefined();
      expect(report.lost).toBeUndefined();
      expect(report.messages).toHaveLength(shaders.length);
      const dirty = shaders.map((s, i) => [s.name, report.messages[i]] as const).filter(([, m]) => m.length > 0);
      expect(dirty).toEqual([]);
      expect(pageErrors).toEqual([]);
      console.log(`tests/browser/tint: ${shaders.length} ${what} shaders clean on Tint (${report.adapter}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await page.close();
    }
  }

  it('compiles every golden shader and makes a pipeline of it, with no error or warning', { timeout: 300_000 }, async () => {
    const { shaders, refused } = goldenShaders();
    expect(shaders.length).toBeGreaterThan(50);
    expect(refused.length).toBeLessThanOrEqual(MAX_REFUSED);
    await expectClean('golden', shaders.map((x) => ({ ...x, pipeline: true })));
  });

  it("compiles every shader of the GPU schedules' property suite, with no error or warning", { timeout: 120_000 }, async () => {
    // Front end only: tests/browser/gpu_properties.test.ts makes their pipelines and runs them.
    await expectClean('property-suite', propertyShaders().map((x) => ({ ...x, pipeline: false })));
  });
});

// examples/web in a real browser: Debian's headless chromium with WebGPU (SwiftShader's
// adapter, --enable-unsafe-webgpu) opens the page over http://127.0.0.1, a digit is drawn
// with the mouse, and the probabilities both artifacts give (wasm and WebGPU, each through
// its own model.js) must match kiln's interpreter run in Node on the very 28×28 input the
// page made. A screenshot is saved to out/webgpu_page.png (gitignored) for a person to look
// at. Needs `apt-get install chromium`; skipped (and says so) without it.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModule } from '../../compiler/load.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';
import { findChromium } from './serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WEB = join(ROOT, 'examples', 'web');
const SCREENSHOT = join(ROOT, 'out', 'webgpu_page.png');
const CHROMIUM = findChromium();
if (!CHROMIUM) console.warn('tests/browser/webgpu_page: skipped: no chromium at /usr/bin/chromium or on PATH; apt-get install --no-install-recommends chromium');

interface Result { logits: number[]; probs: number[]; ms: number }
interface Demo { input: number[]; results: Record<string, Result>; runs: number; errors: Record<string, string> }

/** A 7, in fractions of the pad: across the top, then down to the left. */
const SEVEN: readonly [number, number][] = [[0.28, 0.22], [0.72, 0.22], [0.62, 0.45], [0.45, 0.82]];

const softmax = (logits: readonly number[]): number[] => {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};

describe.skipIf(!CHROMIUM)('examples/web in headless chromium: LeNet-5 on wasm and WebGPU', () => {
  let browser: Browser | undefined;
  let page: Page | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The page's artifacts, as a user builds them: `kiln compile` for both targets.
    const built = spawnSync(process.execPath, [join(WEB, 'build.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(built.status, built.stderr).toBe(0);
    const { serve } = (await import(join(WEB, 'serve.mjs'))) as { serve(port: number): Promise<{ url: string; close(): Promise<void> }> };
    server = await serve(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true, timeout: 30_000,
      // --no-sandbox: chromium's sandbox refuses root and wants user namespaces containers lack.
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-dev-shm-usage', '--disable-gpu-watchdog'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    page.setDefaultTimeout(120_000);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(`${server.url}/`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
  });

  it('loads both artifacts, and their probabilities for a drawn digit match the interpreter', { timeout: 300_000 }, async () => {
    const p = page!;
    const errors = await p.evaluate('window.kilnDemo.ready.then(() => window.kilnDemo.errors)');
    expect(errors, `the page's load errors: ${JSON.stringify(errors)}`).toEqual({});
    const box = (await p.locator('#draw').boundingBox())!;
    const at = ([x, y]: readonly [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    await p.mouse.move(...at(SEVEN[0]));
    await p.mouse.down();
    for (const pt of SEVEN.slice(1)) await p.mouse.move(...at(pt), { steps: 10 });
    await p.mouse.up();
    await p.waitForFunction('window.kilnDemo.runs >= 1');
    const demo = (await p.evaluate('window.kilnDemo.pending.then(() => window.kilnDemo)')) as Demo;

    // The page's input is a drawing: mostly black, some white.
    expect(demo.input).toHaveLength(28 * 28);
    const ink = demo.input.filter((v) => v > 0.5).length;
    expect(ink).toBeGreaterThan(20);
    expect(ink).toBeLessThan(400);

    const m = loadModule(join(WEB, 'out', 'lenet.onnx'));
    const x = arrayLiteral(array('f32', [1, 1, 28, 28]), Float32Array.from(demo.input));
    const want = Array.from((interpret(m, [x]) as ArrayLiteral).data, Number);
    expect(Object.keys(demo.results).sort()).toEqual(['wasm', 'webgpu']);
    for (const [name, r] of Object.entries(demo.results)) {
      r.logits.forEach((v, i) => expect(Math.abs(v - want[i]), `${name} logit ${i}: ${v}, interpreter ${want[i]}`).toBeLessThan(1e-4 + 1e-4 * Math.abs(want[i])));
      softmax(want).forEach((q, i) => expect(Math.abs(r.probs[i] - q), `${name} probability ${i}`).toBeLessThan(1e-5));
      expect(r.ms).toBeGreaterThan(0);
    }
    console.log(`tests/browser/webgpu_page: LeNet-5 run in chromium: wasm ${demo.results.wasm.ms.toFixed(1)} ms, webgpu ${demo.results.webgpu.ms.toFixed(1)} ms (SwiftShader)`);

    // What a person sees: both columns filled, the same top class.
    const shown = await p.locator('.row.top span:first-child').allTextContents();
    expect(shown).toHaveLength(2);
    expect(shown[0]).toBe(shown[1]);
    mkdirSync(join(ROOT, 'out'), { recursive: true });
    await p.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

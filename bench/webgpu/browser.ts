// Headless chromium on SwiftShader's WebGPU adapter, with the bench page (page.ts) open:
// the flags tests/browser/webgpu_page.test.ts runs the web example with, and its server.
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium, serve, type Served } from '../../tests/browser/serve.js';
import { WEB_DIR } from './build.js';
import { SCRIPTS } from './urls.js';
import type { Engine, KernelTime } from './page.js';

export interface BenchPage {
  /** Each engine's words for the adapter it runs on. */
  adapters: Record<string, string>;
  load(name: string, engines: readonly Engine[]): Promise<{ loaded: Engine[]; errors: Record<string, string>; ms: Record<string, number>; ort?: string }>;
  time(engine: Engine, reps: number, minMs?: number): Promise<number[]>;
  check(): Promise<{ errors: Partial<Record<Engine, number>>; scale: number; kiln?: Float32Array }>;
  kernels(name: string, reps: number): Promise<{ kernels: KernelTime[]; emptyMs: number; wholeMs: number }>;
  /** Errors the page logged (console.error, uncaught). */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(): Promise<BenchPage> {
  const exe = findChromium();
  if (!exe) throw new Error('no chromium at /usr/bin/chromium or on PATH (apt-get install --no-install-recommends chromium)');
  const served: Served = await serve(WEB_DIR);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: exe, headless: true, timeout: 60_000,
      // --no-sandbox: chromium's sandbox refuses root and wants user namespaces containers lack.
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-dev-shm-usage', '--disable-gpu-watchdog'],
    });
    const page: Page = await browser.newPage();
    page.setDefaultTimeout(600_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${served.url}/`);
    for (const url of SCRIPTS) await page.addScriptTag({ url });
    await page.addScriptTag({ url: '/page.js', type: 'module' });
    await page.waitForFunction('window.kilnBench !== undefined');
    const adapters = (await page.evaluate('window.kilnBench.init()')) as Record<string, string>;
    const call = <T>(f: string, ...args: unknown[]) => page.evaluate(([f, args]) => (window as any).kilnBench[f as string](...(args as unknown[])), [f, args] as const) as Promise<T>;
    return {
      adapters,
      errors,
      load: (name, engines) => call('load', name, engines),
      time: (engine, reps, minMs = 0) => call('time', engine, reps, minMs),
      async check() {
        const r = await call<{ errors: Partial<Record<Engine, number>>; scale: number; kiln?: string }>('check');
        return { errors: r.errors, scale: r.scale, kiln: r.kiln === undefined ? undefined : (() => { const b = Buffer.from(r.kiln!, 'base64'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); })() };
      },
      kernels: (name, reps) => call('kernels', name, reps),
      async close() {
        await browser?.close().catch(() => undefined);
        await served.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await served.close();
    throw e;
  }
}

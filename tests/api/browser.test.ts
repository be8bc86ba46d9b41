// The library in a browser: an app that imports compile and the traced API from 'kiln', bundled by esbuild
// for the browser (node: modules left out, docs/api.md), compiles HLO text in headless
// Chromium on the interpreter and on wasm (binaryen in the page), and an ONNX model's bytes
// on wasm, and runs them. Skipped
// without Debian's chromium (`apt-get install chromium`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxBytes, ROOT, tensor, weight } from '../cli/kiln.js';

const CHROMIUM = process.env.KILN_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const APP = `import { compile, grad, jit, numpy as np, setBackend } from 'kiln';
export async function traced() {
  setBackend('wasm');
  const f = jit((w, x) => grad((v) => np.sum(np.square(np.matmul(x, v))))(w));
  const g = f(np.array([1, 2]), np.array([[1, 0], [0, 1], [1, 1]]));
  return { jitGrad: Array.from(await g.data()), sync: Array.from(np.add(np.array([1, 2]), 1).dataSync()) };
}
export async function run(backend) {
  const exe = await compile('HloModule m\\nENTRY e {\\n  x = f32[3] parameter(0)\\n  w = f32[3] parameter(1)\\n  ROOT y = f32[3] multiply(x, w)\\n}', { backend });
  const { y } = await exe.run({ x: new Float32Array([1, 2, 3]), w: new Float32Array([4, 5, 6]) });
  await exe.dispose();
  return { dtype: y.dtype, dims: y.dims, data: Array.from(y.data) };
}
export async function runOnnx(backend) {
  const bytes = new Uint8Array(await (await fetch('/relu.onnx')).arrayBuffer());
  const exe = await compile(bytes, { backend, name: 'relu.onnx' });
  const { y } = await exe.run({ 'onnx::x': new Float32Array([1, -2, 3]) });
  await exe.dispose();
  return Array.from(y.data);
}
export async function webgpuRefusal() {
  try {
    await compile('HloModule m', { backend: 'webgpu' });
  } catch (e) {
    return { code: e.code, kind: e.kind };
  }
}
`;

/** Serves `root` on 127.0.0.1 (GET only, files inside it); `/` is an empty page. */
async function serve(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>kiln</title>');
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

describe.skipIf(!CHROMIUM)('kiln in a browser bundle', () => {
  it('compiles and runs HLO text in Chromium on the interpreter and on wasm, and ONNX bytes on wasm', async () => {
    const built = spawnSync(process.execPath, ['-e', "import('./bin/build.mjs').then((b) => b.buildCli())"], { cwd: ROOT, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'tmp', 'kiln-browser-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'app.mjs'), APP);
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(dir, 'app.mjs')], outdir: join(dir, 'out'), bundle: true, splitting: true, format: 'esm',
      platform: 'browser', external: ['node:*'], logLevel: 'silent',
    });
    // y = relu(x * 2): an ONNX model's bytes, fetched by the page.
    writeFileSync(join(dir, 'out', 'relu.onnx'), onnxBytes(
      [{ opType: 'Mul', input: ['onnx::x', 'two'], output: ['h'] }, { opType: 'Relu', input: ['h'], output: ['y'] }],
      [tensor('onnx::x', 'f32', [3])], [tensor('y', 'f32', [3])], [weight('two', [], [2])],
    ));
    const server = await serve(join(dir, 'out'));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 20_000, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.url}/`);
      // Text, not a function: vitest would rewrite a function's import() for Node.
      const results = await page.evaluate(`(async () => {
        const app = await import('/app.js');
        return { interpreter: await app.run('interpreter'), wasm: await app.run('wasm'), onnx: await app.runOnnx('wasm'), webgpu: await app.webgpuRefusal(), traced: await app.traced() };
      })()`);
      const want = { dtype: 'f32', dims: [3], data: [4, 10, 18] };
      // webgpu in a page is not there yet: refused as unavailable (code 5), not a crash.
      // The traced API too: grad inside jit, compiled to wasm in the page; an eager read on the interpreter.
      expect(results).toEqual({ interpreter: want, wasm: want, onnx: [2, 0, 6], webgpu: { code: 5, kind: 'unavailable' }, traced: { jitGrad: [8, 10], sync: [2, 3] } });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 120_000);
});

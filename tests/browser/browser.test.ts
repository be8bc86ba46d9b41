// `kiln compile --target wasm` folders in a real browser: Debian's headless chromium, driven
// by playwright-core, loads model.js from a cross-origin-isolated page, fetches model.wasm and
// runs it on one thread and on two (the runtime's Web Workers on a shared memory), and the
// outputs match the interpreter. Needs `apt-get install chromium`; skipped (and says so)
// without it. .ci/run installs it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArtifact } from '../../compiler/artifact/index.js';
import { loadModule } from '../../compiler/load.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { ArrayLiteral, Literal, TupleLiteral } from '../../ir/literal.js';
import { loadModel, type TypedArray } from '../../runtime/wasm/index.js';
import type { WasmManifest } from '../../runtime/wasm/manifest.js';
import { findChromium, serve, type Served } from './serve.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const CHROMIUM = findChromium();
if (!CHROMIUM) {
  const given = process.env.KILN_CHROMIUM ? ` (KILN_CHROMIUM=${process.env.KILN_CHROMIUM} does not exist)` : '';
  console.warn(`tests/browser: skipped: no chromium at /usr/bin/chromium or on PATH${given}; apt-get install --no-install-recommends chromium`);
}

/** Page operations time out long before the test does, so a hang reads as a failure, not a stall. */
const PAGE_TIMEOUT_MS = 20_000;
const SEEDS = [11, 12];

/**
 * Runs in the page (served as /harness.js, plain JS so nothing transforms it): imports a
 * compiled folder's model.js, fetches model.wasm and the inputs, loads on `threads`, runs
 * alternately on each input set `reps` times in a row and twice at once, disposes, and says
 * what a run after dispose does.
 */
const HARNESS = `
const ARRAY = { f32: Float32Array, s32: Int32Array, u32: Uint32Array, s8: Int8Array, u8: Uint8Array, pred: Uint8Array,
  s16: Int16Array, u16: Uint16Array, f16: Uint16Array, bf16: Uint16Array, f64: Float64Array, s64: BigInt64Array, u64: BigUint64Array };
const hex = (v) => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
const fetchOk = async (url) => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r;
};
const plain = (out) => Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { values: Array.from(v, Number), hex: hex(v) }]));

export async function run({ model, inputs, threads, reps }) {
  const mod = await import(model + '/model.js');
  const file = mod.wasmFile();
  const res = await fetchOk(model + '/' + file);
  const weights = mod.manifest.memory.constantsEmbedded ? undefined
    : new Uint8Array(await (await fetchOk(model + '/weights.bin')).arrayBuffer());
  const contentType = res.headers.get('content-type');
  const bytes = new Uint8Array(await res.arrayBuffer());
  const feeds = [];
  for (const dir of inputs) {
    const f = {};
    for (const [i, t] of mod.manifest.inputs.entries()) f[t.name] = new ARRAY[t.dtype](await (await fetchOk(dir + '/' + i + '.bin')).arrayBuffer());
    feeds.push(f);
  }
  const t0 = performance.now();
  const m = await mod.load(bytes, weights, threads);
  const loadMs = performance.now() - t0;
  const runs = [];
  const t1 = performance.now();
  for (let r = 0; r < reps; r++) runs.push(plain(await m.run(feeds[r % feeds.length])));
  const runMs = (performance.now() - t1) / reps;
  const together = (await Promise.all([m.run(feeds[0]), m.run(feeds[feeds.length - 1])])).map(plain);
  m.dispose();
  let afterDispose = 'ran';
  try { await m.run(feeds[0]); } catch (e) { afterDispose = String((e && e.message) || e); }
  return {
    threads: m.threads, isolated: globalThis.crossOriginIsolated === true, sharedArrayBuffer: typeof SharedArrayBuffer,
    file, contentType, runs, together, afterDispose, loadMs, runMs,
  };
}
`;

interface Output { values: number[]; hex: string }
interface PageResult {
  threads: number;
  isolated: boolean;
  sharedArrayBuffer: string;
  /** The module file the folder's wasmFile() picked. */
  file: string;
  contentType: string | null;
  runs: Record<string, Output>[];
  together: Record<string, Output>[];
  afterDispose: string;
  loadMs: number;
  runMs: number;
}

interface Case {
  manifest: WasmManifest;
  /** The interpreter's outputs, one list of leaves per seed. */
  want: Float64Array[][];
  /** The 1-thread non-shared build's model.wasm, run in Node for a cross-check. */
  wasm: Uint8Array;
  inputs: ArrayLiteral[][];
}

const leaves = (l: Literal): Float64Array[] =>
  l.shape.kind === 'tuple' ? (l as TupleLiteral).elements.flatMap(leaves) : [(l as ArrayLiteral).data as Float64Array];

/** Outputs of one run, in manifest order. */
const ordered = (man: WasmManifest, out: Record<string, Output>): Output[] => man.outputs.map((t) => out[t.name]);

/**
 * Relative and absolute tolerance against the interpreter. The plain builds round as the
 * interpreter does (multiply, then add); fused multiply-adds round the sums of LeNet-5's
 * 3136-long dot differently, by up to 1.2e-5 there, while both the interpreter's f32 and
 * the fused result are within 3e-5 of the f64 result.
 */
const TOL = { plain: 1e-5, fused: 1e-4 };

function expectClose(got: Output[], want: Float64Array[], what: string, tol = TOL.plain): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((o, k) => {
    expect(o.values.length, `${what} output ${k}`).toBe(want[k].length);
    let worst = 0, at = -1;
    o.values.forEach((v, i) => {
      const excess = Math.abs(v - want[k][i]) - (tol + tol * Math.abs(want[k][i]));
      if (!(excess <= worst)) { worst = excess; at = i; }
    });
    expect(at, `${what} output ${k}: element ${at} is ${o.values[at]}, want ${want[k][at]}`).toBe(-1);
  });
}

const bits = (outs: Record<string, Output>[]): string[][] => outs.map((o) => Object.keys(o).sort().map((k) => o[k].hex));

describe.skipIf(!CHROMIUM)('wasm artifacts in headless chromium (Web Workers)', () => {
  let root = '';
  let server: Served | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const cases = new Map<string, Case>();
  /** Workers the page started and how many have gone, by URL. */
  const workers = { started: [] as string[], closed: 0 };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'kiln-browser-'));
    const put = (path: string, bytes: Uint8Array | string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), bytes);
    };
    put('harness.js', HARNESS);
    for (const name of ['mlp', 'lenet5']) {
      const m = loadModule(join(EXAMPLES, `${name}.hlo`));
      let manifest: WasmManifest | undefined, wasm: Uint8Array | undefined;
      for (const threads of [false, true]) {
        const art = buildArtifact(m, { threads });
        for (const [file, bytes] of art.files) put(`${name}/${threads ? 'shared' : 'plain'}/${file}`, bytes);
        const relaxed = buildArtifact(m, { threads, relaxedSimd: true });
        for (const [file, bytes] of relaxed.files) put(`${name}/${threads ? 'relaxed-shared' : 'relaxed'}/${file}`, bytes);
        if (!threads) {
          manifest = JSON.parse(Buffer.from(art.files.get('model.json')!).toString('utf8')) as WasmManifest;
          wasm = art.files.get('model.wasm')!;
        }
      }
      const inputs = SEEDS.map((seed, s) => {
        const lits = randomInputs(m.entry.params.map((p) => p.shape), seed) as ArrayLiteral[];
        lits.forEach((l, i) => {
          expect(l.shape.dtype).toBe('f32');
          put(`${name}/inputs/${s}/${i}.bin`, new Uint8Array(Float32Array.from(l.data as Float64Array).buffer));
        });
        return lits;
      });
      const want = inputs.map((lits) => leaves(interpret(m, lits)));
      cases.set(name, { manifest: manifest!, want, wasm: wasm!, inputs });
    }
    server = await serve(root);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      // Chromium's sandbox refuses to run as root and needs user namespaces that containers
      // often lack; the page only loads files this test wrote. /dev/shm may be small there too.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
    page.on('worker', (w) => {
      workers.started.push(w.url());
      w.on('close', () => { workers.closed++; });
    });
    await page.goto(`${server.url}/`, { timeout: PAGE_TIMEOUT_MS });
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Loads `name`'s build on `threads` in the page and runs it. */
  async function inPage(name: string, build: 'plain' | 'shared' | 'relaxed' | 'relaxed-shared', threads: number, on: Page = page!, reps = 4): Promise<PageResult> {
    const args = { model: `/${name}/${build}`, inputs: SEEDS.map((_, s) => `/${name}/inputs/${s}`), threads, reps };
    const result = on.evaluate(`import('/harness.js').then((h) => h.run(${JSON.stringify(args)}))`) as Promise<PageResult>;
    result.catch(() => undefined); // after a timeout, closing the browser rejects it: not news.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} ${build} on ${threads} threads: no answer from the page in ${PAGE_TIMEOUT_MS} ms`)), PAGE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The page's runs against the interpreter, seed by seed. */
  function expectMatches(c: Case, r: PageResult, what: string): void {
    const tol = r.file === 'model.relaxed.wasm' ? TOL.fused : TOL.plain;
    r.runs.forEach((out, i) => expectClose(ordered(c.manifest, out), c.want[i % SEEDS.length], `${what} run ${i}`, tol));
    expectClose(ordered(c.manifest, r.together[0]), c.want[0], `${what} concurrent run 0`, tol);
    expectClose(ordered(c.manifest, r.together[1]), c.want[SEEDS.length - 1], `${what} concurrent run 1`, tol);
    // The same inputs give the same bits every time.
    r.runs.forEach((out, i) => expect(bits([out]), `${what} run ${i} vs run ${i % SEEDS.length}`).toEqual(bits([r.runs[i % SEEDS.length]])));
    expect(bits(r.together), `${what} concurrent runs`).toEqual(bits([r.runs[0], r.runs[SEEDS.length - 1]]));
    expect(r.afterDispose, what).toMatch(/unusable.*disposed/);
  }

  it('serves a cross-origin isolated page (SharedArrayBuffer available)', async () => {
    expect(await page!.evaluate('globalThis.crossOriginIsolated')).toBe(true);
    expect(await page!.evaluate('typeof SharedArrayBuffer')).toBe('function');
  });

  for (const name of ['mlp', 'lenet5']) {
    describe(name, () => {
      let one: PageResult | undefined;

      it('runs on one thread, matches the interpreter and the same build in Node, bit for bit', { timeout: 45_000 }, async () => {
        const c = cases.get(name)!;
        const before = workers.started.length;
        one = await inPage(name, 'plain', 1);
        expect(one.file).toBe('model.wasm');
        expect(one.isolated).toBe(true);
        expect(one.contentType).toBe('application/wasm');
        expect(one.threads).toBe(1);
        expect(workers.started.length).toBe(before);
        expectMatches(c, one, `${name} 1 thread`);
        // Node runs the same module to the same bits.
        const node = await loadModel(c.wasm, c.manifest);
        for (const [s, lits] of c.inputs.entries()) {
          const out = await node.run(lits.map((l) => Float32Array.from(l.data as Float64Array)));
          const hex = (v: TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
          expect(c.manifest.outputs.map((t) => hex(out[t.name])), `${name} seed ${SEEDS[s]} node vs chromium`)
            .toEqual(ordered(c.manifest, one.runs[s]).map((o) => o.hex));
        }
        node.dispose();
      });

      it('runs on two threads (Web Workers, shared memory) to the same bits as one thread', { timeout: 45_000 }, async () => {
        const c = cases.get(name)!;
        const before = workers.started.length, closedBefore = workers.closed;
        const single = await inPage(name, 'shared', 1);
        expect(single.threads).toBe(1);
        expect(workers.started.length).toBe(before);
        expectMatches(c, single, `${name} shared build on 1 thread`);

        const two = await inPage(name, 'shared', 2);
        expect(two.isolated).toBe(true);
        expect(two.threads).toBe(2);
        // One real Web Worker, started from the runtime's Blob URL, and stopped by dispose().
        expect(workers.started.slice(before)).toHaveLength(1);
        expect(workers.started[before]).toMatch(/^blob:http:\/\/127\.0\.0\.1:\d+\//);
        await expect.poll(() => workers.closed - closedBefore, { timeout: 5_000 }).toBe(1);
        expectMatches(c, two, `${name} 2 threads`);
        expect(bits(two.runs), `${name}: 2 threads vs 1 thread, shared build`).toEqual(bits(single.runs));
        expect(bits(two.together)).toEqual(bits(single.together));
        if (one) expect(bits(two.runs), `${name}: 2 threads vs the non-shared build`).toEqual(bits(one.runs));
        // Not a benchmark: the first few runs, still warming up, on a machine that may be busy.
        console.log(`tests/browser: ${name} in chromium, mean of the first 4 runs: 1 thread ${single.runMs.toFixed(2)} ms, 2 threads ${two.runMs.toFixed(2)} ms (load ${two.loadMs.toFixed(1)} ms)`);
      });

      it('picks model.relaxed.wasm (fused multiply-adds) from a --relaxed-simd build, on one thread and on two', { timeout: 45_000 }, async () => {
        const c = cases.get(name)!;
        const single = await inPage(name, 'relaxed', 1);
        expect(single.file).toBe('model.relaxed.wasm');
        expect(single.threads).toBe(1);
        expectMatches(c, single, `${name} relaxed build, 1 thread`);
        const two = await inPage(name, 'relaxed-shared', 2);
        expect(two.file).toBe('model.relaxed.wasm');
        expect(two.threads).toBe(2);
        expectMatches(c, two, `${name} relaxed build, 2 threads`);
        expect(bits(two.runs), `${name}: relaxed build, 2 threads vs 1`).toEqual(bits(single.runs));
      });

      it('falls back to one thread when a non-shared build is asked for two', { timeout: 45_000 }, async () => {
        const c = cases.get(name)!;
        const before = workers.started.length;
        const r = await inPage(name, 'plain', 2);
        expect(r.threads).toBe(1);
        expect(workers.started.length).toBe(before);
        expectMatches(c, r, `${name} non-shared build asked for 2 threads`);
        if (one) expect(bits(r.runs)).toEqual(bits(one.runs));
      });
    });
  }

  it('runs a threads build on one thread in a page that is not cross-origin isolated', { timeout: 45_000 }, async () => {
    // No SharedArrayBuffer there (Chrome still makes shared wasm memories, but cannot post
    // them to a worker), so the runtime falls back to one thread, silently.
    const open = await browser!.newPage();
    try {
      open.setDefaultTimeout(PAGE_TIMEOUT_MS);
      open.on('pageerror', (e) => pageErrors.push(String(e)));
      const before = workers.started.length;
      await open.goto(`${server!.url}/open.html`, { timeout: PAGE_TIMEOUT_MS });
      expect(await open.evaluate('globalThis.crossOriginIsolated')).toBe(false);
      expect(await open.evaluate('typeof SharedArrayBuffer')).toBe('undefined');
      const c = cases.get('mlp')!;
      const r = await inPage('mlp', 'shared', 2, open);
      expect(r.isolated).toBe(false);
      expect(r.threads).toBe(1);
      expect(workers.started.length).toBe(before);
      expectMatches(c, r, 'mlp threads build, not isolated');
    } finally {
      await open.close();
    }
  });

  it('raised no errors in the page', () => {
    expect(pageErrors).toEqual([]);
    expect(server!.missing).toEqual([]);
  });
});

// The page: a drawing pad, its 28×28 image as LeNet's input, and the model run on both
// artifacts build.mjs wrote (out/wasm, out/webgpu), each loaded through its own model.js.
// Plain JavaScript, no build step. `window.kilnDemo` exposes the last input and results
// (tests/browser/webgpu_page.test.ts checks them against kiln's interpreter).
import { drawingPad } from './pad.js';

const BACKENDS = {
  wasm: { load: loadWasm },
  webgpu: { load: loadWebGpu },
};

/** The wasm artifact: its module file fetched, instantiated on one thread. */
async function loadWasm() {
  const mod = await import('./out/wasm/model.js');
  const res = await fetch(new URL(`./out/wasm/${mod.wasmFile()}`, import.meta.url));
  if (!res.ok) throw new Error(`${mod.wasmFile()}: HTTP ${res.status}`);
  const weights = mod.manifest.weights ? new Uint8Array(await (await fetch(new URL(`./out/wasm/${mod.manifest.weights}`, import.meta.url))).arrayBuffer()) : undefined;
  return { model: await mod.load(new Uint8Array(await res.arrayBuffer()), weights), about: 'one thread' };
}

/** The WebGPU artifact on this browser's adapter (model.js fetches its shaders and weights). */
async function loadWebGpu() {
  if (!navigator.gpu) throw new Error('this browser has no navigator.gpu (WebGPU needs a secure context: https or localhost)');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu.requestAdapter() found no adapter');
  const mod = await import('./out/webgpu/model.js');
  const need = mod.manifest.maxBindingBytes;
  if (need > adapter.limits.maxStorageBufferBindingSize) throw new Error(`the model binds ${need} bytes; this adapter allows ${adapter.limits.maxStorageBufferBindingSize}`);
  // The adapter's own limits: LeNet's constants region (13 MB) is bound whole.
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  const info = adapter.info ?? {};
  const about = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'an adapter';
  return { model: await mod.load(device), about };
}

const softmax = (logits) => {
  const max = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};

/** One backend's column: status line, ten bars, the run time. */
function column(name) {
  const root = document.getElementById(name);
  const probs = root.querySelector('.probs');
  probs.innerHTML = Array.from({ length: 10 }, (_, d) => `<div class="row"><span>${d}</span><div class="bar"><div></div></div><span>–</span></div>`).join('');
  const rows = [...probs.children];
  return {
    status: (text) => { root.querySelector('.status').textContent = text; },
    show(p, ms) {
      const top = p.indexOf(Math.max(...p));
      rows.forEach((row, d) => {
        row.classList.toggle('top', d === top);
        row.querySelector('.bar > div').style.width = `${(100 * p[d]).toFixed(1)}%`;
        row.lastElementChild.textContent = p[d].toFixed(3);
      });
      root.querySelector('.time').textContent = `${ms.toFixed(2)} ms this run`;
    },
  };
}

const demo = { input: null, results: {}, runs: 0, errors: {} };
window.kilnDemo = demo;
const columns = Object.fromEntries(Object.keys(BACKENDS).map((name) => [name, column(name)]));
const loaded = {};

demo.ready = Promise.all(Object.entries(BACKENDS).map(async ([name, b]) => {
  columns[name].status('loading…');
  try {
    loaded[name] = await b.load();
    columns[name].status(`ready on ${loaded[name].about}`);
  } catch (e) {
    demo.errors[name] = String(e?.message ?? e);
    columns[name].status(`unavailable: ${demo.errors[name]}`);
  }
})).then(() => Object.keys(loaded));

/** Runs every loaded backend on `x` (f32[1,1,28,28]), one after the other, and shows the results. */
async function predict(x) {
  await demo.ready;
  demo.input = Array.from(x);
  for (const [name, { model }] of Object.entries(loaded)) {
    const t0 = performance.now();
    const { y } = await model.run({ x });
    const ms = performance.now() - t0;
    const logits = Array.from(y);
    const probs = softmax(logits);
    demo.results[name] = { logits, probs, ms };
    columns[name].show(probs, ms);
  }
  demo.runs++;
}

// One prediction at a time; strokes that end meanwhile ask for one more, with the latest image.
let running = null, again = false;
function request(x) {
  if (running) { again = true; return running; }
  running = predict(x).finally(() => {
    running = null;
    if (again) { again = false; request(pad.input()); }
  });
  demo.pending = running;
  return running;
}

const pad = drawingPad(document.getElementById('draw'), document.getElementById('small'), () => request(pad.input()));
document.getElementById('clear').addEventListener('click', () => pad.clear());

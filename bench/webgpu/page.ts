/// <reference types="@webgpu/types" />
// The bench page: runs in headless chromium, bundled by build.ts into page.js. It loads one
// workload at a time on three engines that share the browser's one WebGPU adapter — kiln's
// WebGPU artifact (through its own model.js), TensorFlow.js's `webgpu` backend (the graphs
// of peers/tfjs_graphs.ts, the wasm bench's), onnxruntime-web's WebGPU execution provider
// (the same .onnx file) — and times runs; run.ts drives it with page.evaluate. Every timed
// run uploads the inputs and awaits the outputs on the CPU, so the GPU work is finished.
import type * as TF from '@tensorflow/tfjs-core';
import type * as ORT from 'onnxruntime-web';
import { relError } from '../check.js';
import { convertWeights, FORWARD } from '../peers/tfjs_graphs.js';
import type { Family } from '../runner.js';
import { ORT_URL, ORT_WASM_PATHS } from './urls.js';

/** What build.ts writes per workload, as models/<name>/meta.json. */
export interface PageModel {
  name: string;
  family: Family;
  inputs: { name: string; dims: number[] }[];
  outputs: { name: string; dims: number[] }[];
  /** ONNX initializers for tfjs: name, dims and f32 offset in tfjs-weights.bin. */
  weights: { name: string; dims: number[]; offset: number }[];
}

export type Engine = 'kiln' | 'tfjs' | 'ort';
type Run = (inputs: Float32Array[]) => Promise<Float32Array>;

interface Loaded {
  meta: PageModel;
  inputs: Float32Array[];
  runs: Partial<Record<Engine, Run>>;
  dispose: (() => void | Promise<void>)[];
  last: Partial<Record<Engine, Float32Array>>;
  /** ort's adapter, known once a session exists. */
  about?: string;
}

declare global {
  interface Window { tf: typeof TF; kilnBench: typeof api }
}

const text = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;

async function bytes(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

let device: GPUDevice | undefined;
let ort: typeof ORT | undefined;
let current: Loaded | undefined;

/** The adapter's words, as each engine can tell them. */
async function init(): Promise<Record<string, string>> {
  if (!navigator.gpu) throw new Error('no navigator.gpu');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('requestAdapter() found no adapter');
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
  const about = (i: Partial<GPUAdapterInfo> | undefined) => [i?.vendor, i?.architecture, i?.device, i?.description].filter(Boolean).join(' ');
  const info: Record<string, string> = { kiln: about((adapter as GPUAdapter & { info?: GPUAdapterInfo }).info) };

  const tf = window.tf;
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend failed to initialise');
  await tf.ready();
  const tb = tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } };
  info.tfjs = `tfjs ${tf.version_core}, backend ${tf.getBackend()}: ${[tb.adapterInfo?.vendor, tb.adapterInfo?.architecture].filter(Boolean).join(' ')}`;

  ort = (await import(/* @vite-ignore */ ORT_URL)) as typeof ORT;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = ORT_WASM_PATHS;
  info.ort = `onnxruntime-web ${ort.env.versions.web}`;
  return info;
}

async function loadKiln(name: string, m: Loaded): Promise<void> {
  const mod = await import(/* @vite-ignore */ `/models/${name}/kiln/model.js`);
  const model = await mod.load(device!);
  const out = m.meta.outputs[0]!.name;
  m.runs.kiln = async (inputs) => (await model.run(Object.fromEntries(m.meta.inputs.map((t, i) => [t.name, inputs[i]]))))[out] as Float32Array;
  m.dispose.push(() => model.dispose());
}

async function loadTfjs(name: string, m: Loaded): Promise<void> {
  const tf = window.tf;
  const forward = FORWARD[m.meta.family];
  if (!forward) throw new Error(`no tfjs graph for ${m.meta.family}`);
  const all = new Float32Array(await bytes(`/models/${name}/tfjs-weights.bin`));
  const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
  const weights = convertWeights(tf, {
    family: m.meta.family,
    weights: new Map(m.meta.weights.map((w) => [w.name, { dims: w.dims, data: all.subarray(w.offset, w.offset + size(w.dims)) }])),
  });
  m.runs.tfjs = async (inputs) => {
    const y = tf.tidy(() => forward(tf, weights, inputs.map((data, i) => tf.tensor(data, m.meta.inputs[i]!.dims))));
    const data = (await y.data()) as Float32Array;
    y.dispose();
    return data;
  };
  m.dispose.push(() => weights.forEach((t) => t.dispose()));
}

async function loadOrt(name: string, m: Loaded): Promise<void> {
  const o = ort!;
  const session = await o.InferenceSession.create(`/models/${name}/model.onnx`, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
  const info = (o.env.webgpu.adapter as (GPUAdapter & { info?: GPUAdapterInfo }) | undefined)?.info;
  m.about = `onnxruntime-web ${o.env.versions.web}: ${[info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'adapter unknown'}`;
  const out = m.meta.outputs[0]!.name;
  m.runs.ort = async (inputs) => {
    const feeds = Object.fromEntries(m.meta.inputs.map((t, i) => [t.name, new o.Tensor('float32', inputs[i]!, t.dims)]));
    const r = await session.run(feeds);
    const t = r[out]!;
    const data = (await t.getData()) as Float32Array;
    t.dispose();
    return data;
  };
  m.dispose.push(() => session.release());
}

const LOADERS: Record<Engine, (name: string, m: Loaded) => Promise<void>> = { kiln: loadKiln, tfjs: loadTfjs, ort: loadOrt };

/** Loads a workload on the engines asked for; an engine that fails is reported, not fatal. */
async function load(name: string, engines: Engine[]): Promise<{ loaded: Engine[]; errors: Record<string, string>; ms: Record<string, number>; ort?: string }> {
  await unload();
  const meta = (await (await fetch(`/models/${name}/meta.json`)).json()) as PageModel;
  const all = new Float32Array(await bytes(`/models/${name}/inputs.bin`));
  let at = 0;
  const inputs = meta.inputs.map((t) => {
    const n = t.dims.reduce((a, b) => a * b, 1);
    return all.slice(at, (at += n));
  });
  const m: Loaded = { meta, inputs, runs: {}, dispose: [], last: {} };
  current = m;
  const errors: Record<string, string> = {}, ms: Record<string, number> = {};
  for (const e of engines) {
    const t = performance.now();
    try {
      await LOADERS[e](name, m);
      m.last[e] = await m.runs[e]!(inputs); // the cold run: shader compiles happen here
      ms[e] = performance.now() - t;
    } catch (err) {
      delete m.runs[e];
      errors[e] = text(err);
    }
  }
  return { loaded: Object.keys(m.runs) as Engine[], errors, ms, ort: m.about };
}

/**
 * Timed runs of one engine: `reps` of them, and more until `minMs` have passed (so fast
 * workloads get many samples and slow ones stay affordable); each sample is one run,
 * inputs in and outputs read back.
 */
async function time(engine: Engine, reps: number, minMs = 0): Promise<number[]> {
  const m = current!, run = m.runs[engine]!;
  const samples: number[] = [];
  const until = performance.now() + minMs;
  for (let i = 0; i < reps || performance.now() < until; i++) {
    const t = performance.now();
    m.last[engine] = await run(m.inputs);
    samples.push(performance.now() - t);
  }
  return samples;
}

/** Each engine's last output against kiln's (normwise relative error); kiln's output as base64 for run.ts. */
function check(): { errors: Partial<Record<Engine, number>>; scale: number; kiln?: string } {
  const m = current!, ref = m.last.kiln;
  const errors: Partial<Record<Engine, number>> = {};
  if (!ref) return { errors, scale: 0 };
  for (const e of ['tfjs', 'ort'] as const) if (m.last[e]) errors[e] = relError([m.last[e]!], [ref]);
  const u8 = new Uint8Array(ref.buffer, ref.byteOffset, ref.byteLength);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  // max|y|: a check against an output of zeros would pass anything.
  return { errors, scale: ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0), kiln: btoa(s) };
}

async function unload(): Promise<void> {
  if (!current) return;
  for (const d of current.dispose) await d();
  current = undefined;
}

export interface KernelTime { file: string; workgroups: number[]; workgroupSize: number[]; ms: number }

/**
 * Diagnostic: kiln's dispatches one at a time, each in a submit of its own awaited with
 * onSubmittedWorkDone (median of `reps`, less an empty submit's median), on the artifact's
 * own shaders and regions. No timestamp queries: SwiftShader's adapter may lack them.
 */
async function kernels(name: string, reps: number): Promise<{ kernels: KernelTime[]; emptyMs: number; wholeMs: number }> {
  const dev = device!;
  const base = `/models/${name}/kiln/`;
  const man = (await (await fetch(`${base}model.json`)).json()) as import('../../runtime/webgpu/manifest.js').WebGpuManifest;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const arena = dev.createBuffer({ size: Math.ceil((man.arenaBytes + 8) / 4) * 4, usage });
  const constants = dev.createBuffer({ size: Math.max(4, Math.ceil(man.constantsBytes / 4) * 4), usage });
  if (man.weights) dev.queue.writeBuffer(constants, 0, await bytes(base + man.weights));
  man.inputs.forEach((t, i) => dev.queue.writeBuffer(arena, t.offset, current!.inputs[i]! as Float32Array<ArrayBuffer>));
  const pipes = await Promise.all(man.shaders.map(async (s) => {
    const module = dev.createShaderModule({ code: await (await fetch(base + s.file)).text() });
    const layout = dev.createBindGroupLayout({ entries: s.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.type } })) });
    const pipeline = await dev.createComputePipelineAsync({ layout: dev.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: s.entryPoint } });
    const group = dev.createBindGroup({ layout, entries: s.bindings.map((b) => ({ binding: b.binding, resource: { buffer: b.region === 'arena' ? arena : constants } })) });
    return { pipeline, group };
  }));
  const steps = man.steps.filter((s) => s.k === 'dispatch');
  const submit = async (list: typeof steps) => {
    const enc = dev.createCommandEncoder();
    for (const s of list) {
      const pass = enc.beginComputePass();
      pass.setPipeline(pipes[s.shader]!.pipeline);
      pass.setBindGroup(0, pipes[s.shader]!.group);
      pass.dispatchWorkgroups(...(s.workgroups as [number, number, number]));
      pass.end();
    }
    const t = performance.now();
    dev.queue.submit([enc.finish()]);
    await dev.queue.onSubmittedWorkDone();
    return performance.now() - t;
  };
  const median = async (list: typeof steps) => {
    await submit(list);
    const xs: number[] = [];
    for (let i = 0; i < reps; i++) xs.push(await submit(list));
    return xs.sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
  };
  const emptyMs = await median([]);
  const out: KernelTime[] = [];
  for (const s of steps) {
    const sh = man.shaders[s.shader]!;
    out.push({ file: sh.file, workgroups: [...s.workgroups], workgroupSize: [...sh.workgroupSize], ms: (await median([s])) - emptyMs });
  }
  const wholeMs = (await median(steps)) - emptyMs;
  arena.destroy();
  constants.destroy();
  return { kernels: out, emptyMs, wholeMs };
}

const api = { init, load, time, check, unload, kernels };
window.kilnBench = api;

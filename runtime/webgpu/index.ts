/// <reference types="@webgpu/types" />
// runtime/webgpu: runs a kiln WebGPU artifact on any GPUDevice (a browser's, Deno's).
// No dependencies; the manifest (manifest.ts) says everything. Pipelines are created once
// at load, weights uploaded once; a run writes the inputs, encodes every dispatch in one
// command buffer (split only where HLO control flow must read a predicate or index back),
// and copies the outputs out. Errors — validation, out of memory, a lost device — reject
// the promise with the model's (and where known the shader's) name, never return zeros.
import { ARRAY_OF, type TypedArray as TensorArray } from '../core/dtype.js';
import type { GpuStep, GpuTensor, WebGpuManifest } from './manifest.js';

export type { WebGpuManifest } from './manifest.js';

export type { TypedArray as TensorArray } from '../core/dtype.js';
// The one dtype → typed array table (f16/bf16 as raw bits, pred as bytes 0/1): typed there,
// so this module's .d.ts can be written without a type checker (an artifact ships it).
export { ARRAY_OF } from '../core/dtype.js';

export interface LoadOptions {
  /** The WGSL of a shader file named in the manifest: a function, or a record by file name. */
  readonly shader: ((file: string) => string | Promise<string>) | Readonly<Record<string, string>>;
  /** The constants region image (the manifest's `weights` file), when it names one. */
  readonly weights?: Uint8Array;
}

export type Input = ArrayBufferView | GPUBuffer;

export interface Model {
  readonly manifest: WebGpuManifest;
  /** Inputs by name or in order; outputs by name, as typed arrays (or GPUBuffers the caller owns, with `{ gpu: true }`). */
  run(inputs: Readonly<Record<string, Input>> | readonly Input[]): Promise<Record<string, TensorArray>>;
  run(inputs: Readonly<Record<string, Input>> | readonly Input[], opts: { gpu: true }): Promise<Record<string, GPUBuffer>>;
  dispose(): void;
}

const S = () => GPUBufferUsage;
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

/** Runs `f` inside validation and out-of-memory error scopes; an error there rejects, naming `what`. */
async function scoped<T>(device: GPUDevice, what: string, f: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined, thrown: unknown, failed = false;
  try { result = await f(); } catch (e) { thrown = e; failed = true; }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (failed) throw thrown;
  const err = validation ?? oom;
  if (err) throw new Error(`${what}: ${err instanceof GPUOutOfMemoryError ? 'out of GPU memory' : 'validation error'}: ${err.message}`);
  return result as T;
}

export async function loadModel(device: GPUDevice, manifest: WebGpuManifest, opts: LoadOptions): Promise<Model> {
  const name = `kiln model ${manifest.name}`;
  if (manifest.format !== 'kiln-webgpu/1') throw new Error(`${name}: unknown manifest format '${manifest.format}'`);
  const missing = manifest.features.filter((f) => !device.features.has(f));
  if (missing.length) throw new Error(`${name}: the device lacks ${missing.join(', ')}`);
  if (manifest.maxBindingBytes > device.limits.maxStorageBufferBindingSize)
    throw new Error(`${name}: binds ${manifest.maxBindingBytes} bytes; this device allows ${device.limits.maxStorageBufferBindingSize}`);
  const source = typeof opts.shader === 'function' ? opts.shader : (f: string) => (opts.shader as Record<string, string>)[f];
  const owned: GPUBuffer[] = [];
  const buffer = (label: string, size: number, usage: number): GPUBuffer => {
    const b = device.createBuffer({ label: `${manifest.name} ${label}`, size: Math.max(4, align4(size)), usage });
    owned.push(b);
    return b;
  };
  try {
    return await scoped(device, name, async () => {
      const arena = buffer('arena', manifest.arenaBytes, S().STORAGE | S().COPY_SRC | S().COPY_DST);
      // A shader may bind an empty constants region (a zero-size constant): it gets a 4-byte buffer.
      const bindsConstants = manifest.shaders.some((s) => s.bindings.some((b) => b.region === 'constants'));
      const constants = manifest.constantsBytes > 0 || bindsConstants ? buffer('constants', manifest.constantsBytes, S().STORAGE | S().COPY_DST) : undefined;
      if (manifest.weights) {
        if (!opts.weights || opts.weights.byteLength !== align4(manifest.constantsBytes))
          throw new Error(`${name}: expected ${align4(manifest.constantsBytes)} bytes of weights (${manifest.weights}), got ${opts.weights?.byteLength ?? 'none'}`);
        device.queue.writeBuffer(constants!, 0, opts.weights as Uint8Array<ArrayBuffer>);
      }
      const pipelines: Pipeline[] = [];
      for (const s of manifest.shaders) {
        pipelines.push(await scoped(device, s.file, () => pipeline(device, s, source, { arena, constants }))
          .catch((e: Error) => { throw new Error(`${name}: ${e.message}`); }));
      }
      return new GpuModel(device, manifest, name, arena, buffer('readback', 4, S().MAP_READ | S().COPY_DST), pipelines, owned) as Model;
    });
  } catch (e) {
    owned.forEach((b) => b.destroy());
    throw e;
  }
}

type Inputs = Readonly<Record<string, Input>> | readonly Input[];
interface Pipeline { readonly pipeline: GPUComputePipeline; readonly group: GPUBindGroup }

/** A loaded model: its runs are queued, one at a time (they share the arena). */
class GpuModel {
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lost?: string;

  constructor(private readonly device: GPUDevice, readonly manifest: WebGpuManifest, private readonly name: string, private readonly arena: GPUBuffer,
    private readonly readback: GPUBuffer, private readonly pipelines: readonly Pipeline[], private readonly owned: readonly GPUBuffer[]) {
    void device.lost.then((info) => { this.lost = info.message || info.reason; });
  }

  run(inputs: Inputs, opts?: { gpu?: boolean }): Promise<Record<string, TensorArray> | Record<string, GPUBuffer>> {
    const r = this.queue.then(() => this.runNow(inputs, opts?.gpu === true));
    this.queue = r.catch(() => undefined);
    return r;
  }

  dispose(): void {
    this.disposed = true;
    this.owned.forEach((b) => b.destroy());
  }

  private async runNow(inputs: Inputs, gpu: boolean): Promise<Record<string, TensorArray> | Record<string, GPUBuffer>> {
    const { device, manifest, name } = this;
    if (this.disposed) throw new Error(`${name}: disposed`);
    if (this.lost) throw new Error(`${name}: the GPU device was lost (${this.lost})`);
    const list = manifest.inputs.map((t, i) => {
      const v = Array.isArray(inputs) ? (inputs as readonly Input[])[i] : (inputs as Record<string, Input>)[t.name];
      if (v === undefined) throw new Error(`${name}: missing input ${t.name}`);
      return v;
    });
    try {
      return await scoped(device, `${name}: run`, async () => {
        let encoder = device.createCommandEncoder();
        if (manifest.loopCheck !== undefined) device.queue.writeBuffer(this.arena, manifest.loopCheck, new Uint32Array(1));
        list.forEach((v, i) => writeInput(device, encoder, this.arena, manifest.inputs[i], v, name));
        encoder = await this.encode(manifest.steps, encoder);
        if (manifest.loopCheck !== undefined) {
          const r = await this.readWord(encoder, manifest.loopCheck);
          const shader = manifest.shaders[r.word - 1];
          if (r.word !== 0) throw new Error(`${name}: ${shader?.file ?? `shader ${r.word - 1}`}: a loop ended before its bound: this device cuts long loops short (Mesa's llvmpipe stops every loop nest after 65535 iterations)`);
          encoder = r.encoder;
        }
        return gpu ? copyOutGpu(device, encoder, this.arena, manifest.outputs) : copyOut(device, encoder, this.arena, manifest.outputs);
      });
    } catch (e) {
      throw this.lost ? new Error(`${name}: the GPU device was lost (${this.lost})`) : e;
    }
  }

  /** Encodes `steps` after what `encoder` holds; control flow submits what precedes it and reads its scalar back. */
  private async encode(steps: readonly GpuStep[], start: GPUCommandEncoder): Promise<GPUCommandEncoder> {
    let encoder = start;
    for (const s of steps) {
      switch (s.k) {
        case 'dispatch': {
          const pass = encoder.beginComputePass();
          pass.setPipeline(this.pipelines[s.shader].pipeline);
          pass.setBindGroup(0, this.pipelines[s.shader].group);
          pass.dispatchWorkgroups(...s.workgroups);
          pass.end();
          break;
        }
        case 'while':
          for (;;) {
            encoder = await this.encode(s.cond, encoder);
            const r = await this.readWord(encoder, s.pred);
            encoder = r.encoder;
            if (byteAt(r.word, s.pred) === 0) break;
            encoder = await this.encode(s.body, encoder);
          }
          break;
        case 'switch': {
          const r = await this.readWord(encoder, s.index);
          const n = s.branches.length, v = r.word | 0;
          const branch = s.indexType === 'pred' ? (byteAt(r.word, s.index) ? 0 : 1) : v >= 0 && v < n ? v : n - 1;
          encoder = await this.encode(s.branches[branch], r.encoder);
          break;
        }
        default: {
          const unknown: never = s; // a new step kind fails to compile here
          throw new Error(`${this.name}: unknown step ${JSON.stringify(unknown)}`);
        }
      }
    }
    return encoder;
  }

  /** Submits `encoder` and reads the arena word holding byte `offset`; returns a fresh encoder. */
  private async readWord(encoder: GPUCommandEncoder, offset: number): Promise<{ encoder: GPUCommandEncoder; word: number }> {
    encoder.copyBufferToBuffer(this.arena, offset & ~3, this.readback, 0, 4);
    this.device.queue.submit([encoder.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ);
    const word = new Uint32Array(this.readback.getMappedRange().slice(0))[0];
    this.readback.unmap();
    return { encoder: this.device.createCommandEncoder(), word };
  }
}

const byteAt = (word: number, offset: number): number => (word >>> ((offset & 3) * 8)) & 0xff;

interface Regions { readonly arena: GPUBuffer; readonly constants?: GPUBuffer }

async function pipeline(device: GPUDevice, s: WebGpuManifest['shaders'][number], source: (f: string) => string | Promise<string>, regions: Regions): Promise<Pipeline> {
  const code = await source(s.file);
  if (typeof code !== 'string') throw new Error(`no WGSL for ${s.file}`);
  const module = device.createShaderModule({ label: s.file, code });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(`${s.file}: ${errors.map((m) => `${m.lineNum}:${m.linePos}: ${m.message.replace(/\s+/g, ' ').trim()}`).join('; ')}`);
  const layout = device.createBindGroupLayout({
    label: s.file,
    entries: s.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.type } })),
  });
  const pipeline = device.createComputePipeline({
    label: s.file,
    layout: device.createPipelineLayout({ label: s.file, bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: s.entryPoint },
  });
  const group = device.createBindGroup({
    label: s.file,
    layout,
    entries: s.bindings.map((b) => {
      const buffer = b.region === 'arena' ? regions.arena : regions.constants;
      if (!buffer) throw new Error(`${s.file}: binds the empty ${b.region} region`);
      return { binding: b.binding, resource: { buffer } };
    }),
  });
  return { pipeline, group };
}

function writeInput(device: GPUDevice, encoder: GPUCommandEncoder, arena: GPUBuffer, t: GpuTensor, v: Input, name: string): void {
  if (typeof GPUBuffer !== 'undefined' && v instanceof GPUBuffer) {
    if (v.size < align4(t.bytes)) throw new Error(`${name}: input ${t.name} needs ${t.bytes} bytes, its GPUBuffer has ${v.size}`);
    if (t.bytes > 0) encoder.copyBufferToBuffer(v, 0, arena, t.offset, align4(t.bytes));
    return;
  }
  const view = v as ArrayBufferView;
  if (!ArrayBuffer.isView(view) || view.byteLength !== t.bytes)
    throw new Error(`${name}: input ${t.name} (${t.dtype}[${t.dims.join(',')}]) needs ${t.bytes} bytes, got ${ArrayBuffer.isView(view) ? view.byteLength : typeof v}`);
  if (t.bytes === 0) return; // (Deno 2.9's writeBuffer panics on an empty write)
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  // writeBuffer wants whole words: pad the last one (inputs start on a word; the rest of it is alignment).
  const data = t.bytes % 4 === 0 ? bytes : (() => { const p = new Uint8Array(align4(t.bytes)); p.set(bytes); return p; })();
  device.queue.writeBuffer(arena, t.offset, data as Uint8Array<ArrayBuffer>);
}

async function copyOut(device: GPUDevice, encoder: GPUCommandEncoder, arena: GPUBuffer, outputs: readonly GpuTensor[]): Promise<Record<string, TensorArray>> {
  let size = 0;
  const at = outputs.map((t) => { const o = size; size += align4(t.bytes); return o; });
  const staging = device.createBuffer({ size: Math.max(4, size), usage: S().MAP_READ | S().COPY_DST });
  try {
    outputs.forEach((t, i) => { if (t.bytes > 0) encoder.copyBufferToBuffer(arena, t.offset, staging, at[i], align4(t.bytes)); });
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const all = staging.getMappedRange().slice(0);
    const out: Record<string, TensorArray> = {};
    outputs.forEach((t, i) => {
      const A = ARRAY_OF[t.dtype];
      out[t.name] = new A(all.slice(at[i], at[i] + t.bytes));
    });
    return out;
  } finally {
    staging.destroy();
  }
}

async function copyOutGpu(device: GPUDevice, encoder: GPUCommandEncoder, arena: GPUBuffer, outputs: readonly GpuTensor[]): Promise<Record<string, GPUBuffer>> {
  const out: Record<string, GPUBuffer> = {};
  for (const t of outputs) {
    const b = device.createBuffer({ label: t.name, size: Math.max(4, align4(t.bytes)), usage: S().STORAGE | S().COPY_SRC | S().COPY_DST });
    if (t.bytes > 0) encoder.copyBufferToBuffer(arena, t.offset, b, 0, align4(t.bytes));
    out[t.name] = b;
  }
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return out;
}
